package io.lifeboat.domain;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Where things live in a bucket or folder, as PRODUCT.md fixes it:
 * {@code <target>/<backup-id>/data.<ext>.zst[.age|.gpg]} and {@code <target>/<backup-id>/manifest.json},
 * verification records under {@code <target>/<backup-id>/verify/<timestamp>.json}, restore and drill
 * reports under {@code <target>/<backup-id>/reports/<timestamp>-<operation>.md}, off-site copy
 * records (in the primary store) under {@code <target>/<backup-id>/offsite/<timestamp>.json}, and
 * recovery sets under {@code sets/<set-id>/set.json} ({@code sets} is therefore not a target name).
 */
public final class StorageLayout {

    public static final String MANIFEST = "manifest.json";
    /** The top-level prefix of recovery sets; reserved, so no target may be named so. */
    public static final String SETS = "sets";

    public static final String SET_FILE = "set.json";
    private static final DateTimeFormatter VERIFY_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private StorageLayout() {}

    public static String prefix(String target, BackupId id) {
        return target + "/" + id.value() + "/";
    }

    public static String artifactKey(String target, BackupId id, String extension) {
        return artifactKey(target, id, extension, "");
    }

    /** The key of an encrypted artifact: {@code suffix} is {@code .age}, {@code .gpg} or empty. */
    public static String artifactKey(String target, BackupId id, String extension, String suffix) {
        return prefix(target, id) + "data." + extension + ".zst" + suffix;
    }

    public static String manifestKey(String target, BackupId id) {
        return prefix(target, id) + MANIFEST;
    }

    public static String verificationKey(String target, BackupId id, Instant at) {
        return prefix(target, id) + "verify/" + VERIFY_STAMP.format(at) + ".json";
    }

    public static String verificationPrefix(String target, BackupId id) {
        return prefix(target, id) + "verify/";
    }

    /**
     * Where the Markdown report of a restore or drill of this backup goes:
     * {@code <target>/<backup-id>/reports/<timestamp>-<operation>.md}.
     */
    public static String reportKey(String target, BackupId id, Instant at, String operation) {
        if (!operation.matches("[a-z-]{1,32}")) {
            throw new IllegalArgumentException("operation must be a-z or -, got '" + operation + "'");
        }
        return prefix(target, id) + "reports/" + VERIFY_STAMP.format(at) + "-" + operation + ".md";
    }

    /** Where the primary store records an attempt to copy a backup off-site (ok or failed). */
    public static String copyRecordKey(String target, BackupId id, Instant at) {
        return copyRecordPrefix(target, id) + VERIFY_STAMP.format(at) + ".json";
    }

    public static String copyRecordPrefix(String target, BackupId id) {
        return prefix(target, id) + "offsite/";
    }

    /** The manifest of recovery set {@code setId}: {@code sets/<set-id>/set.json}. */
    public static String setKey(String setId) {
        return SETS + "/" + setId + "/" + SET_FILE;
    }

    /** The backup a manifest key belongs to, if the key is {@code <target>/<id>/manifest.json} (never under {@code sets/}). */
    public static Optional<BackupRef> parseManifestKey(String key) {
        String[] parts = key.split("/");
        if (parts.length != 3 || !MANIFEST.equals(parts[2]) || !BackupId.isValid(parts[1]) || SETS.equals(parts[0])) {
            return Optional.empty();
        }
        return Optional.of(new BackupRef(parts[0], new BackupId(parts[1])));
    }

    /** A target name and a backup id. */
    public record BackupRef(String target, BackupId id) {}
}
