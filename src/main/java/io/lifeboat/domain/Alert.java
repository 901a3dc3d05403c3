package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/** An alert in the shape PRODUCT.md fixes; Lifeboat's own and those from monitors look the same. */
public record Alert(
        String fingerprint,
        String severity,
        String status,
        String summary,
        String detail,
        Map<String, String> labels,
        Instant startsAt,
        Instant endsAt) {

    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    private static final Set<String> STATUSES = Set.of("firing", "resolved");

    public Alert {
        requireNonNull(fingerprint, "fingerprint");
        requireNonNull(summary, "summary");
        requireNonNull(startsAt, "startsAt");
        if (!SEVERITIES.contains(severity)) {
            throw new IllegalArgumentException("severity must be one of " + SEVERITIES + ", got '" + severity + "'");
        }
        if (!STATUSES.contains(status)) {
            throw new IllegalArgumentException("status must be one of " + STATUSES + ", got '" + status + "'");
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        detail = detail == null ? "" : detail;
    }

    /** A firing alert about one target, fingerprinted by what failed and where, so repeats group together. */
    public static Alert firing(
            String alertName, String severity, String target, String summary, String detail, Instant at) {
        return new Alert(
                alertName + ":" + target,
                severity,
                "firing",
                summary,
                detail,
                Map.of("alertname", alertName, "target", target, "source", "lifeboat"),
                at,
                null);
    }
}
