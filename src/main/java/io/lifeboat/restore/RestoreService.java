package io.lifeboat.restore;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.crypto.Encryption;
import io.lifeboat.crypto.Encryptions;
import io.lifeboat.domain.Alert;
import io.lifeboat.domain.BackupId;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Validation;
import io.lifeboat.domain.Verification;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.ArtifactReader;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.pipeline.TargetLocks;
import io.lifeboat.pipeline.TargetStates;
import io.lifeboat.pipeline.Verifier;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.StoredBackups;
import io.lifeboat.store.StoredBackups.Found;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores backups the way every entry point needs it (command line, later drills, auto-restore, HTTP):
 * only a verified backup, always into a new place first, the stored object's SHA-256 checked in the
 * same pass, the target's validation checks run on the restored copy, and only then — when asked —
 * the copy promoted over the live data. A kind whose restore writes into something live (the command
 * kind) has the whole object verified before it starts instead.
 *
 * <p>Every restore is a run ({@code restore}) in the catalog, announced as events ({@code
 * restore.started}, {@code restore.finished}, {@code restore.failed}), and leaves an {@link
 * IncidentReport}: as the run's detail and as Markdown in the store beside the backup
 * ({@link StorageLayout#reportKey}). A failure raises an alert. A dry run ({@link #plan}) records
 * nothing and changes nothing.
 *
 * <p>A recovery set restores as a loop over its members: {@link #restore(Manifest, Options, Progress)}.
 */
public final class RestoreService {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreService.class);

    /** What a restore may be asked: where to ({@code into}, null for a generated name), whether to swap it in, one table. */
    public record Options(String into, boolean replace, String table, Trigger trigger) {
        public Options {
            trigger = trigger == null ? Trigger.manual("restore") : trigger;
            if (into != null && into.isBlank()) {
                throw new IllegalArgumentException("--into must not be blank");
            }
            if (table != null && table.isBlank()) {
                throw new IllegalArgumentException("--table must not be blank");
            }
        }

        public static Options defaults() {
            return new Options(null, false, null, null);
        }
    }

    /**
     * A restore worked out and checked but not started: which backup, the request the restorer gets,
     * and the steps it will take (for {@code --dry-run} and for the confirmation of {@code --replace}).
     */
    public record Plan(Found backup, TargetConfig target, Options options, RestoreRequest request, List<String> steps) {
        public Plan {
            requireNonNull(backup, "backup");
            requireNonNull(target, "target");
            requireNonNull(options, "options");
            requireNonNull(request, "request");
            steps = List.copyOf(steps);
        }

        public Manifest manifest() {
            return backup.manifest();
        }
    }

    /**
     * How a restore ended. {@code location} is where the data is now (the new database; the live one
     * after a replace), or null; {@code kept} names what was left behind on purpose (the previous live
     * data, or a restored copy that failed validation), or null.
     */
    public record Outcome(
            boolean ok,
            IncidentReport report,
            String reportKey,
            String location,
            String kept,
            String error,
            String stderr) {}

    /** What a rollback did. */
    public record RollbackOutcome(boolean ok, String done, String error) {}

    private final LifeboatConfig config;
    private final BackupStore store;
    private final Supplier<Catalog> catalogs;
    private final Events events;
    private final Clock clock;
    private final Function<TargetConfig, Restorer> restorers;
    private final StoredBackups stored;
    private final TargetLocks locks;
    private Catalog catalog;
    private TargetStates states;

    public RestoreService(LifeboatConfig config, BackupStore store, Catalog catalog, Events events, Clock clock) {
        this(config, store, catalog, events, clock, target -> Restorers.forTarget(target, config.dataDir()));
    }

    /**
     * With the catalog opened only when a restore is recorded, so a command can open it while the store
     * is read and the restore planned (a dry run never needs it).
     */
    public RestoreService(
            LifeboatConfig config, BackupStore store, Supplier<Catalog> catalog, Events events, Clock clock) {
        this(config, store, catalog, events, clock, target -> Restorers.forTarget(target, config.dataDir()));
    }

    /** With the restorer for each target chosen by {@code restorers} (tests, kinds built elsewhere). */
    public RestoreService(
            LifeboatConfig config,
            BackupStore store,
            Catalog catalog,
            Events events,
            Clock clock,
            Function<TargetConfig, Restorer> restorers) {
        this(config, store, constant(requireNonNull(catalog, "catalog")), events, clock, restorers);
    }

    private RestoreService(
            LifeboatConfig config,
            BackupStore store,
            Supplier<Catalog> catalog,
            Events events,
            Clock clock,
            Function<TargetConfig, Restorer> restorers) {
        this.config = requireNonNull(config, "config");
        this.store = requireNonNull(store, "store");
        this.catalogs = requireNonNull(catalog, "catalog");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
        this.restorers = requireNonNull(restorers, "restorers");
        this.stored = new StoredBackups(store);
        this.locks = new TargetLocks(config.dataDir().resolve("locks"));
    }

    private static Supplier<Catalog> constant(Catalog catalog) {
        return () -> catalog;
    }

    private synchronized Catalog catalog() {
        if (catalog == null) {
            catalog = requireNonNull(catalogs.get(), "catalog");
            states = new TargetStates(config, catalog, clock);
        }
        return catalog;
    }

    private void publishState(String target) {
        catalog();
        events.state(target, states.state(target));
    }

    // ---- resolve and plan (record nothing)

    /**
     * The backup {@code ID} or {@code latest:TARGET} names. For a restore only a verified backup will
     * do: {@code latest:} is the newest verified one; an id that is not verified is refused, naming the
     * newest verified one instead.
     *
     * @throws IllegalArgumentException bad reference, unknown target or id, no verified backup
     */
    public Found resolve(String ref) {
        requireNonNull(ref, "ref");
        if (ref.startsWith("latest:")) {
            String target = ref.substring("latest:".length());
            configured(target);
            List<Found> all = stored.scan(target);
            if (all.isEmpty()) {
                throw new IllegalArgumentException("no backup of '" + target + "' in " + store.describe());
            }
            return all.stream().filter(Found::verified).findFirst().orElseThrow(() -> {
                Found newest = all.get(0);
                return new IllegalArgumentException("no verified backup of '" + target + "': the newest, "
                        + newest.manifest().id() + ", " + unverifiedReason(newest)
                        + ". A restore takes only a verified backup: verify it (./lifeboat verify "
                        + newest.manifest().id() + ") or take a new one (./lifeboat backup " + target + ")");
            });
        }
        if (!BackupId.isValid(ref)) {
            throw new IllegalArgumentException(
                    "'" + printable(ref) + "' is neither a backup id (like 20261123T173600Z-3fa9c1) nor latest:TARGET");
        }
        Found found = find(new BackupId(ref))
                .orElseThrow(
                        () -> new IllegalArgumentException("no backup with id " + ref + " in " + store.describe()));
        requireVerified(found);
        return found;
    }

    /** Works out a restore of {@code ref} and checks it; changes and records nothing. */
    public Plan plan(String ref, Options options) throws IOException {
        return plan(resolve(ref), options);
    }

    /**
     * Works out a restore of a backup found in storage and checks it against the restorer (names, what
     * exists on the server) and, where the restorer asks, against the start of the backup (a
     * {@code --table} that is not in the dump); changes and records nothing.
     *
     * @throws IllegalArgumentException the request does not fit (usage)
     * @throws IOException the store could not be read
     */
    public Plan plan(Found backup, Options options) throws IOException {
        requireNonNull(backup, "backup");
        requireNonNull(options, "options");
        requireVerified(backup);
        Manifest m = backup.manifest();
        TargetConfig target = config.target(m.target())
                .orElseThrow(() -> new IllegalArgumentException("backup " + m.id() + " belongs to target '"
                        + m.target() + "', which " + "the config does not have: add the target (where to restore"
                        + " it) to lifeboat.yaml first"));
        if (!target.kind().configName().equals(m.kind())) {
            throw new IllegalArgumentException("backup " + m.id() + " is a " + m.kind() + " backup, but target '"
                    + target.name() + "' is now kind " + target.kind().configName());
        }
        Restorer restorer = restorer(target);
        Map<String, String> opts = new HashMap<>();
        opts.put(RestoreRequest.STAMP, RestoreRequest.stamp(clock.instant()));
        if (options.table() != null) {
            opts.put(RestoreRequest.TABLE, options.table());
        }
        if (options.replace()) {
            opts.put(RestoreRequest.REPLACE, "true");
        }
        RestoreRequest request = new RestoreRequest(target, m, options.into(), false, opts);
        List<String> steps = restorer.plan(request); // checks names and the server before the store is read
        restorer.preflight(request, () -> openReader(m, new Progress()).raw());
        if (options.table() != null) {
            steps = restorer.plan(request); // now with the table as the dump names it
        }
        return new Plan(backup, target, options, request, steps);
    }

    // ---- restore (records a run, events, report; alerts on failure)

    /** Restores {@code ref}: {@link #plan} then {@link #restore(Plan, Progress)}. */
    public Outcome restore(String ref, Options options, Progress progress) throws IOException {
        return restore(plan(ref, options), progress);
    }

    /** Restores one backup by its manifest (a member of a recovery set); it must be verified. */
    public Outcome restore(Manifest manifest, Options options, Progress progress) throws IOException {
        requireNonNull(manifest, "manifest");
        Found found = stored.scan(manifest.target()).stream()
                .filter(f -> f.manifest().id().equals(manifest.id()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "backup " + manifest.target() + "/" + manifest.id() + " is not in " + store.describe()));
        return restore(plan(found, options), progress);
    }

    /**
     * Carries out a plan. Failures do not throw: they end in a failed run, an event, an alert and a
     * report, and the outcome says what happened and what was left where.
     */
    public Outcome restore(Plan plan, Progress progress) {
        requireNonNull(plan, "plan");
        requireNonNull(progress, "progress");
        TargetConfig target = plan.target();
        Manifest m = plan.manifest();
        RestoreRequest request = plan.request();
        Restorer restorer = restorer(target);
        Instant start = clock.instant();
        Timeline timeline = new Timeline();
        long runId =
                catalog().runStarted(target.name(), "restore", plan.options().trigger(), start);
        Map<String, Object> startFields = new LinkedHashMap<>();
        startFields.put("backupId", m.id());
        startFields.put("replace", plan.options().replace());
        if (plan.options().into() != null) {
            startFields.put("into", plan.options().into());
        }
        if (plan.options().table() != null) {
            startFields.put("table", plan.options().table());
        }
        events.event("restore", "started", target.name(), start, startFields);
        timeline.add("restore of backup " + m.id() + " started (from " + store.describe() + ")");

        Restored restored = null;
        List<ValidationResult> validations = List.of();
        Duration rto = null;
        String location = null, kept = null, destination = null;
        Failure failure = null;
        try {
            if (restorer.writesInPlace(request)) {
                timeline.add("this restore writes into live data: verifying the whole stored object first");
                Verification v = new Verifier(store, clock).verify(m, progress);
                if (!v.ok()) {
                    throw new Failure(
                            Failure.INTEGRITY,
                            "the stored object does not match its manifest: " + v.detail()
                                    + "; nothing was restored, nothing live was touched",
                            "");
                }
                timeline.add("stored object verified: SHA-256 and size match (" + v.bytes() + " bytes)");
            }
            ArtifactReader reader = openReader(m, progress);
            try {
                ReadAhead raw = new ReadAhead(reader.raw(), "restore-read-" + target.name());
                try {
                    restored = restorer.restore(raw, request);
                } catch (RestoreFailedException e) {
                    raw.close();
                    // a damaged object often shows as a tool error first: read the rest and compare the hash
                    integrityAfterFailure(reader, e);
                    throw new Failure(Failure.TOOL, e.getMessage(), e.stderr());
                } finally {
                    raw.close(); // the read-ahead thread lets go of the stream before the hash is finished here
                }
                destination = restored.description();
                timeline.add("restored: " + restored.description());
                try {
                    reader.finish();
                } catch (ArtifactReader.IntegrityException e) {
                    String gone = discard(restorer, restored, timeline);
                    restored = null;
                    throw new Failure(Failure.INTEGRITY, e.getMessage() + "; " + gone, "");
                } catch (IOException e) {
                    String gone = discard(restorer, restored, timeline);
                    restored = null;
                    throw new Failure(
                            Failure.TOOL,
                            "could not read the rest of the stored object to check its SHA-256: " + message(e) + "; "
                                    + gone,
                            "");
                }
                timeline.add("stored object read whole: SHA-256 and size match the manifest (" + m.storedBytes()
                        + " bytes)");
            } finally {
                closeQuietly(reader);
            }

            List<Validation> checks =
                    target.drill() == null ? List.of() : target.drill().validate();
            if (plan.options().table() != null) {
                timeline.add("validation skipped: the drill.validate checks are for the whole database");
            } else {
                validations = restorer.validate(restored, checks);
                long passed = validations.stream().filter(ValidationResult::ok).count();
                timeline.add(
                        checks.isEmpty()
                                ? "validation: no checks configured (drill.validate)"
                                : "validation: " + passed + " of " + validations.size() + " checks passed");
                if (passed < validations.size()) {
                    kept = restored.location();
                    throw new Failure(
                            Failure.VALIDATION,
                            (validations.size() - passed) + " of " + validations.size()
                                    + " validation checks failed on " + restored.location() + ": "
                                    + failedChecks(validations) + "; the restored copy is kept for inspection as "
                                    + restored.location()
                                    + (plan.options().replace() ? "; the live data was not touched" : ""),
                            "");
                }
            }
            location = restored.location();
            if (plan.options().replace()) {
                Restored live;
                try (TargetLocks.Held held = locks.acquire(target.name())) { // no backup of the target mid-swap
                    live = restorer.promote(restored, request);
                } catch (RestoreFailedException e) {
                    kept = restored.location();
                    throw new Failure(Failure.TOOL, "replacing the live data failed: " + e.getMessage(), e.stderr());
                }
                timeline.add("replaced the live data: " + live.description());
                location = live.location();
                kept = live.description();
                destination = restored.location() + ", then swapped in as " + live.location();
            }
            rto = Duration.between(start, clock.instant());
        } catch (Failure f) {
            failure = f;
        } catch (IOException | RuntimeException e) {
            // the restored copy (if any) passed its SHA-256 check: it is kept, and named, for the operator
            if (restored != null && kept == null) {
                kept = restored.location();
            }
            failure = new Failure(
                    Failure.TOOL,
                    message(e) + (restored == null ? "" : "; the restored copy is kept as " + restored.location()),
                    "");
        } finally {
            closeResource(restored);
        }
        if (failure != null) {
            timeline.add("FAILED: " + failure.getMessage());
        }

        Instant end = clock.instant();
        IncidentReport report = new IncidentReport(
                "restore",
                target.name(),
                m.kind(),
                m.id(),
                m.finishedAt(),
                m.storedBytes(),
                m.rawBytes(),
                destination,
                start,
                end,
                timeline.steps,
                validations,
                rto,
                target.drill() == null ? null : target.drill().rto(),
                failure == null,
                failure == null ? null : failure.getMessage());
        String reportKey = StorageLayout.reportKey(target.name(), m.backupId(), start, "restore");
        reportKey = writeReport(reportKey, report);
        Map<String, Object> detail = new LinkedHashMap<>(report.toDetail());
        detail.put("reportKey", reportKey);
        detail.put("location", location);
        detail.put("kept", kept);
        detail.put("replace", plan.options().replace());
        detail.put("table", plan.options().table());
        String detailJson = Json.text(detail);

        if (failure == null) {
            catalog().runFinished(runId, "succeeded", m.id(), null, null, detailJson, end);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("backupId", m.id());
            fields.put("location", location);
            fields.put("rtoSeconds", rto.toMillis() / 1000.0);
            fields.put("replace", plan.options().replace());
            if (kept != null) {
                fields.put("kept", kept);
            }
            events.event("restore", "finished", target.name(), end, fields);
        } else {
            catalog().runFinished(runId, "failed", m.id(), failure.getMessage(), failure.stderr, detailJson, end);
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("backupId", m.id());
            fields.put("step", failure.kind);
            fields.put("error", failure.getMessage());
            events.event("restore", "failed", target.name(), end, fields);
            events.alert(alert(failure, target.name(), m, end));
        }
        publishState(target.name());
        return new Outcome(
                failure == null,
                report,
                reportKey,
                location,
                kept,
                failure == null ? null : failure.getMessage(),
                failure == null ? null : failure.stderr);
    }

    // ---- rollback

    /** What {@code restore --rollback TARGET} would do; changes nothing. */
    public List<String> rollbackPlan(String targetName) {
        TargetConfig target = configured(targetName);
        return restorer(target).rollbackPlan(target, clock.instant());
    }

    /**
     * Undoes the last {@code --replace} of a target: the data it replaced becomes live again, what was
     * live is kept aside. Recorded as a {@code rollback} run with events; a failure alerts.
     *
     * @throws IllegalArgumentException unknown target, or nothing to roll back to
     */
    public RollbackOutcome rollback(String targetName, Trigger trigger) {
        TargetConfig target = configured(targetName);
        Restorer restorer = restorer(target);
        Instant start = clock.instant();
        restorer.rollbackPlan(target, start); // refuses before anything is recorded when there is nothing to do
        long runId = catalog()
                .runStarted(target.name(), "rollback", trigger == null ? Trigger.manual("rollback") : trigger, start);
        events.event("rollback", "started", target.name(), start, Map.of());
        String done;
        try (TargetLocks.Held held = locks.acquire(target.name())) {
            done = restorer.rollback(target, start);
        } catch (RestoreFailedException | IOException e) {
            Instant end = clock.instant();
            String error = message(e);
            catalog().runFinished(runId, "failed", null, error, null, Json.text(Map.of("error", error)), end);
            events.event("rollback", "failed", target.name(), end, Map.of("error", error));
            events.alert(Alert.firing(
                    "RollbackFailed",
                    "critical",
                    target.name(),
                    "Rollback of " + target.name() + " failed",
                    error,
                    end));
            publishState(target.name());
            return new RollbackOutcome(false, null, error);
        }
        Instant end = clock.instant();
        catalog().runFinished(runId, "succeeded", null, null, null, Json.text(Map.of("done", done)), end);
        events.event("rollback", "finished", target.name(), end, Map.of("done", done));
        publishState(target.name());
        return new RollbackOutcome(true, done, null);
    }

    // ---- pieces

    private TargetConfig configured(String targetName) {
        if (targetName == null || targetName.isBlank()) {
            throw new IllegalArgumentException("latest: needs a target name, e.g. latest:app-db");
        }
        return config.target(targetName)
                .orElseThrow(() -> new IllegalArgumentException("unknown target '" + printable(targetName)
                        + "' (configured: " + String.join(", ", config.targets().keySet()) + ")"));
    }

    private Restorer restorer(TargetConfig target) {
        try {
            return restorers.apply(target);
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private Optional<Found> find(BackupId id) {
        for (String target : config.targets().keySet()) {
            try {
                if (store.exists(StorageLayout.manifestKey(target, id))) {
                    return stored.scan(target).stream()
                            .filter(f -> f.manifest().id().equals(id.value()))
                            .findFirst();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + store.describe(), e);
            }
        }
        return stored.scan(null).stream()
                .filter(f -> f.manifest().id().equals(id.value()))
                .findFirst();
    }

    private void requireVerified(Found found) {
        if (found.verified()) {
            return;
        }
        Manifest m = found.manifest();
        String newest = stored.scan(m.target()).stream()
                .filter(Found::verified)
                .findFirst()
                .map(f -> "the newest verified backup of " + m.target() + " is "
                        + f.manifest().id() + " (latest:" + m.target() + ")")
                .orElse(m.target() + " has no verified backup");
        throw new IllegalArgumentException("backup " + m.id() + " of " + m.target() + " " + unverifiedReason(found)
                + ": a restore takes only a verified backup; " + newest + ". To use this one, verify it first:"
                + " ./lifeboat verify " + m.id());
    }

    private static String unverifiedReason(Found f) {
        return f.lastVerification()
                .map(v -> v.ok() ? "is verified" : "failed its last verification (" + v.at() + ": " + v.detail() + ")")
                .orElse("was never verified");
    }

    private ArtifactReader openReader(Manifest m, Progress progress) throws IOException {
        Encryption encryption = Encryptions.forReading(m, config.primary());
        return ArtifactReader.open(store, m, encryption, progress);
    }

    /** After a restorer failed: when the stored object turns out not to match, that is the failure to report. */
    private static void integrityAfterFailure(ArtifactReader reader, RestoreFailedException cause) throws Failure {
        try {
            reader.finish();
        } catch (ArtifactReader.IntegrityException e) {
            throw new Failure(
                    Failure.INTEGRITY,
                    e.getMessage() + "; the restore stopped (" + cause.getMessage() + ")",
                    cause.stderr());
        } catch (IOException e) {
            // the store failed too; the restorer's error is the one to report
        }
    }

    private static String discard(Restorer restorer, Restored restored, Timeline timeline) {
        try {
            restorer.discard(restored);
            timeline.add("discarded " + restored.description());
            return "the restored copy " + restored.location() + " was removed; nothing live was touched";
        } catch (RestoreFailedException | RuntimeException e) {
            timeline.add("could not discard " + restored.description() + ": " + e.getMessage());
            return "removing the restored copy failed: " + e.getMessage();
        }
    }

    private static void closeQuietly(ArtifactReader reader) {
        try {
            reader.close();
        } catch (IOException e) {
            LOG.debug("closing the stored object: {}", e.getMessage());
        }
    }

    private static void closeResource(Restored restored) {
        if (restored != null && restored.resource() != null) {
            try {
                restored.resource().close();
            } catch (Exception e) {
                LOG.warn("could not release {}: {}", restored.location(), e.getMessage());
            }
        }
    }

    /** Stores the Markdown report; returns its key, or null when it could not be stored (the run detail keeps it). */
    private String writeReport(String key, IncidentReport report) {
        try {
            store.putBytes(key, report.toMarkdown().getBytes(StandardCharsets.UTF_8));
            return key;
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not store the restore report {}: {}", key, e.getMessage());
            return null;
        }
    }

    private static Alert alert(Failure f, String target, Manifest m, Instant at) {
        return switch (f.kind) {
            case Failure.INTEGRITY ->
                Alert.firing(
                        "RestoreIntegrityFailed",
                        "critical",
                        target,
                        "Restore of " + target + " from backup " + m.id() + " stopped: the stored object does not"
                                + " match its SHA-256",
                        f.getMessage() + "\nThis backup cannot be trusted. Restore an older verified one: ./lifeboat"
                                + " list " + target,
                        at);
            case Failure.VALIDATION ->
                Alert.firing(
                        "RestoreValidationFailed",
                        "warning",
                        target,
                        "Restore of " + target + " from backup " + m.id() + " failed validation",
                        f.getMessage(),
                        at);
            default ->
                Alert.firing(
                        "RestoreFailed",
                        "warning",
                        target,
                        "Restore of " + target + " from backup " + m.id() + " failed",
                        f.getMessage() + (f.stderr.isBlank() ? "" : "\n" + tail(f.stderr, 2000)),
                        at);
        };
    }

    private static String failedChecks(List<ValidationResult> results) {
        List<String> failed = new ArrayList<>();
        for (ValidationResult r : results) {
            if (!r.ok()) {
                failed.add(r.check().describe() + " → " + r.detail());
            }
        }
        return String.join("; ", failed);
    }

    private static String message(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "…" + s.substring(s.length() - max);
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    /** Why a restore failed: the stored object ({@code integrity}), the tool, or the validation. */
    private static final class Failure extends Exception {
        static final String INTEGRITY = "integrity", TOOL = "restore", VALIDATION = "validation";
        final String kind;
        final String stderr;

        Failure(String kind, String message, String stderr) {
            super(message);
            this.kind = kind;
            this.stderr = stderr == null ? "" : stderr;
        }
    }

    private final class Timeline {
        final List<IncidentReport.Step> steps = new ArrayList<>();

        void add(String what) {
            steps.add(new IncidentReport.Step(clock.instant(), what));
        }
    }
}
