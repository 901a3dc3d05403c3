package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.crypto.Encryption;
import io.lifeboat.crypto.Encryptions;
import io.lifeboat.domain.Alert;
import io.lifeboat.domain.BackupId;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Verification;
import io.lifeboat.events.Events;
import io.lifeboat.source.BackupSource;
import io.lifeboat.source.Sources;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.StoredBackups;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs backups and verifications the way every entry point needs them (schedule, command line,
 * later MQTT and HTTP): one at a time per target, recorded in the catalog, announced as events,
 * alerting on failure. A backup counts only once its stored bytes were read back and matched.
 */
public final class BackupService {

    private final LifeboatConfig config;
    private final BackupStore store;
    private final Catalog catalog;
    private final Events events;
    private final Clock clock;
    private final TargetLocks locks;
    private final BackupPipeline pipeline;
    private final Verifier verifier;
    private final StoredBackups stored;
    private final TargetStates states;
    private final Encryption encryption;
    private volatile OffsiteCopier offsite;

    private static final Logger LOG = LoggerFactory.getLogger(BackupService.class);

    /** The threads taking a backup now, so a shutdown can stop them ({@link #abortRunning}). */
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();

    private volatile String abortReason;

    /**
     * Encrypts as {@code config.primary()} says (reading its recipient keys now). Entry points that
     * want the key files read, and their errors reported, before anything else call the other
     * constructor with {@link Encryptions#forStore}.
     */
    public BackupService(
            LifeboatConfig config,
            BackupStore store,
            Catalog catalog,
            Events events,
            Clock clock,
            Compression compression) {
        this(config, store, catalog, events, clock, compression, primaryEncryption(config));
    }

    /** {@code encryption} is what new backups are written with: {@link Encryptions#forStore} of the primary store. */
    public BackupService(
            LifeboatConfig config,
            BackupStore store,
            Catalog catalog,
            Events events,
            Clock clock,
            Compression compression,
            Encryption encryption) {
        this.config = requireNonNull(config, "config");
        this.encryption = requireNonNull(encryption, "encryption");
        this.store = requireNonNull(store, "store");
        this.catalog = requireNonNull(catalog, "catalog");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
        this.locks = new TargetLocks(config.dataDir().resolve("locks"));
        this.pipeline = new BackupPipeline(store, compression.level(), compression.workers(), encryption);
        this.verifier = new Verifier(store, clock);
        this.stored = new StoredBackups(store);
        this.states = new TargetStates(config, catalog, clock);
    }

    private static Encryption primaryEncryption(LifeboatConfig config) {
        try {
            return Encryptions.forStore(config.primary());
        } catch (IOException e) {
            throw new IllegalArgumentException("storage.primary.encryption: " + e.getMessage(), e);
        }
    }

    /** zstd settings: level 3 compresses like {@code zstd -3}; workers are zstd's own threads ({@code -T}). */
    public record Compression(int level, int workers) {
        public static Compression defaults() {
            int workers = Integer.getInteger(
                    "lifeboat.zstd.workers", Math.max(1, Runtime.getRuntime().availableProcessors()));
            return new Compression(Integer.getInteger("lifeboat.zstd.level", 3), workers);
        }
    }

    public StoredBackups stored() {
        return stored;
    }

    public TargetStates states() {
        return states;
    }

    /**
     * Copies every backup verified from now on to {@code offsiteStore} ({@code storage.offsite}) and
     * verifies it there; a failed copy is recorded and alerted but does not fail the backup.
     */
    public BackupService withOffsite(BackupStore offsiteStore) {
        this.offsite = new OffsiteCopier(config, store, offsiteStore, catalog, events, clock);
        return this;
    }

    /** The off-site copier, when an off-site store is wired ({@link #withOffsite}). */
    public Optional<OffsiteCopier> offsite() {
        return Optional.ofNullable(offsite);
    }

    /** Where this service's events and alerts go; a prune from the same entry point says its own there. */
    public Events events() {
        return events;
    }

    /** The per-target locks this service's backups hold; a prune of a target takes the same one. */
    public TargetLocks locks() {
        return locks;
    }

    /** Takes, stores and verifies one backup of {@code targetName}; returns its manifest only if verified. */
    public Manifest backup(String targetName, Trigger trigger, Progress progress) throws BackupFailedException {
        TargetConfig target = config.target(targetName)
                .orElseThrow(() -> new IllegalArgumentException("unknown target '" + targetName + "' (configured: "
                        + String.join(", ", config.targets().keySet()) + ")"));
        Thread me = Thread.currentThread();
        running.add(me);
        try (TargetLocks.Held held = locks.acquire(targetName)) {
            return backupLocked(target, trigger, progress);
        } catch (IOException e) {
            throw new BackupFailedException("could not take the lock for " + targetName + ": " + e.getMessage(), "", e);
        } finally {
            running.remove(me);
        }
    }

    /**
     * From now on a backup that fails is one the shutdown cut short: recorded as "aborted: {@code
     * reason}", without an alert, its job left queued (Camel interrupts running work when its
     * shutdown timeout ends, before {@link #abortRunning} is called).
     */
    public void stopping(String reason) {
        abortReason = requireNonNull(reason, "reason");
    }

