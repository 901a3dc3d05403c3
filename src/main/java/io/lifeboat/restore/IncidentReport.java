package io.lifeboat.restore;

import static java.util.Objects.requireNonNull;

import io.lifeboat.domain.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The short record every restore and drill leaves, in the history (the run's detail) and in the store
 * beside the backup ({@code reports/<ts>-<operation>.md}): what was restored from which backup, where
 * to, the timeline, the recovery time achieved, and how each validation went.
 *
 * @param operation {@code restore}, {@code drill} or {@code auto-restore}
 * @param rto time from the start to validated (null when it never got there)
 * @param rtoObjective the target's {@code drill.rto}, or null
 * @param error why it failed, or null
 */
public record IncidentReport(
        String operation,
        String target,
        String kind,
        String backupId,
        Instant backupTakenAt,
        long storedBytes,
        long rawBytes,
        String destination,
        Instant startedAt,
        Instant finishedAt,
        List<Step> timeline,
        List<ValidationResult> validations,
        Duration rto,
        Duration rtoObjective,
        boolean ok,
        String error) {

    public IncidentReport {
        requireNonNull(operation, "operation");
        requireNonNull(target, "target");
        requireNonNull(startedAt, "startedAt");
        requireNonNull(finishedAt, "finishedAt");
        timeline = List.copyOf(timeline);
        validations = List.copyOf(validations);
    }

    /** One moment of the timeline. */
    public record Step(Instant at, String what) {
        public Step {
            requireNonNull(at, "at");
            requireNonNull(what, "what");
        }
    }

    /** Whether a recovery time objective was set and the achieved RTO exceeded it. */
    public boolean slowerThanObjective() {
        return rto != null && rtoObjective != null && rto.compareTo(rtoObjective) > 0;
    }

    /** The report as Markdown, for people. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("# ")
                .append(capitalized(operation))
                .append(" of ")
                .append(target)
                .append(": ")
                .append(ok ? (slowerThanObjective() ? "SLOW" : "OK") : "FAILED")
                .append("\n\n");
        row(md, "Target", target + (kind == null ? "" : " (" + kind + ")"));
        row(md, "Backup", backupId == null ? "-" : backupId);
        if (backupTakenAt != null) {
            row(
                    md,
                    "Backup taken",
                    backupTakenAt + " (" + Durations.format(Duration.between(backupTakenAt, startedAt)) + " before)");
        }
        if (backupId != null) {
            row(md, "Size", storedBytes + " bytes stored, " + rawBytes + " bytes raw");
        }
        row(md, "Restored into", destination == null ? "-" : destination);
        row(md, "Started", startedAt.toString());
        row(md, "Finished", finishedAt.toString());
        row(
                md,
                "RTO achieved",
                rto == null ? "- (not validated)" : Durations.format(rto) + " (" + rto.toMillis() + " ms)");
        if (rtoObjective != null) {
            row(
                    md,
                    "RTO objective",
                    Durations.format(rtoObjective)
                            + (rto == null ? " — not reached" : slowerThanObjective() ? " — MISSED" : " — met"));
        }
        if (error != null) {
            row(md, "Error", error.replace('\n', ' '));
        }
        md.append("\n## Timeline\n\n");
        for (Step s : timeline) {
            md.append("- ")
                    .append(s.at())
                    .append(" (+")
                    .append(Duration.between(startedAt, s.at()).toMillis())
                    .append(" ms) ")
                    .append(s.what())
                    .append('\n');
        }
        md.append("\n## Validation\n\n");
        if (validations.isEmpty()) {
            md.append("No checks configured (drill.validate).\n");
        }
        for (ValidationResult v : validations) {
            md.append("- ")
                    .append(v.ok() ? "PASS " : "FAIL ")
                    .append('`')
                    .append(v.check().describe().replace('`', '\''))
                    .append("`: ")
                    .append(v.detail())
                    .append('\n');
        }
        return md.toString();
    }

    /** The report as a map, for the run's JSON detail, the API and {@code status --json}. */
    public Map<String, Object> toDetail() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("operation", operation);
        d.put("target", target);
        d.put("backupId", backupId);
        d.put("destination", destination);
        d.put("ok", ok);
        d.put("rtoSeconds", rto == null ? null : rto.toMillis() / 1000.0);
        d.put("rtoObjectiveSeconds", rtoObjective == null ? null : rtoObjective.toSeconds());
        d.put("slowerThanObjective", slowerThanObjective());
        d.put("error", error);
        d.put(
                "validations",
                validations.stream()
                        .map(v -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("check", v.check().describe());
                            m.put("ok", v.ok());
                            m.put("value", v.value());
                            m.put("detail", v.detail());
                            return m;
                        })
                        .toList());
        d.put(
                "timeline",
                timeline.stream()
                        .map(s -> Map.of("at", s.at().toString(), "what", s.what()))
                        .toList());
        return d;
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("- **").append(name).append(":** ").append(value).append('\n');
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
