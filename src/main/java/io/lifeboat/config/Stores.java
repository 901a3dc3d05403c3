package io.lifeboat.config;

import java.util.Set;
import java.util.regex.Pattern;

/** Reads one {@code storage.primary} / {@code storage.offsite} entry. */
final class Stores {

    static final String DEFAULT_REGION = "us-east-1";

    private static final Set<String> S3_KEYS = Set.of("type", "endpoint", "bucket", "region", "accessKey", "secretKey");
    private static final Set<String> FILESYSTEM_KEYS = Set.of("type", "path");
    private static final Set<String> ALL_KEYS =
            Set.of("type", "endpoint", "bucket", "region", "accessKey", "secretKey", "path");
    /** S3 bucket naming rules, simplified: lower case, digits, dots and dashes, 3 to 63 long. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private Stores() {}

    /** The store, or null when it has problems (they are reported to the section's Problems). */
    static StoreConfig read(Section s) {
        int before = s.problems().count();
        Section.Text type = s.requiredText("type");
        if (type == null) {
            s.allowOnly(ALL_KEYS);
            return null;
        }
        StoreConfig store = switch (type.value()) {
            case "s3" -> s3(s);
            case "filesystem" -> filesystem(s);
            default -> {
                s.problem("type", "unknown type " + type.shown() + " (expected s3, filesystem)");
                s.allowOnly(ALL_KEYS);
                yield null;
            }
        };
        return s.problems().count() == before ? store : null;
    }

    private static StoreConfig s3(Section s) {
        s.allowOnly(S3_KEYS, FILESYSTEM_KEYS, "not used by type s3");
        Section.Text endpoint = s.requiredText("endpoint");
        if (endpoint != null
                && !endpoint.value().startsWith("http://")
                && !endpoint.value().startsWith("https://")) {
            s.problem("endpoint", "must start with http:// or https://, got " + endpoint.shown());
        }
        Section.Text bucket = s.requiredText("bucket");
        if (bucket != null && !BUCKET.matcher(bucket.value()).matches()) {
            s.problem(
                    "bucket",
                    "not a valid bucket name " + bucket.shown()
                            + " (3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit)");
        }
        String region = s.string("region", DEFAULT_REGION);
        String accessKey = s.requiredString("accessKey");
        String secretKey = s.requiredString("secretKey");
        return new StoreConfig(
                "s3",
                endpoint == null ? null : endpoint.value(),
                bucket == null ? null : bucket.value(),
                region == null ? DEFAULT_REGION : region,
                accessKey,
                secretKey,
                null);
    }

    private static StoreConfig filesystem(Section s) {
        s.allowOnly(FILESYSTEM_KEYS, S3_KEYS, "not used by type filesystem");
        return new StoreConfig("filesystem", null, null, null, null, null, s.path("path", true));
    }
}
