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
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lifeboat's own metrics, in the Micrometer Prometheus registry that Camel's management port serves
 * at {@code /observe/metrics} (beside Camel's route metrics and the JVM's). Nothing is counted as it
 * happens: every scrape of the registry reads the catalog (and the config) afresh, so the numbers
 * agree with {@code status} and survive restarts; a one-shot {@code ./lifeboat backup} next to the
 * daemon shows up too. Per configured target:
 *
 * <ul>
 *   <li>{@code lifeboat_backup_last_verified_timestamp_seconds}: when the newest verified backup
 *       finished (absent until there is one);
 *   <li>{@code lifeboat_backup_bytes}: its stored size (absent likewise);
 *   <li>{@code lifeboat_rpo_breached}: 1 when no verified backup is younger than the target's rpo;
 *   <li>{@code lifeboat_restore_drill_rto_seconds}: the RTO the newest passing drill achieved
 *       (absent until a drill passed);
 *   <li>{@code lifeboat_backup_runs_total{result=succeeded|failed}}: finished backup runs;
 *   <li>{@code lifeboat_backup_duration_seconds{result=succeeded|failed}}: how long the newest
 *       finished backup run with that result took (absent until there is one);
 *   <li>{@code lifeboat_drill_runs_total{result=succeeded|failed}}: finished restore drills;
 *   <li>{@code lifeboat_verify_failures_total}: failed verifications, on their own or in a backup;
 * </ul>
 *
 * and {@code lifeboat_safe_mode} (1 on, 0 off). A catalog that cannot be read leaves the values of
 * the last good read in place (logged; {@code /observe/health} shows the catalog down).
 */
public final class LifeboatMetrics {

    static final String LAST_VERIFIED = "lifeboat.backup.last.verified.timestamp";
    static final String BACKUP_BYTES = "lifeboat.backup";
    static final String RPO_BREACHED = "lifeboat.rpo.breached";
    static final String DRILL_RTO = "lifeboat.restore.drill.rto";
    static final String BACKUP_RUNS = "lifeboat.backup.runs";
    static final String VERIFY_FAILURES = "lifeboat.verify.failures";
    static final String SAFE_MODE = "lifeboat.safe.mode";
    static final String BACKUP_DURATION = "lifeboat.backup.duration";
    static final String DRILL_RUNS = "lifeboat.drill.runs";
    private static final Logger LOG = LoggerFactory.getLogger(LifeboatMetrics.class);
    private static final List<String> RESULTS = List.of(RunRow.SUCCEEDED, RunRow.FAILED);

    private final LifeboatConfig config;
    private final Catalog catalog;
    private final Clock clock;
    private final PrometheusMeterRegistry registry = new Refreshing();
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
                FunctionCounter.builder(DRILL_RUNS, this, m -> m.snapshot.drills(target, result))
                        .description("Restore drills that ended, by result")
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

    /** Reads the catalog and returns every metric in the Prometheus text format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * Reads the catalog into the values the meters show and adds or removes the meters that exist only
     * while there is a value. A catalog that cannot be read keeps the last values.
     */
    synchronized void refresh() {
        Snapshot s;
        try {
            s = read();
        } catch (RuntimeException e) {
            LOG.warn("metrics keep their last values: the catalog could not be read ({})", e.toString());
            return;
        }
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
            for (String result : RESULTS) {
                optional(
                        BACKUP_DURATION + "\u0000" + result,
                        target,
                        s.backupSeconds.containsKey(target + "\u0000" + result),
                        () -> Gauge.builder(BACKUP_DURATION, this, m -> m.snapshot.backupSeconds(target, result))
                                .description("How long the newest backup run that ended with this result took")
                                .baseUnit("seconds")
                                .tags("target", target, "result", result)
                                .strongReference(true)
                                .register(registry));
            }
        }
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
        Map<String, Double> backupSeconds = new HashMap<>();
        for (TargetConfig target : config.targets().values()) {
            for (String result : RESULTS) {
                catalog.lastRun(target.name(), "backup", result)
                        .filter(r -> r.finishedAt() != null)
                        .ifPresent(r -> backupSeconds.put(
                                target.name() + "\u0000" + result,
                                Duration.between(r.startedAt(), r.finishedAt()).toMillis() / 1000.0));
            }
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
                backupSeconds,
                catalog.runCounts("backup"),
                catalog.runCounts("drill"),
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
            Map<String, Double> backupSeconds,
            Map<String, Map<String, Long>> backupRuns,
            Map<String, Map<String, Long>> drillRuns,
            Map<String, Long> failedVerifications,
            boolean safeMode) {

        static final Snapshot EMPTY =
                new Snapshot(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), false);

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

        double drills(String target, String result) {
            return drillRuns.getOrDefault(target, Map.of()).getOrDefault(result, 0L);
        }

        double backupSeconds(String target, String result) {
            return backupSeconds.getOrDefault(target + "\u0000" + result, Double.NaN);
        }

        double verifyFailures(String target) {
            return failedVerifications.getOrDefault(target, 0L);
        }
    }

    /**
     * The registry that reads the catalog before every scrape, whoever scrapes (Camel's endpoint, a
     * test). One scrape method may call another: only the outermost reads the catalog.
     */
    private final class Refreshing extends PrometheusMeterRegistry {

        private final ThreadLocal<Boolean> scraping = ThreadLocal.withInitial(() -> false);

        Refreshing() {
            super(PrometheusConfig.DEFAULT);
        }

        private <T> T fresh(IoSupplier<T> scrape) throws IOException {
            if (scraping.get()) {
                return scrape.get();
            }
            scraping.set(true);
            try {
                refresh();
                return scrape.get();
            } finally {
                scraping.set(false);
            }
        }

        private String freshText(IoSupplier<String> scrape) {
            try {
                return fresh(scrape);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public String scrape() {
            return freshText(super::scrape);
        }

        @Override
        public String scrape(String contentType) {
            return freshText(() -> super.scrape(contentType));
        }

        @Override
        public String scrape(String contentType, Set<String> includedNames) {
            return freshText(() -> super.scrape(contentType, includedNames));
        }

        @Override
        public void scrape(OutputStream out) throws IOException {
            fresh(() -> {
                super.scrape(out);
                return null;
            });
        }

        @Override
        public void scrape(OutputStream out, String contentType) throws IOException {
            fresh(() -> {
                super.scrape(out, contentType);
                return null;
            });
        }

        @Override
        public void scrape(OutputStream out, String contentType, Set<String> includedNames) throws IOException {
            fresh(() -> {
                super.scrape(out, contentType, includedNames);
                return null;
            });
        }
    }

    @FunctionalInterface
    private interface IoSupplier<T> {
        T get() throws IOException;
    }
}
