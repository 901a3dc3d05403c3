package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.Catalog.SafeModeChange;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.Alert;
import io.lifeboat.domain.BackupId;
import io.lifeboat.domain.RetentionPlanner;
import io.lifeboat.domain.RetentionPlanner.Backup;
import io.lifeboat.domain.RetentionPlanner.Decision;
import io.lifeboat.domain.RetentionPlanner.Plan;
import io.lifeboat.domain.RetentionPlanner.Status;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.events.Events;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.FilesystemStore;
import io.lifeboat.store.S3Store;
import io.lifeboat.store.StoredBackups;
import io.lifeboat.store.StoredBackups.Found;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies each target's retention policy to what storage holds: plans with {@link RetentionPlanner},
 * then deletes the backups the plan drops (the manifest first, so a half-deleted backup no longer
 * exists, then the rest of its folder), the leftovers of runs that never wrote a manifest, and the
 * unfinished uploads of killed runs, once they are older than the grace period. Never while Safe Mode
 * is on. A prune of a target holds that target's lock, so it never runs beside a backup of it on
 * this host. Each prune is recorded as a run ({@code prune}, with the decisions as JSON) and announced
 * as events.
 */
public final class Pruner {

    private static final Logger LOG = LoggerFactory.getLogger(Pruner.class);
    /** Past this many entries, a run's detail lists only the first ones (the catalog keeps 1 MiB of it). */
    static final int MAX_DETAIL_ENTRIES = 1000;

    private final LifeboatConfig config;
    private final BackupStore store;
    private final Catalog catalog;
    private final Events events;
    private final TargetLocks locks;
    private final Clock clock;

    public Pruner(
            LifeboatConfig config, BackupStore store, Catalog catalog, Events events, TargetLocks locks, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.store = requireNonNull(store, "store");
        this.catalog = requireNonNull(catalog, "catalog");
        this.events = requireNonNull(events, "events");
        this.locks = requireNonNull(locks, "locks");
        this.clock = requireNonNull(clock, "clock");
    }

    /** The Safe Mode change that turned it on, if it is on now. */
    public Optional<SafeModeChange> safeModeOn() {
        return catalog.safeMode().filter(SafeModeChange::on);
    }

    /** Why a prune is refused now, if it is: Safe Mode is on. */
    public Optional<String> refusal() {
        return safeModeOn()
                .map(c -> "Safe Mode is on (since " + c.at() + ", by " + c.actor() + ": " + c.reason()
                        + "): pruning is refused until Safe Mode is left");
    }

    /** What a prune of {@code target} would do now, changing nothing (allowed in Safe Mode). */
    public PruneReport plan(String target) {
        TargetConfig t = target(target);
        Instant now = clock.instant();
        try {
            return survey(t, now).report(true, List.of(), List.of());
        } catch (UncheckedIOException e) {
            return failedReport(t, true, message(e));
        }
    }

    /**
     * Prunes {@code target}: deletes what its plan drops and the old leftovers, records the run and
     * announces it. Errors (a delete that failed, storage unreachable) are in the report, recorded and
     * alerted; the other deletions still happen.
     *
     * @throws PruneRefusedException if Safe Mode is on; nothing was touched
     * @throws IllegalArgumentException if the target is not configured
     */
    public PruneReport prune(String target, Trigger trigger) throws PruneRefusedException {
        TargetConfig t = target(target);
        requireNonNull(trigger, "trigger");
        refuseInSafeMode();
        try (TargetLocks.Held held = locks.acquire(t.name())) {
            refuseInSafeMode(); // it may have come on while a backup held the lock
            return pruneLocked(t, trigger);
        } catch (IOException e) {
            return failedReport(t, false, "could not take the lock for " + t.name() + ": " + e.getMessage());
        }
    }

