package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * What {@code <target>/<backup-id>/manifest.json} says about one backup. Written last: a backup
 * without a manifest does not exist. Never rewritten; verification results are stored beside it.
 * {@code encryption} is {@code none}, {@code age} or {@code openpgp}; {@code recipients} lists the
 * fingerprints of the keys it was encrypted to (age recipients, OpenPGP key fingerprints), never a key.
 */
public record Manifest(
        int formatVersion,
        String id,
        String target,
        String kind,
        Instant startedAt,
        Instant finishedAt,
        Trigger trigger,
        String sourceTool,
        String sourceToolVersion,
        String artifactKey,
        long storedBytes,
        long rawBytes,
        String sha256,
        String compression,
        String encryption,
        String restoreHint,
        List<String> recipients) {

    public static final int FORMAT_VERSION = 1;

    public Manifest {
        requireNonNull(id, "id");
        requireNonNull(target, "target");
        requireNonNull(kind, "kind");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(finishedAt, "finishedAt");
        requireNonNull(trigger, "trigger");
        requireNonNull(artifactKey, "artifactKey");
        requireNonNull(sha256, "sha256");
        requireNonNull(compression, "compression");
        requireNonNull(encryption, "encryption");
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
        if (formatVersion < 1) {
            throw new IllegalArgumentException("formatVersion must be >= 1");
        }
        if (storedBytes < 0 || rawBytes < 0) {
            throw new IllegalArgumentException("byte counts must not be negative");
        }
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lowercase hex characters");
        }
    }

    /** Whether the stored object must be decrypted before it is decompressed. */
    public boolean encrypted() {
        return !"none".equals(encryption);
    }

    public BackupId backupId() {
        return new BackupId(id);
    }

    /**
     * The same backup stored another way: another store's copy, re-encrypted for that store. Only what
     * describes the stored object changes (its key, size, SHA-256, encryption, recipients and the restore
     * hint that names its file); id, target, times, trigger, source and raw size stay.
     */
    public Manifest storedAs(
            String artifactKey,
            long storedBytes,
            String sha256,
            String encryption,
            List<String> recipients,
            String restoreHint) {
        return new Manifest(
                formatVersion,
                id,
                target,
                kind,
                startedAt,
                finishedAt,
                trigger,
                sourceTool,
                sourceToolVersion,
                artifactKey,
                storedBytes,
                rawBytes,
                sha256,
                compression,
                encryption,
                restoreHint,
                recipients);
    }
}
