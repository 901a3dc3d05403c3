package io.lifeboat.domain.alerting;

import static java.util.Objects.requireNonNull;

import io.lifeboat.domain.Alert;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One notification the routing tree decided to send: a group of alerts for one receiver. {@code id} is
 * stable for this notice and is the base of its idempotency record (one per receiver destination), so a
 * retry or a replay after a restart never sends it twice. {@code severity} is the highest severity in
 * the group; it picks the delivery lane (critical notices go before the rest).
 */
public record Notice(
        String id,
        String receiver,
        String groupKey,
        Map<String, String> groupLabels,
        Kind kind,
        String severity,
        List<Alert> alerts,
        Instant at,
        String digest) {

    /** Why the notice is sent. */
    public enum Kind {
        /** new or changed firing alerts in the group */
        FIRING,
        /** every alert of the group resolved */
        RESOLVED,
        /** nothing changed, repeat_interval passed */
        REPEAT,
        /** a flapping alert's summary of the changes it made in the flap window */
        DIGEST
    }

    public Notice {
        requireNonNull(id, "id");
        requireNonNull(receiver, "receiver");
        requireNonNull(groupKey, "groupKey");
        requireNonNull(kind, "kind");
        requireNonNull(severity, "severity");
        requireNonNull(at, "at");
        groupLabels = groupLabels == null ? Map.of() : Map.copyOf(groupLabels);
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        digest = digest == null ? "" : digest;
    }

    public boolean critical() {
        return "critical".equals(severity);
    }
}
