package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.CronSchedule;
import io.lifeboat.domain.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TimeZone;

/**
 * A target's state as {@code status} and the retained {@code backup/<target>/state} topic show it:
 * last verified backup, its size and age, the RPO state, the next scheduled run and the last run.
 */
public final class TargetStates {

    private final LifeboatConfig config;
    private final Catalog catalog;
    private final Clock clock;

    public TargetStates(LifeboatConfig config, Catalog catalog, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.catalog = requireNonNull(catalog, "catalog");
        this.clock = requireNonNull(clock, "clock");
    }

    public Map<String, Object> state(String targetName) {
        TargetConfig target = config.target(targetName).orElse(null);
        Instant now = clock.instant();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("target", targetName);
        s.put("at", now.toString());
        var last = catalog.latestVerified(targetName);
        if (last.isPresent()) {
            var b = last.get();
            Duration age = Duration.between(b.finishedAt(), now);
            s.put("lastVerifiedId", b.id());
            s.put("lastVerifiedAt", b.finishedAt().toString());
            s.put("storedBytes", b.storedBytes());
            s.put("rawBytes", b.rawBytes());
            s.put("ageSeconds", age.getSeconds());
            s.put("age", Durations.format(age));
            if (target != null) {
                s.put("rpoState", age.compareTo(target.rpo()) > 0 ? "breached" : "ok");
            }
        } else {
            s.put("rpoState", "breached");
            s.put("lastVerifiedId", null);
        }
        if (target != null) {
            s.put("rpoSeconds", target.rpo().getSeconds());
            s.put("rpo", Durations.format(target.rpo()));
            s.put("schedule", target.schedule());
            new CronSchedule(target.schedule(), TimeZone.getDefault())
                    .next(now)
                    .ifPresent(n -> s.put("nextRun", n.toString()));
        }
        catalog.lastRun(targetName).ifPresent(r -> {
            s.put("lastRunOperation", r.operation());
            s.put("lastRunResult", r.result());
            s.put("lastRunAt", r.startedAt().toString());
            if (r.error() != null) {
                s.put("lastRunError", r.error());
            }
        });
        return s;
    }
}
