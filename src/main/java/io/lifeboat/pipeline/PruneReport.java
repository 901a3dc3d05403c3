package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a prune of one target decided and did (or, for a dry run, would do): one row per backup and per
 * leftover of a run that never wrote its manifest, newest first, with the rule that keeps it or the
 * reason it goes.
 *
 * @param policy the target's retention policy in words
 * @param abortedUploads keys of unfinished uploads (S3 multipart uploads, partial files) removed
 * @param warnings things in storage that were left alone, and why
 * @param errors what failed; a prune with errors did not finish its work
 */
public record PruneReport(
        String target,
        String policy,
        Duration grace,
        boolean dryRun,
        List<Row> rows,
        List<String> abortedUploads,
        List<String> warnings,
        List<String> errors) {

    /**
     * One backup, or one leftover folder without a manifest.
     *
     * @param verified {@code yes}, {@code FAILED} (its newest verification did not match), {@code no}
     *     (never verified) or {@code -} (a leftover without a manifest)
     * @param storedBytes the stored size from the manifest; 0 for a leftover without one
     * @param objects how many objects a leftover holds (0 for a backup)
     */
    public record Row(
            String id,
            Instant time,
            String verified,
            boolean keep,
            String reason,
            long storedBytes,
            boolean leftover,
            int objects) {
        public Row {
            requireNonNull(id, "id");
            requireNonNull(time, "time");
            requireNonNull(verified, "verified");
            requireNonNull(reason, "reason");
        }
    }

    public PruneReport {
        requireNonNull(target, "target");
        requireNonNull(policy, "policy");
        requireNonNull(grace, "grace");
        rows = List.copyOf(rows);
        abortedUploads = List.copyOf(abortedUploads);
        warnings = List.copyOf(warnings);
        errors = List.copyOf(errors);
    }

    public List<Row> kept() {
        return rows.stream().filter(Row::keep).toList();
    }

    public List<Row> deleted() {
        return rows.stream().filter(r -> !r.keep()).toList();
    }

    /** Stored bytes of the backups deleted (or, in a dry run, that would be). */
    public long bytesFreed() {
        return deleted().stream().mapToLong(Row::storedBytes).sum();
    }

    public boolean ok() {
        return errors.isEmpty();
    }
}
