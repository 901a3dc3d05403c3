package io.lifeboat.restore;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.catalog.BackupRow;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.config.DrillConfig;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.crypto.Encryptions;
import io.lifeboat.domain.Alert;
import io.lifeboat.domain.Durations;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Validation;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.ArtifactReader;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.pipeline.TargetStates;
import io.lifeboat.store.BackupStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A restore drill: the latest verified backup of a target is restored into a scratch place (a scratch
 * database, redis-server, folder or file), its stored bytes are checked against the manifest in the
 * same pass, the target's {@code drill.validate} checks run against the copy, and the copy is dropped
 * again, whatever happened. The time from the drill's start to validated is the recovery time actually
 * achieved (RTO). Every drill is recorded as a run ({@code drill}, its {@link IncidentReport} as the
 * detail), its Markdown report is stored beside the backup, and it is announced as events; a failed
 * drill raises {@code RestoreDrillFailed} (critical), one slower than {@code drill.rto} raises {@code
 * RestoreDrillSlow} (warning). A drill changes nothing live, so it runs in Safe Mode too.
 */
public final class DrillService {

    private static final Logger LOG = LoggerFactory.getLogger(DrillService.class);
    public static final String OPERATION = "drill";

    private final LifeboatConfig config;
    private final BackupStore store;
    private final Catalog catalog;
    private final Events events;
    private final Clock clock;
    private final TargetStates states;
    private final BiFunction<TargetConfig, Path, Restorer> restorers;

    public DrillService(LifeboatConfig config, BackupStore store, Catalog catalog, Events events, Clock clock) {
        this(config, store, catalog, events, clock, Restorers::forTarget);
    }

    DrillService(
            LifeboatConfig config,
            BackupStore store,
            Catalog catalog,
            Events events,
            Clock clock,
            BiFunction<TargetConfig, Path, Restorer> restorers) {
        this.config = requireNonNull(config, "config");
        this.store = requireNonNull(store, "store");
        this.catalog = requireNonNull(catalog, "catalog");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
        this.restorers = requireNonNull(restorers, "restorers");
        this.states = new TargetStates(config, catalog, clock);
    }

    /** How a drill went: the report, and where its Markdown was stored (null when it could not be). */
    public record Outcome(IncidentReport report, String reportKey) {
        public Outcome {
            requireNonNull(report, "report");
        }

        public boolean ok() {
            return report.ok();
        }

        public boolean slow() {
            return report.ok() && report.slowerThanObjective();
        }

        /** {@code OK}, {@code SLOW} or {@code FAILED}. */
        public String verdict() {
            return !report.ok() ? "FAILED" : report.slowerThanObjective() ? "SLOW" : "OK";
        }
    }

    /**
     * Runs one drill of {@code targetName}. Never throws for a failed drill: the outcome says what
     * happened, and it is recorded, reported and alerted.
     *
     * @throws IllegalArgumentException when there is no such target
     */
    public Outcome drill(String targetName, Trigger trigger, Progress progress) {
        TargetConfig target = config.target(targetName)
                .orElseThrow(() -> new IllegalArgumentException("unknown target '" + targetName + "' (configured: "
                        + String.join(", ", config.targets().keySet()) + ")"));
        requireNonNull(trigger, "trigger");
        requireNonNull(progress, "progress");
        Optional<RunRow> previous = catalog.lastRun(targetName, OPERATION);
        Instant start = clock.instant();
        long runId = catalog.runStarted(targetName, OPERATION, trigger, start);
        events.event(OPERATION, "started", targetName, start, Map.of("trigger", trigger));
        Attempt a = new Attempt(target, start);
        a.step(
                start,
                "drill started (" + trigger.type() + (trigger.detail().isBlank() ? "" : ": " + trigger.detail()) + ")");
        try {
            run(a, progress);
        } catch (RuntimeException e) {
            LOG.warn("drill of {} failed unexpectedly", targetName, e);
            a.fail("unexpected error: " + e, null);
        }
        IncidentReport report = a.report(clock.instant());
        String reportKey = storeReport(report, a.manifest);
        record(runId, report, a.stderr);
        announce(report, previous, reportKey);
        events.state(targetName, states.state(targetName));
        return new Outcome(report, reportKey);
    }