    /**
     * The daily prune (the {@code prune-schedule} route calls this): every target in turn. While Safe
     * Mode is on it prunes nothing and says so. Returns one line per target.
     */
    public String scheduled() {
        Optional<String> refused = refusal();
        if (refused.isPresent()) {
            LOG.warn("scheduled prune skipped: {}", refused.get());
            // a warning Safe Mode causes: storage grows until it is left; held while SafeModeEntered fires
            Instant now = clock.instant();
            events.alert(new Alert(
                    "PruneSkipped:lifeboat",
                    "warning",
                    "firing",
                    "Scheduled prune skipped: Safe Mode is on",
                    refused.get() + ". Old backups are kept, so storage grows until Safe Mode is left.",
                    Map.of(
                            "alertname",
                            "PruneSkipped",
                            "target",
                            "lifeboat",
                            "source",
                            "lifeboat",
                            "cause",
                            "safe_mode"),
                    now,
                    null));
            return "skipped: " + refused.get();
        }
        List<String> lines = new ArrayList<>();
        for (String target : config.targets().keySet()) {
            try {
                PruneReport r = prune(target, Trigger.schedule(config.prune().schedule()));
                lines.add(target + ": " + summary(r));
            } catch (PruneRefusedException e) {
                LOG.warn("scheduled prune stopped: {}", e.getMessage());
                lines.add(target + ": skipped: " + e.getMessage());
                return String.join("; ", lines);
            } catch (RuntimeException e) {
                LOG.error("prune of {} failed", target, e);
                lines.add(target + ": failed: " + e.getMessage());
            }
        }
        return String.join("; ", lines);
    }

    /** {@code 5 kept, 2 deleted, 1.2 GiB freed} in bytes. */
    public static String summary(PruneReport r) {
        return r.kept().size() + " kept, " + r.deleted().size() + " deleted, " + r.bytesFreed() + " bytes freed"
                + (r.ok() ? "" : ", " + r.errors().size() + " error(s): " + String.join("; ", r.errors()));
    }

    private PruneReport pruneLocked(TargetConfig t, Trigger trigger) {
        Instant start = clock.instant();
        long runId = catalog.runStarted(t.name(), "prune", trigger, start);
        String policy = RetentionPlanner.describe(t.retention());
        events.event("prune", "started", t.name(), start, Map.of("policy", policy, "trigger", trigger));
        PruneReport report;
        try {
            report = deleteAsPlanned(survey(t, start));
        } catch (RuntimeException e) {
            report = failedReport(t, false, message(e));
        }
        Instant end = clock.instant();
        String detail = detail(report);
        if (report.ok()) {
            catalog.runFinished(runId, "succeeded", null, null, null, detail, end);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("kept", report.kept().size());
            fields.put("deleted", report.deleted().size());
            fields.put("bytesFreed", report.bytesFreed());
            fields.put("abortedUploads", report.abortedUploads().size());
            events.event("prune", "finished", t.name(), end, fields);
            LOG.info("prune of {}: {}", t.name(), summary(report));
        } else {
            String error = String.join("; ", report.errors());
            catalog.runFinished(runId, "failed", null, error, null, detail, end);
            events.event("prune", "failed", t.name(), end, Map.of("error", error));
            events.alert(Alert.firing(
                    "PruneFailed",
                    "warning",
                    t.name(),
                    "Prune of " + t.name() + " failed",
                    error + "\nRetry: ./lifeboat prune " + t.name(),
                    end));
        }
        return report;
    }

