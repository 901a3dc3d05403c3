package io.lifeboat.observe;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.catalog.BackupRow;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Lifeboat's own metrics, in a Micrometer Prometheus registry. Nothing is counted as it happens:
 * every {@link #scrape()} reads the catalog (and the config) afresh, so the numbers agree with
 * {@code status} and survive restarts; a one-shot {@code ./lifeboat backup} next to the daemon
 * shows up too. Per configured target:
 *
 * <ul>
 *   <li>{@code lifeboat_backup_last_verified_timestamp_seconds}: when the newest verified backup
 *       finished (absent until there is one);
 *   <li>{@code lifeboat_backup_bytes}: its stored size (absent likewise);
 *   <li>{@code lifeboat_rpo_breached}: 1 when no verified backup is younger than the target's rpo;
 *   <li>{@code lifeboat_restore_drill_rto_seconds}: the RTO the newest passing drill achieved
 *       (absent until a drill passed);
 *   <li>{@code lifeboat_backup_runs_total{result=succeeded|failed}}: finished backup runs;
 *   <li>{@code lifeboat_verify_failures_total}: failed verifications, on their own or in a backup;
 * </ul>
 *
 * and {@code lifeboat_safe_mode} (1 on, 0 off).
 */
public final class LifeboatMetrics {

    static final String LAST_VERIFIED = "lifeboat.backup.last.verified.timestamp";
    static final String BACKUP_BYTES = "lifeboat.backup";
    static final String RPO_BREACHED = "lifeboat.rpo.breached";
    static final String DRILL_RTO = "lifeboat.restore.drill.rto";
    static final String BACKUP_RUNS = "lifeboat.backup.runs";
    static final String VERIFY_FAILURES = "lifeboat.verify.failures";
    static final String SAFE_MODE = "lifeboat.safe.mode";
    private static final List<String> RESULTS = List.of(RunRow.SUCCEEDED, RunRow.FAILED);

    private final LifeboatConfig config;
    private final Catalog catalog;
    private final Clock clock;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** The gauges that exist only while there is a value: key is name + target. */
    private final Map<String, Meter> present = new HashMap<>();

    private volatile Snapshot snapshot = Snapshot.EMPTY;

    public LifeboatMetrics(LifeboatConfig config, Catalog catalog, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.catalog = requireNonNull(catalog, "catalog");
        this.clock = requireNonNull(clock, "clock");
        for (String target : config.targets().keySet()) {
            Gauge.builder(RPO_BREACHED, this, m -> m.snapshot.rpoBreached(target))
                    .description("1 when the target has no verified backup younger than its rpo, else 0")
                    .tag("target", target)
                    .strongReference(true)
                    .register(registry);
            for (String result : RESULTS) {
                FunctionCounter.builder(BACKUP_RUNS, this, m -> m.snapshot.runs(target, result))
                        .description("Backup runs that ended, by result")
                        .tags("target", target, "result", result)
                        .register(registry);
            }
            FunctionCounter.builder(VERIFY_FAILURES, this, m -> m.snapshot.verifyFailures(target))
                    .description("Verifications whose stored bytes did not read back with the recorded SHA-256")
                    .tag("target", target)
                    .register(registry);
        }
        Gauge.builder(SAFE_MODE, this, m -> m.snapshot.safeMode ? 1 : 0)
                .description("1 while Safe Mode is on: no automatic restore, no pruning")
                .strongReference(true)
                .register(registry);
    }

    /** The registry, for meters that later parts add (Camel routes, JVM). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Reads the catalog and returns every metric in the Prometheus text format (version 0.0.4).
     *
     * @throws io.lifeboat.catalog.CatalogException when the catalog cannot be read
     */
    public synchronized String scrape() {
        Snapshot s = read();
        snapshot = s;
        for (String target : config.targets().keySet()) {
            Optional<BackupRow> last = Optional.ofNullable(s.lastVerified.get(target));
            optional(
                    LAST_VERIFIED,
                    target,
                    last.isPresent(),
                    () -> Gauge.builder(LAST_VERIFIED, this, m -> m.snapshot.lastVerifiedSeconds(target))
                            .description("When the newest verified backup finished, seconds since the epoch")
                            .baseUnit("seconds")
                            .tag("target", target)
                            .strongReference(true)
                            .register(registry));
            optional(
                    BACKUP_BYTES,
                    target,
                    last.isPresent(),
                    () -> Gauge.builder(BACKUP_BYTES, this, m -> m.snapshot.storedBytes(target))
                            .description("Stored size of the newest verified backup (compressed, encrypted)")
                            .baseUnit("bytes")
                            .tag("target", target)
                            .strongReference(true)
                            .register(registry));
            optional(
                    DRILL_RTO,
                    target,
                    s.drillRto.containsKey(target),
                    () -> Gauge.builder(DRILL_RTO, this, m -> m.snapshot.drillRto(target))
                            .description("Time from start to validated of the newest passing restore drill")
                            .baseUnit("seconds")
                            .tag("target", target)
                            .strongReference(true)
                            .register(registry));
        }
        return registry.scrape();
    }

    private void optional(String name, String target, boolean wanted, Supplier<Meter> register) {
        String key = name + "\u0000" + target;
        Meter meter = present.get(key);
        if (wanted && meter == null) {
            present.put(key, register.get());
        } else if (!wanted && meter != null) {
            registry.remove(meter);
            present.remove(key);
        }
    }

    private Snapshot read() {
        Instant now = clock.instant();
        Map<String, BackupRow> lastVerified = new HashMap<>();
        Map<String, Boolean> breached = new HashMap<>();
        Map<String, Double> drillRto = new HashMap<>();
        for (TargetConfig target : config.targets().values()) {
            Optional<BackupRow> last = catalog.latestVerified(target.name());
            last.ifPresent(b -> lastVerified.put(target.name(), b));
            // the rule status and the retained state topic use (TargetStates)
            breached.put(
                    target.name(),
                    last.isEmpty()
                            || Duration.between(last.get().finishedAt(), now).compareTo(target.rpo()) > 0);
            catalog.lastRun(target.name(), "drill", RunRow.SUCCEEDED)
                    .flatMap(LifeboatMetrics::rtoSeconds)
                    .ifPresent(rto -> drillRto.put(target.name(), rto));
        }
        return new Snapshot(
                lastVerified,
                breached,
                drillRto,
                catalog.runCounts("backup"),
                catalog.verifyFailures(),
                catalog.safeMode().map(Catalog.SafeModeChange::on).orElse(false));
    }

    /** The RTO a drill run recorded in its detail, {@code {"rtoSeconds": 12.3, ...}}. */
    static Optional<Double> rtoSeconds(RunRow drill) {
        if (drill.detail() == null) {
            return Optional.empty();
        }
        try {
            JsonNode rto = Json.MAPPER.readTree(drill.detail()).path("rtoSeconds");
            return rto.isNumber() ? Optional.of(rto.asDouble()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // an unreadable detail has no RTO to show
        }
    }

    /** What one scrape read from the catalog; the meters read it. */
    private record Snapshot(
            Map<String, BackupRow> lastVerified,
            Map<String, Boolean> breached,
            Map<String, Double> drillRto,
            Map<String, Map<String, Long>> backupRuns,
            Map<String, Long> failedVerifications,
            boolean safeMode) {

        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), false);

        double rpoBreached(String target) {
            return breached.getOrDefault(target, true) ? 1 : 0;
        }

        double lastVerifiedSeconds(String target) {
            BackupRow b = lastVerified.get(target);
            return b == null ? Double.NaN : b.finishedAt().toEpochMilli() / 1000.0;
        }

        double storedBytes(String target) {
            BackupRow b = lastVerified.get(target);
            return b == null ? Double.NaN : b.storedBytes();
        }

        double drillRto(String target) {
            return drillRto.getOrDefault(target, Double.NaN);
        }

        double runs(String target, String result) {
            return backupRuns.getOrDefault(target, Map.of()).getOrDefault(result, 0L);
        }

        double verifyFailures(String target) {
            return failedVerifications.getOrDefault(target, 0L);
        }
    }
}