    private void run(Attempt a, Progress progress) {
        TargetConfig target = a.target;
        Optional<BackupRow> latest = catalog.latestVerified(target.name());
        if (latest.isEmpty()) {
            a.fail(
                    "no verified backup of " + target.name() + " to drill: take one with ./lifeboat backup "
                            + target.name(),
                    null);
            return;
        }
        Manifest m = latest.get().manifest();
        a.manifest = m;
        a.step(
                clock.instant(),
                "latest verified backup " + m.id() + " (taken " + m.startedAt() + ", " + m.storedBytes()
                        + " bytes stored)");
        Restorer restorer;
        try {
            restorer = restorers.apply(target, config.dataDir());
        } catch (UnsupportedOperationException e) {
            a.fail(e.getMessage(), null);
            return;
        }
        RestoreRequest request = new RestoreRequest(target, m, null, true, Map.of());
        Restored restored = null;
        try {
            try (ArtifactReader reader =
                    ArtifactReader.open(store, m, Encryptions.forReading(m, config.primary()), progress)) {
                a.step(clock.instant(), "reading " + m.artifactKey() + " from " + store.describe());
                try {
                    restored = restorer.restore(reader.raw(), request);
                } catch (RestoreFailedException e) {
                    integrityFirst(reader, a); // a mangled object usually breaks the restore before the hash says so
                    if (a.error == null) {
                        a.fail("restore failed: " + e.getMessage(), e.stderr());
                    }
                    return;
                }
                a.destination = restored.location();
                a.step(clock.instant(), "restored into " + restored.location() + ": " + restored.description());
                integrityFirst(reader, a);
                if (a.error != null) {
                    return;
                }
                a.step(clock.instant(), "stored object matches the manifest (SHA-256 " + m.sha256() + ")");
            } catch (IOException e) {
                a.fail("could not read backup " + m.id() + ": " + e.getMessage(), null);
                return;
            }
            List<Validation> checks =
                    target.drill() == null ? List.of() : target.drill().validate();
            List<ValidationResult> results = restorer.validate(restored, checks);
            a.validations = results;
            Instant validatedAt = clock.instant();
            long passed = results.stream().filter(ValidationResult::ok).count();
            if (passed == results.size()) {
                a.rto = Duration.between(a.start, validatedAt);
                a.step(
                        validatedAt,
                        "validated: " + describeCount(results.size()) + " passed; RTO " + Durations.format(a.rto) + " ("
                                + a.rto.toMillis() + " ms)");
            } else {
                String failed = results.stream()
                        .filter(r -> !r.ok())
                        .map(r -> r.check().describe() + " (" + r.detail() + ")")
                        .collect(Collectors.joining("; "));
                a.step(
                        validatedAt,
                        "validation failed: " + (results.size() - passed) + " of " + results.size() + " checks");
                a.fail("validation failed: " + failed, null);
            }
        } finally {
            if (restored != null) {
                discard(restorer, restored, a);
            }
        }
    }

    /** Finishes the integrity check; a mismatch fails the attempt with a clear integrity error. */
    private void integrityFirst(ArtifactReader reader, Attempt a) {
        try {
            reader.finish();
        } catch (ArtifactReader.IntegrityException e) {
            a.fail(
                    "integrity check failed: " + e.getMessage() + " (the stored backup is damaged; verify it with"
                            + " ./lifeboat verify " + a.manifest.id() + ")",
                    null);
        } catch (IOException e) {
            a.fail("could not read backup " + a.manifest.id() + " to its end: " + e.getMessage(), null);
        }
    }

    private void discard(Restorer restorer, Restored restored, Attempt a) {
        try {
            restorer.discard(restored);
            if (restored.resource() != null) {
                restored.resource().close();
            }
            a.step(clock.instant(), "scratch copy " + restored.location() + " removed");
        } catch (Exception e) {
            a.step(clock.instant(), "could not remove the scratch copy " + restored.location() + ": " + e.getMessage());
            a.cleanupError = "the scratch copy " + restored.location() + " could not be removed: " + e.getMessage();
            LOG.warn("drill of {}: {}", a.target.name(), a.cleanupError);
        }
    }

    private String storeReport(IncidentReport report, Manifest m) {
        if (m == null) {
            return null; // no backup to file it under; the run's detail keeps it
        }
        String key = StorageLayout.reportKey(m.target(), m.backupId(), report.startedAt(), OPERATION);
        try {
            store.putBytes(key, report.toMarkdown().getBytes(StandardCharsets.UTF_8));
            return key;
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not store the drill report {}: {}", key, e.toString());
            return null;
        }
    }

    private void record(long runId, IncidentReport report, String stderr) {
        catalog.runFinished(
                runId,
                report.ok() ? RunRow.SUCCEEDED : RunRow.FAILED,
                report.backupId(),
                report.ok() ? null : report.error(),
                stderr,
                Json.text(report.toDetail()),
                report.finishedAt());
    }