    private PruneReport deleteAsPlanned(Survey s) {
        List<String> errors = new ArrayList<>();
        List<PruneReport.Row> rows = new ArrayList<>();
        for (PruneReport.Row row : s.rows()) {
            if (row.keep()) {
                rows.add(row);
                continue;
            }
            String prefix = s.target().name() + "/" + row.id() + "/";
            try {
                if (!row.leftover()) {
                    // the manifest first: from here on the backup does not exist, whatever else fails
                    store.delete(StorageLayout.manifestKey(s.target().name(), new BackupId(row.id())));
                }
                for (String key : store.list(prefix)) {
                    store.delete(key);
                }
                if (!row.leftover()) {
                    catalog.backupDeleted(s.target().name(), row.id());
                }
                rows.add(row);
            } catch (IOException | RuntimeException e) {
                String error = "could not delete " + prefix + ": " + message(e);
                errors.add(error);
                rows.add(new PruneReport.Row(
                        row.id(),
                        row.time(),
                        row.verified(),
                        true,
                        "DELETE FAILED: " + message(e),
                        row.storedBytes(),
                        row.leftover(),
                        row.objects()));
            }
        }
        List<String> aborted = new ArrayList<>();
        Instant cutOff = s.now().minus(config.prune().grace());
        try {
            if (store instanceof S3Store s3) {
                aborted.addAll(s3.abortIncompleteUploads(s.target().name() + "/", cutOff));
            } else if (store instanceof FilesystemStore fs) {
                aborted.addAll(fs.deletePartialWrites(s.target().name() + "/", cutOff));
            }
        } catch (IOException | RuntimeException e) {
            errors.add("could not remove unfinished uploads: " + message(e));
        }
        return new PruneReport(
                s.target().name(),
                RetentionPlanner.describe(s.target().retention()),
                config.prune().grace(),
                false,
                rows,
                aborted,
                s.warnings(),
                errors);
    }

    /** What storage holds for a target and what the policy makes of it. */
    private record Survey(
            TargetConfig target, Instant now, Duration grace, List<PruneReport.Row> rows, List<String> warnings) {
        PruneReport report(boolean dryRun, List<String> aborted, List<String> errors) {
            return new PruneReport(
                    target.name(),
                    RetentionPlanner.describe(target.retention()),
                    grace,
                    dryRun,
                    rows,
                    aborted,
                    warnings,
                    errors);
        }
    }

    private Survey survey(TargetConfig t, Instant now) {
        Duration grace = config.prune().grace();
        String targetPrefix = t.name() + "/";
        List<String> warnings = new ArrayList<>();
        List<String> keys;
        try {
            keys = store.list(targetPrefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + targetPrefix + " in " + store.describe(), e);
        }
        List<Found> found = new StoredBackups(store).scan(t.name(), warnings::add);

        Map<String, Found> byId = new HashMap<>();
        List<Backup> candidates = new ArrayList<>();
        for (Found f : found) {
            byId.put(f.manifest().id(), f);
            Instant activity = f.manifest().finishedAt();
            if (f.verification() != null && f.verification().at().isAfter(activity)) {
                activity = f.verification().at();
            }
            Status status =
                    f.verified() ? Status.VERIFIED : f.verification() == null ? Status.UNVERIFIED : Status.FAILED;
            candidates.add(new Backup(f.manifest().id(), f.manifest().startedAt(), status, activity));
        }
        Plan plan = RetentionPlanner.plan(t.retention(), candidates, now, grace);
        if (found.stream().anyMatch(Found::verified)
                && plan.kept().stream().noneMatch(d -> d.backup().verified())) {
            throw new IllegalStateException(
                    "the plan for " + t.name() + " keeps no verified backup: refusing to prune");
        }
        List<PruneReport.Row> rows = new ArrayList<>();
        for (Decision d : plan.decisions()) {
            Found f = byId.get(d.backup().id());
            String verified = f.verified() ? "yes" : f.verification() == null ? "no" : "FAILED";
            rows.add(new PruneReport.Row(
                    d.backup().id(),
                    d.backup().time(),
                    verified,
                    d.keep(),
                    d.reason(),
                    f.manifest().storedBytes(),
                    false,
                    0));
        }
        rows.addAll(leftovers(t, keys, byId.keySet(), now, grace, warnings));
        rows.sort(Comparator.comparing(PruneReport.Row::time)
                .thenComparing(PruneReport.Row::id)
                .reversed());
        return new Survey(t, now, grace, rows, warnings);
    }

