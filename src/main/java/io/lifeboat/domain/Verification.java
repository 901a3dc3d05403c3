package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** The result of reading a stored object back and hashing it, stored beside the manifest. */
public record Verification(
        String backupId,
        String target,
        Instant at,
        boolean ok,
        String expectedSha256,
        String actualSha256,
        long bytes,
        String detail) {

    public Verification {
        requireNonNull(backupId, "backupId");
        requireNonNull(target, "target");
        requireNonNull(at, "at");
        requireNonNull(expectedSha256, "expectedSha256");
        detail = detail == null ? "" : detail;
    }
}
