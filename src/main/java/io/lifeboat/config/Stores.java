package io.lifeboat.config;

import java.util.Set;
import java.util.regex.Pattern;

/** Reads one {@code storage.primary} / {@code storage.offsite} entry. */
final class Stores {

    static final String DEFAULT_REGION = "us-east-1";

    private static final Set<String> S3_KEYS =
            Set.of("type", "endpoint", "bucket", "region", "accessKey", "secretKey", "encryption");
    private static final Set<String> FILESYSTEM_KEYS = Set.of("type", "path", "encryption");
    private static final Set<String> ALL_KEYS =
            Set.of("type", "endpoint", "bucket", "region", "accessKey", "secretKey", "path", "encryption");
    private static final Set<String> ENCRYPTION_KEYS =
            Set.of("type", "recipients", "recipientsFile", "identityFile", "passphrase");
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
        EncryptionConfig encryption =
                s.section("encryption").map(Stores::encryption).orElse(null);
        if (store == null || s.problems().count() != before) {
            return null;
        }
        return new StoreConfig(
                store.type(),
                store.endpoint(),
                store.bucket(),
                store.region(),
                store.accessKey(),
                store.secretKey(),
                store.path(),
                encryption);
    }

    private static EncryptionConfig encryption(Section e) {
        e.allowOnly(ENCRYPTION_KEYS);
        Section.Text type = e.requiredText("type");
        if (type != null
                && !EncryptionConfig.AGE.equals(type.value())
                && !EncryptionConfig.OPENPGP.equals(type.value())) {
            e.problem("type", "unknown type " + type.shown() + " (expected age, openpgp)");
        }
        java.util.List<String> recipients = e.has("recipients") ? e.strings("recipients") : null;
        java.nio.file.Path recipientsFile = e.path("recipientsFile", false);
        if (recipients == null && recipientsFile == null && !e.has("recipients")) {
            e.problem("recipientsFile", "required (or recipients): who the backups are encrypted to");
        }
        if (recipients != null && type != null && EncryptionConfig.OPENPGP.equals(type.value())) {
            e.problem("recipients", "not used by type openpgp; name the armored public key in recipientsFile");
        }
        if (recipients != null && type != null && EncryptionConfig.AGE.equals(type.value())) {
            for (int i = 0; i < recipients.size(); i++) {
                if (!recipients.get(i).matches("age1[02-9ac-hj-np-z]{58}")) {
                    e.problem("recipients[" + i + "]", "not an age X25519 recipient (age1 followed by 58 characters)");
                } else {
                    try {
                        io.lifeboat.crypto.Bech32.decode(recipients.get(i));
                    } catch (IllegalArgumentException bad) {
                        e.problem("recipients[" + i + "]", "the age recipient " + bad.getMessage());
                    }
                }
            }
        }
        if (recipientsFile != null && !java.nio.file.Files.isReadable(recipientsFile)) {
            e.problem("recipientsFile", "cannot read " + recipientsFile);
        }
        java.nio.file.Path identityFile = e.path("identityFile", false);
        return new EncryptionConfig(
                type == null ? null : type.value(), recipients, recipientsFile, identityFile, e.string("passphrase"));
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