    /**
     * Folders {@code <target>/<backup-id>/} with objects but no manifest: a run that died before its
     * manifest was written, or a prune that stopped half-way. Their age is the id's time (the run's start).
     * Folders whose manifest is there but unreadable are left alone (the scan warned about them).
     */
    private static List<PruneReport.Row> leftovers(
            TargetConfig t,
            List<String> keys,
            Set<String> backups,
            Instant now,
            Duration grace,
            List<String> warnings) {
        Map<String, List<String>> byFolder = new TreeMap<>();
        for (String key : keys) {
            String[] parts = key.split("/", 3);
            if (parts.length < 3 || !BackupId.isValid(parts[1])) {
                warnings.add("left alone " + key + ": not in Lifeboat's layout (" + t.name() + "/<backup-id>/...)");
                continue;
            }
            byFolder.computeIfAbsent(parts[1], k -> new ArrayList<>()).add(key);
        }
        String graceText = RetentionPlanner.format(grace);
        List<PruneReport.Row> rows = new ArrayList<>();
        for (Map.Entry<String, List<String>> folder : byFolder.entrySet()) {
            String id = folder.getKey();
            boolean hasManifest = folder.getValue().contains(t.name() + "/" + id + "/" + StorageLayout.MANIFEST);
            if (backups.contains(id) || hasManifest) {
                continue;
            }
            Instant started = new BackupId(id).timestamp();
            boolean old = !started.plus(grace).isAfter(now);
            rows.add(new PruneReport.Row(
                    id,
                    started,
                    "-",
                    !old,
                    old
                            ? "leftover without a manifest (a run that never finished), older than " + graceText
                            : "no manifest yet, within grace (a run may still be writing it)",
                    0,
                    true,
                    folder.getValue().size()));
        }
        return rows;
    }

    private void refuseInSafeMode() throws PruneRefusedException {
        Optional<String> refused = refusal();
        if (refused.isPresent()) {
            throw new PruneRefusedException(refused.get());
        }
    }

    private TargetConfig target(String name) {
        requireNonNull(name, "target");
        return config.target(name)
                .orElseThrow(() -> new IllegalArgumentException("unknown target '" + name + "' (configured: "
                        + String.join(", ", config.targets().keySet()) + ")"));
    }

    private PruneReport failedReport(TargetConfig t, boolean dryRun, String error) {
        return new PruneReport(
                t.name(),
                RetentionPlanner.describe(t.retention()),
                config.prune().grace(),
                dryRun,
                List.of(),
                List.of(),
                List.of(),
                List.of(error));
    }

    /** The run's detail: the policy, and every decision (the first {@link #MAX_DETAIL_ENTRIES} of each kind). */
    static String detail(PruneReport r) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("policy", r.policy());
        detail.put("grace", RetentionPlanner.format(r.grace()));
        detail.put("keptCount", r.kept().size());
        detail.put("deletedCount", r.deleted().size());
        detail.put("bytesFreed", r.bytesFreed());
        detail.put("kept", entries(r.kept()));
        detail.put("deleted", entries(r.deleted()));
        detail.put(
                "abortedUploads",
                r.abortedUploads().stream().limit(MAX_DETAIL_ENTRIES).toList());
        detail.put("warnings", r.warnings().stream().limit(MAX_DETAIL_ENTRIES).toList());
        detail.put("errors", r.errors().stream().limit(MAX_DETAIL_ENTRIES).toList());
        return Json.text(detail);
    }

    private static List<Map<String, Object>> entries(List<PruneReport.Row> rows) {
        return rows.stream()
                .limit(MAX_DETAIL_ENTRIES)
                .map(row -> {
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("id", row.id());
                    e.put("reason", row.reason());
                    if (row.storedBytes() > 0) {
                        e.put("bytes", row.storedBytes());
                    }
                    return e;
                })
                .collect(Collectors.toList());
    }

    private static String message(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        if (e instanceof UncheckedIOException && e.getMessage() != null && !m.contains(e.getMessage())) {
            return e.getMessage() + ": " + m;
        }
        return m;
    }
}