    /**
     * Stops the backups running now, because the process is ending (SIGTERM, and they did not finish
     * within {@code camel.main.shutdown-timeout}): the tools they started are killed and their threads
     * interrupted, so each fails the ordinary way, its partial object removed and its run recorded as
     * failed with "aborted: {@code reason}". No BackupFailed alert is raised for them; the job stays on
     * the queue and runs again after restart. Waits up to {@code wait} for them to finish failing.
     */
    public void abortRunning(String reason, Duration wait) throws InterruptedException {
        abortReason = requireNonNull(reason, "reason");
        Set<Thread> threads = Set.copyOf(running);
        if (threads.isEmpty()) {
            return;
        }
        LOG.warn("{} running backup(s) aborted: {}; their jobs run again after restart", threads.size(), reason);
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        threads.forEach(Thread::interrupt);
        long end = System.nanoTime() + wait.toNanos();
        while (!running.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    private Manifest backupLocked(TargetConfig target, Trigger trigger, Progress progress)
            throws BackupFailedException {
        Instant start = clock.instant();
        BackupId id = BackupId.at(start);
        String key = StorageLayout.artifactKey(target.name(), id, target.artifactExtension(), encryption.suffix());
        long runId = catalog.runStarted(target.name(), "backup", trigger, start);
        events.event("backup", "started", target.name(), start, Map.of("backupId", id.value(), "trigger", trigger));
        Manifest manifest;
        try {
            BackupSource source = Sources.forTarget(target);
            StoredArtifact artifact = pipeline.run(source, key, progress);
            manifest = new Manifest(
                    Manifest.FORMAT_VERSION,
                    id.value(),
                    target.name(),
                    target.kind().configName(),
                    start,
                    clock.instant(),
                    trigger,
                    source.tool(),
                    source.toolVersion(),
                    key,
                    artifact.storedBytes(),
                    artifact.rawBytes(),
                    artifact.sha256(),
                    "zstd",
                    encryption.name(),
                    source.restoreHint(key.substring(key.lastIndexOf('/') + 1)),
                    encryption.recipients());
            writeManifest(manifest);
        } catch (BackupFailedException e) {
            String aborted = abortReason;
            if (aborted != null) {
                // recorded and announced as failed, without an alert and its state: it runs again. On a
                // thread of its own: the stop interrupts this one (the abort, then Camel's forced
                // shutdown), and an interrupted thread cannot open the embedded catalog's file
                String error = "aborted: " + aborted + " (" + e.getMessage() + ")";
                CompletableFuture.runAsync(() -> recordFailed(runId, target.name(), id, "backup", error, ""))
                        .join();
                throw new BackupAbortedException("aborted: " + aborted, e);
            }
            fail(runId, target.name(), id, "backup", e.getMessage(), e.stderr());
            throw e;
        }
        catalog.backupStored(manifest);
        events.event(
                "backup",
                "finished",
                target.name(),
                manifest.finishedAt(),
                Map.of(
                        "backupId",
                        id.value(),
                        "storedBytes",
                        manifest.storedBytes(),
                        "rawBytes",
                        manifest.rawBytes(),
                        "durationSeconds",
                        seconds(start, manifest.finishedAt())));
        Verification v = verifyAndRecord(manifest, progress);
        if (!v.ok()) {
            fail(runId, target.name(), id, "verify", RunRow.VERIFY_FAILED + v.detail(), "");
            throw new BackupFailedException(RunRow.VERIFY_FAILED + v.detail(), "", null);
        }
        catalog.runFinished(runId, "succeeded", id.value(), null, null, clock.instant());
        publishState(target.name());
        OffsiteCopier copier = offsite;
        if (copier != null) {
            copier.afterBackup(manifest, trigger); // records and alerts its own failure; the backup stands
        }
        return manifest;
    }

    private void writeManifest(Manifest manifest) throws BackupFailedException {
        try {
            store.putBytes(StorageLayout.manifestKey(manifest.target(), manifest.backupId()), Json.bytes(manifest));
        } catch (IOException e) {
            try {
                store.delete(manifest.artifactKey());
            } catch (IOException ignored) {
                // the object without a manifest does not exist as a backup; prune removes it later
            }
            throw new BackupFailedException("could not write the manifest: " + e.getMessage(), "", e);
        }
    }

    /** Verifies a stored backup again (e.g. {@code ./lifeboat verify}); records and announces the result. */
    public Verification verify(Manifest manifest, Progress progress) {
        long runId = catalog.runStarted(manifest.target(), "verify", Trigger.manual("verify"), clock.instant());
        Verification v = verifyAndRecord(manifest, progress);
        if (v.ok()) {
            catalog.runFinished(runId, "succeeded", manifest.id(), null, null, clock.instant());
        } else {
            catalog.runFinished(
                    runId, "failed", manifest.id(), RunRow.VERIFY_FAILED + v.detail(), null, clock.instant());
        }
        publishState(manifest.target());
        return v;
    }

    private Verification verifyAndRecord(Manifest manifest, Progress progress) {
        Verification v = verifier.verify(manifest, progress);
        try {
            store.putBytes(
                    StorageLayout.verificationKey(manifest.target(), manifest.backupId(), v.at()), Json.bytes(v));
        } catch (IOException e) {
            // the result still counts in the catalog and the events; storage gets it on the next verify
            events.event(
                    "verify",
                    "unrecorded",
                    manifest.target(),
                    v.at(),
                    Map.of("backupId", manifest.id(), "error", e.getMessage()));
        }
        catalog.verified(v);
        if (v.ok()) {
            events.event(
                    "verify",
                    "verified",
                    manifest.target(),
                    v.at(),
                    Map.of("backupId", manifest.id(), "sha256", v.actualSha256()));
            resolve("BackupFailed", "warning", manifest.target(), v.at());
            resolve("BackupVerifyFailed", "critical", manifest.target(), v.at());
        } else {
            firing.add("BackupVerifyFailed:" + manifest.target());
            events.event(
                    "verify",
                    "failed",
                    manifest.target(),
                    v.at(),
                    Map.of("backupId", manifest.id(), "error", v.detail()));
            events.alert(Alert.firing(
                    "BackupVerifyFailed",
                    "critical",
                    manifest.target(),
                    "Verification of backup " + manifest.id() + " of " + manifest.target() + " failed",
                    v.detail() + ". Take a new backup: ./lifeboat backup " + manifest.target(),
                    v.at()));
        }
        return v;
    }

    /** Alerts this process raised that a later verified backup resolves (fingerprints). */
    private final java.util.Set<String> firing = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A verified backup ends a failure this process alerted about: the resolved alert closes it. */
    private void resolve(String alertName, String severity, String target, Instant at) {
        if (firing.remove(alertName + ":" + target)) {
            events.alert(new Alert(
                    alertName + ":" + target,
                    severity,
                    "resolved",
                    alertName.equals("BackupFailed")
                            ? "Backup of " + target + " failed"
                            : "Verification of a backup of " + target + " failed",
                    "a new backup of " + target + " was taken and verified",
                    Map.of("alertname", alertName, "target", target, "source", "lifeboat"),
                    at,
                    at));
        }
    }

    /** The failed run in the catalog and the backup.failed event; returns when. */
    private Instant recordFailed(long runId, String target, BackupId id, String step, String error, String stderr) {
        Instant now = clock.instant();
        catalog.runFinished(runId, "failed", null, error, stderr, now);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("backupId", id.value());
        fields.put("step", step);
        fields.put("error", error);
        events.event("backup", "failed", target, now, fields);
        return now;
    }

    private void fail(long runId, String target, BackupId id, String step, String error, String stderr) {
        Instant now = recordFailed(runId, target, id, step, error, stderr);
        if (!"verify".equals(step)) {
            firing.add("BackupFailed:" + target);
            events.alert(Alert.firing(
                    "BackupFailed",
                    "warning",
                    target,
                    "Backup of " + target + " failed",
                    error + (stderr == null || stderr.isBlank() ? "" : "\n" + tail(stderr, 2000))
                            + "\nRetry: ./lifeboat backup " + target,
                    now));
        }
        publishState(target);
    }

    /**
     * An empty catalog (a new machine, a lost disk) is rebuilt from the manifests in storage. The
     * daemon calls this before its schedules start, so the catch-up rule sees the backups on record.
     * Returns how many backups were indexed (0 when the catalog was not empty).
     */
    public int rebuildCatalogIfEmpty() {
        return catalog.isEmpty() ? catalog.rebuild(store) : 0;
    }

    /** Publishes every target's state (retained), so subscribers see it at once after a start. */
    public void publishStates() {
        config.targets().keySet().forEach(this::publishState);
    }

    /** Publishes one target's state (retained): after its runs, and when its RPO state flips. */
    public void publishState(String target) {
        events.state(target, states.state(target));
    }

    /** The newest backup of a target, verified or not. */
    public Optional<Manifest> latest(String target) throws IOException {
        return stored.scan(target).stream().findFirst().map(StoredBackups.Found::manifest);
    }

    /** Resolves {@code ID} or {@code latest:TARGET} to a manifest in storage. */
    public Manifest resolve(String ref) throws IOException {
        if (ref.startsWith("latest:")) {
            String target = ref.substring("latest:".length());
            return latest(target)
                    .orElseThrow(
                            () -> new IllegalArgumentException("no backup of '" + target + "' in " + store.describe()));
        }
        if (!BackupId.isValid(ref)) {
            throw new IllegalArgumentException(
                    "'" + ref + "' is neither a backup id (like 20261123T173600Z-3fa9c1) nor latest:TARGET");
        }
        return stored.find(new BackupId(ref), config.targets().keySet())
                .orElseThrow(
                        () -> new IllegalArgumentException("no backup with id " + ref + " in " + store.describe()));
    }

    private static double seconds(Instant a, Instant b) {
        return Duration.between(a, b).toMillis() / 1000.0;
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "…" + s.substring(s.length() - max);
    }
}
