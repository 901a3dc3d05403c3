package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The RPO dead man's switch, computed continuously: a target whose newest verified backup is older than
 * its {@code rpo} (or that has none, {@code rpo} after watching began) raises one {@code RpoBreached}
 * alert, and the next verified backup young enough resolves it. The alert's {@code startsAt} is the
 * moment the RPO was crossed, so the same breach seen again after a restart is the same alert.
 */
public final class RpoWatch {

    public static final String ALERT = "RpoBreached";

    private final Instant watchingSince;
    private final Map<String, Alert> breached = new HashMap<>();

    public RpoWatch(Instant watchingSince) {
        this.watchingSince = requireNonNull(watchingSince, "watchingSince");
    }

    /** One target's situation: its RPO and when its newest verified backup finished, if it has one. */
    public record Target(String name, Duration rpo, Optional<Instant> lastVerified) {}

    /** The alerts to send now: firing for a new breach, resolved for one that ended. */
    public synchronized List<Alert> check(List<Target> targets, Instant now) {
        List<Alert> out = new ArrayList<>();
        for (Target t : targets) {
            Instant from = t.lastVerified().orElse(watchingSince);
            Instant crossed = from.plus(t.rpo());
            boolean late = now.isAfter(crossed);
            Alert open = breached.get(t.name());
            if (late && open == null) {
                String detail = t.lastVerified()
                        .map(v -> "the newest verified backup finished "
                                + Durations.format(Duration.between(v, now).withNanos(0)) + " ago")
                        .orElse("no verified backup since Lifeboat began watching");
                Alert a = new Alert(
                        ALERT + ":" + t.name(),
                        "critical",
                        "firing",
                        t.name() + " has no verified backup younger than its RPO (" + Durations.format(t.rpo()) + ")",
                        detail,
                        Map.of("alertname", ALERT, "target", t.name(), "source", "lifeboat"),
                        crossed,
                        null);
                breached.put(t.name(), a);
                out.add(a);
            } else if (!late && open != null) {
                breached.remove(t.name());
                out.add(new Alert(
                        open.fingerprint(),
                        open.severity(),
                        "resolved",
                        open.summary(),
                        "a verified backup younger than the RPO exists again",
                        open.labels(),
                        open.startsAt(),
                        now));
            }
        }
        return out;
    }

    public synchronized boolean breached(String target) {
        return breached.containsKey(target);
    }
}
