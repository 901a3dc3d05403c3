package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.CronSchedule;
import io.lifeboat.domain.Durations;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;

/**
 * A target's state as {@code status} and the retained {@code backup/<target>/state} topic show it:
 * last verified backup, its size and age, the RPO state, the next scheduled run, the last backup or
 * verify run, and the last restore drill.
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
        lastBackupOrVerify(targetName).ifPresent(r -> {
            s.put("lastRunOperation", r.operation());
            s.put("lastRunResult", r.result());
            s.put("lastRunAt", r.startedAt().toString());
            if (r.error() != null) {
                s.put("lastRunError", r.error());
            }
        });
        catalog.lastRun(targetName, "drill").ifPresent(r -> s.put("lastDrill", drill(r)));
        catalog.lastRun(targetName, "restore").ifPresent(r -> s.put("lastRestore", drill(r)));
        return s;
    }

    /** The newest backup or verify run: restores and drills have their own entries. */
    private Optional<RunRow> lastBackupOrVerify(String target) {
        Optional<RunRow> backup = catalog.lastRun(target, "backup");
        Optional<RunRow> verify = catalog.lastRun(target, "verify");
        if (backup.isEmpty()) {
            return verify;
        }
        if (verify.isEmpty()) {
            return backup;
        }
        return verify.get().startedAt().isAfter(backup.get().startedAt()) ? verify : backup;
    }

    /**
     * The last drill as {@code status} shows it: when, {@code OK}, {@code SLOW} (passed, slower than
     * {@code drill.rto}), {@code FAILED} or {@code RUNNING}, the RTO achieved, the backup and the error.
     */
    /** A drill or restore run as status shows it: result (OK, SLOW, FAILED, RUNNING), RTO, backup, error. */
    static Map<String, Object> drill(RunRow r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("at", r.startedAt().toString());
        JsonNode detail = null;
        if (r.detail() != null) {
            try {
                detail = Json.MAPPER.readTree(r.detail());
            } catch (IOException e) {
                detail = null; // an unreadable detail leaves the result without RTO
            }
        }
        boolean slow = detail != null && detail.path("slowerThanObjective").asBoolean(false);
        d.put("result", r.running() ? "RUNNING" : RunRow.FAILED.equals(r.result()) ? "FAILED" : slow ? "SLOW" : "OK");
        if (r.backupId() != null) {
            d.put("backupId", r.backupId());
        }
        if (detail != null && detail.path("rtoSeconds").isNumber()) {
            double seconds = detail.path("rtoSeconds").asDouble();
            d.put("rtoSeconds", seconds);
            d.put(
                    "rto",
                    seconds < 60
                            ? String.format(Locale.ROOT, "%.1fs", seconds)
                            : Durations.format(Duration.ofMillis(Math.round(seconds * 1000))));
        }
        if (detail != null && detail.path("rtoObjectiveSeconds").isNumber()) {
            d.put("rtoObjectiveSeconds", detail.path("rtoObjectiveSeconds").asLong());
        }
        if (r.error() != null) {
            d.put("error", r.error());
        }
        return d;
    }
}