    private void announce(IncidentReport report, Optional<RunRow> previous, String reportKey) {
        String target = report.target();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("backupId", report.backupId());
        fields.put("ok", report.ok());
        fields.put("rtoSeconds", report.rto() == null ? null : report.rto().toMillis() / 1000.0);
        fields.put(
                "rtoObjectiveSeconds",
                report.rtoObjective() == null ? null : report.rtoObjective().toSeconds());
        fields.put("slow", report.slowerThanObjective());
        fields.put("report", reportKey);
        if (report.error() != null) {
            fields.put("error", report.error());
        }
        fields.values().removeIf(v -> v == null);
        events.event(OPERATION, report.ok() ? "finished" : "failed", target, report.finishedAt(), fields);
        String command = "./lifeboat drill " + target;
        if (!report.ok()) {
            events.alert(Alert.firing(
                    "RestoreDrillFailed",
                    "critical",
                    target,
                    "Restore drill of " + target + " failed",
                    report.error() + "\nBackup: " + (report.backupId() == null ? "none" : report.backupId())
                            + (reportKey == null ? "" : "\nReport: " + reportKey) + "\nAgain: " + command,
                    report.finishedAt()));
            return;
        }
        if (report.slowerThanObjective()) {
            events.alert(Alert.firing(
                    "RestoreDrillSlow",
                    "warning",
                    target,
                    "Restore drill of " + target + " took " + formatRto(report.rto()) + ", over its RTO of "
                            + Durations.format(report.rtoObjective()),
                    "The restore of backup " + report.backupId() + " passed its checks but took "
                            + report.rto().toMillis() + " ms; the objective (drill.rto) is "
                            + Durations.format(report.rtoObjective())
                            + (reportKey == null ? "" : "\nReport: " + reportKey),
                    report.finishedAt()));
        }
        if (previous.isPresent() && RunRow.FAILED.equals(previous.get().result())) {
            events.alert(new Alert(
                    "RestoreDrillFailed:" + target,
                    "critical",
                    "resolved",
                    "Restore drill of " + target + " passes again",
                    "Backup " + report.backupId() + " restored and validated",
                    Map.of("alertname", "RestoreDrillFailed", "target", target, "source", "lifeboat"),
                    previous.get().startedAt(),
                    report.finishedAt()));
        }
    }

    /** An RTO for people: {@code 1.2s} under a minute, else {@code 5m12s}. */
    public static String formatRto(Duration rto) {
        if (rto == null) {
            return "-";
        }
        return rto.compareTo(Duration.ofMinutes(1)) < 0
                ? String.format(java.util.Locale.ROOT, "%.1fs", rto.toMillis() / 1000.0)
                : Durations.format(rto);
    }

    private static String describeCount(int n) {
        return n == 0
                ? "no checks configured (drill.validate), restore and integrity"
                : n == 1 ? "1 check" : "all " + n + " checks";
    }

    /** What one drill found so far. */
    private final class Attempt {
        final TargetConfig target;
        final Instant start;
        final List<IncidentReport.Step> timeline = new ArrayList<>();
        Manifest manifest;
        String destination;
        List<ValidationResult> validations = List.of();
        Duration rto;
        String error;
        String stderr;
        String cleanupError;

        Attempt(TargetConfig target, Instant start) {
            this.target = target;
            this.start = start;
        }

        void step(Instant at, String what) {
            timeline.add(new IncidentReport.Step(at, what));
        }

        void fail(String why, String toolStderr) {
            if (error == null) {
                error = why;
                stderr = toolStderr == null || toolStderr.isBlank() ? null : toolStderr;
                step(clock.instant(), "FAILED: " + why);
            }
        }

        IncidentReport report(Instant finishedAt) {
            DrillConfig drill = target.drill();
            boolean ok = error == null;
            String shownError = error != null ? error : cleanupError;
            return new IncidentReport(
                    OPERATION,
                    target.name(),
                    target.kind().configName(),
                    manifest == null ? null : manifest.id(),
                    manifest == null ? null : manifest.startedAt(),
                    manifest == null ? 0 : manifest.storedBytes(),
                    manifest == null ? 0 : manifest.rawBytes(),
                    destination,
                    start,
                    finishedAt,
                    timeline,
                    validations,
                    ok ? rto : null,
                    drill == null ? null : drill.rto(),
                    ok,
                    shownError);
        }
    }
}
