package io.lifeboat.catalog;

import static java.util.Objects.requireNonNull;

import io.lifeboat.domain.Trigger;
import java.time.Instant;

/**
 * One run (backup, verify, restore, drill, prune) as recorded. {@code finishedAt}, {@code backupId},
 * {@code error} and {@code stderr} are null while running or when there is nothing to say. {@code
 * detail} is what a restore, drill, prune or copy found, as JSON (null for backups and verifies).
 */
public record RunRow(
        long runId,
        String target,
        String operation,
        Trigger trigger,
        Instant startedAt,
        Instant finishedAt,
        String result,
        String backupId,
        String error,
        String stderr,
        String detail) {

    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    /**
     * How the error of a run whose verification failed starts: a {@code verify} run, or a {@code backup}
     * run whose stored bytes did not read back. {@link Catalog#verifyFailures()} counts by it.
     */
    public static final String VERIFY_FAILED = "verification failed: ";

    public RunRow {
        requireNonNull(target, "target");
        requireNonNull(operation, "operation");
        requireNonNull(trigger, "trigger");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(result, "result");
    }

    public boolean running() {
        return RUNNING.equals(result);
    }
}
