package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One attempt to copy a backup to the off-site store, recorded in the primary store beside the
 * backup ({@code <target>/<backup-id>/offsite/<timestamp>.json}) so the copy state survives the loss
 * of the catalog and is known while the off-site store is unreachable. {@code ok} means the copy was
 * written and read back with a matching SHA-256. {@code artifactKey}, {@code sha256}, {@code
 * storedBytes} and {@code encryption} describe the off-site object (they differ from the primary's
 * when the copy was re-encrypted for the off-site store); they are null or 0 when the copy failed
 * before the object was complete.
 */
public record CopyRecord(
        String backupId,
        String target,
        Instant at,
        boolean ok,
        String store,
        String artifactKey,
        String sha256,
        long storedBytes,
        String encryption,
        boolean reencrypted,
        String detail) {

    public CopyRecord {
        requireNonNull(backupId, "backupId");
        requireNonNull(target, "target");
        requireNonNull(at, "at");
        requireNonNull(store, "store");
        detail = detail == null ? "" : detail;
        if (storedBytes < 0) {
            throw new IllegalArgumentException("storedBytes must not be negative");
        }
    }

    /** A copy that failed: {@code detail} says why. */
    public static CopyRecord failed(Manifest m, Instant at, String store, String detail) {
        return new CopyRecord(m.id(), m.target(), at, false, store, null, null, 0, null, false, detail);
    }
}
