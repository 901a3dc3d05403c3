package io.lifeboat.catalog;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Trigger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One indexed backup: the columns copied from its manifest, the manifest itself as stored, and the
 * outcome of its newest verification. {@code lastVerifiedAt} is null and {@code lastVerifyOk} false
 * for a backup never verified.
 */
public record BackupRow(
        String id,
        String target,
        String kind,
        Instant startedAt,
        Instant finishedAt,
        Trigger trigger,
        String artifactKey,
        long storedBytes,
        long rawBytes,
        String sha256,
        String manifestJson,
        Instant lastVerifiedAt,
        boolean lastVerifyOk) {

    public BackupRow {
        requireNonNull(id, "id");
        requireNonNull(target, "target");
        requireNonNull(kind, "kind");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(finishedAt, "finishedAt");
        requireNonNull(trigger, "trigger");
        requireNonNull(artifactKey, "artifactKey");
        requireNonNull(sha256, "sha256");
        requireNonNull(manifestJson, "manifestJson");
        if (lastVerifyOk && lastVerifiedAt == null) {
            throw new IllegalArgumentException("lastVerifyOk needs lastVerifiedAt");
        }
    }

    /** Counts as a backup (PRODUCT.md rule 1): its newest verification matched. */
    public boolean verified() {
        return lastVerifyOk;
    }

    /** The manifest as it was indexed. */
    public Manifest manifest() {
        try {
            return Json.read(manifestJson.getBytes(StandardCharsets.UTF_8), Manifest.class);
        } catch (IOException e) {
            throw new UncheckedIOException("manifest of backup " + id + " in the catalog is not readable", e);
        }
    }
}
