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
import io.lifeboat.domain.CopyRecord;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.OffsiteLag;
import io.lifeboat.domain.OffsiteState;
import io.lifeboat.domain.RecoverySet;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Verification;
import io.lifeboat.events.Events;
import io.lifeboat.source.Sources;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.OffsiteCopies;
import io.lifeboat.store.RecoverySets;
import io.lifeboat.store.SmallObjects;
import io.lifeboat.store.StoredBackups;
import io.lifeboat.store.StoredBackups.Found;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies verified backups to the off-site store ({@code storage.offsite}) and verifies them there.
 *
 * <p>The copy keeps the layout: the data object first, then the manifest, last, then the copy is read
 * back and its SHA-256 compared, and the verification record is written beside it off-site. When both
 * stores encrypt the same way (or neither does) the stored bytes are copied as they are and the
 * manifest is the primary's, byte for byte. When they differ, the object is streamed through
 * decryption (the primary's) and encryption (the off-site store's), and the off-site manifest is the
 * primary's with what describes the stored object replaced ({@link Manifest#storedAs}): artifact key
 * (its suffix follows the encryption), stored bytes, SHA-256, encryption, recipients and restore hint.
 *
 * <p>Every attempt is a {@code copy} run in the catalog (its detail is the copy record), a copy record
 * in the primary store beside the backup ({@code offsite/<time>.json}), and events; a failure also
 * raises {@code OffsiteCopyFailed}. A failed copy never fails the backup: the backup is verified on
 * the primary. Nothing is buffered whole: objects stream from one store into the other.
 */
public final class OffsiteCopier {

    private static final Logger LOG = LoggerFactory.getLogger(OffsiteCopier.class);
    public static final String OPERATION = "copy";
    public static final String COPY_FAILED = "OffsiteCopyFailed";
    public static final String LAGGING = "OffsiteCopyLagging";

    private final LifeboatConfig config;
    private final BackupStore primary;
    private final BackupStore offsite;
    private final Catalog catalog;
    private final Events events;
    private final Clock clock;
    private final Set<String> lagging = ConcurrentHashMap.newKeySet();

    public OffsiteCopier(
            LifeboatConfig config,
            BackupStore primary,
            BackupStore offsite,
            Catalog catalog,
            Events events,
            Clock clock) {
        this.config = requireNonNull(config, "config");
        if (config.offsite() == null) {
            throw new IllegalArgumentException("no off-site store is configured (storage.offsite)");
        }
        this.primary = requireNonNull(primary, "primary");
        this.offsite = requireNonNull(offsite, "offsite");
        this.catalog = requireNonNull(catalog, "catalog");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
    }

    public BackupStore store() {
        return offsite;
    }

    /** The copy after a verified backup ({@link BackupService}): never throws, whatever happens. */
    CopyRecord afterBackup(Manifest m, Trigger trigger) {
        try {
            return copy(m, trigger, new Progress());
        } catch (RuntimeException e) {
            // the catalog itself failed (the copy is already reported in the events when it got that far)
            LOG.warn("off-site copy of {} {} could not be recorded: {}", m.target(), m.id(), e.toString());
            return CopyRecord.failed(m, clock.instant(), offsite.describe(), "copy failed: " + message(e));
        }
    }

    /**
     * Copies one backup (which must be verified on the primary) off-site and verifies the copy; records
     * and announces the outcome. Failures are returned, not thrown: {@link CopyRecord#ok()} says.
     * {@code progress} counts bytes read from the primary (raw), written off-site (stored) and read back.
     */
    public CopyRecord copy(Manifest m, Trigger trigger, Progress progress) {
        requireNonNull(m, "manifest");
        requireNonNull(progress, "progress");
        Instant start = clock.instant();
        boolean failedBefore = catalog.lastRun(m.target(), OPERATION)
                .map(r -> RunRow.FAILED.equals(r.result()))
                .orElse(false);
        long runId = catalog.runStarted(m.target(), OPERATION, trigger, start);
        events.event(OPERATION, "started", m.target(), start, Map.of("backupId", m.id(), "store", offsite.describe()));
        CopyRecord record;
        try {
            record = copyAndVerify(m, progress);
        } catch (CopyFailed e) {
            record = CopyRecord.failed(m, clock.instant(), offsite.describe(), e.getMessage());
        } catch (RuntimeException e) {
            record = CopyRecord.failed(m, clock.instant(), offsite.describe(), "copy failed: " + message(e));
        }
        try {
            OffsiteCopies.record(primary, record);
        } catch (IOException | RuntimeException e) {
            // the catalog and the events still have it; the off-site store's own records decide once it is reachable
            events.event(
                    OPERATION,
                    "unrecorded",
                    m.target(),
                    record.at(),
                    Map.of("backupId", m.id(), "error", "could not write the copy record: " + message(e)));
        }
        Instant end = clock.instant();
        catalog.runFinished(
                runId,
                record.ok() ? RunRow.SUCCEEDED : RunRow.FAILED,
                m.id(),
                record.ok() ? null : "off-site copy failed: " + record.detail(),
                null,
                Json.text(record),
                end);
        if (record.ok()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("backupId", m.id());
            fields.put("store", offsite.describe());
            fields.put("storedBytes", record.storedBytes());
            fields.put("sha256", record.sha256());
            fields.put("reencrypted", record.reencrypted());
            fields.put("durationSeconds", Duration.between(start, end).toMillis() / 1000.0);
            events.event(OPERATION, "verified", m.target(), end, fields);
            if (failedBefore) {
                events.alert(resolved(
                        copyFailedAlert(m, "", end),
                        "Off-site copies of " + m.target() + " work again",
                        "Backup " + m.id() + " was copied to " + offsite.describe() + " and verified there.",
                        end));
            }
        } else {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("backupId", m.id());
            fields.put("store", offsite.describe());
            fields.put("error", record.detail());
            events.event(OPERATION, "failed", m.target(), end, fields);
            events.alert(copyFailedAlert(m, record.detail(), end));
        }
        return record;
    }

    private Alert copyFailedAlert(Manifest m, String error, Instant at) {
        return Alert.firing(
                COPY_FAILED,
                "warning",
                m.target(),
                "Off-site copy of backup " + m.id() + " of " + m.target() + " failed",
                error + "\nThe backup itself is verified on the primary store (" + primary.describe()
                        + "). Retry: ./lifeboat copy " + m.id() + "   (or ./lifeboat copy --all-missing)",
                at);
    }

    private static Alert resolved(Alert firing, String summary, String detail, Instant at) {
        return new Alert(firing.fingerprint(), firing.severity(), "resolved", summary, detail, firing.labels(), at, at);
    }

    private CopyRecord copyAndVerify(Manifest m, Progress progress) throws CopyFailed {
        Encryption to;
        try {
            to = Encryptions.forStore(config.offsite());
        } catch (IOException | RuntimeException e) {
            throw new CopyFailed("cannot encrypt for the off-site store: " + message(e), e);
        }
        boolean same = sameEncryption(m, to);
        String manifestKey = StorageLayout.manifestKey(m.target(), m.backupId());
        try {
            // an earlier copy's manifest goes first: the backup never looks complete off-site while its data is
            // rewritten
            offsite.delete(manifestKey);
        } catch (IOException | RuntimeException e) {
            throw new CopyFailed("off-site store " + offsite.describe() + ": " + message(e), e);
        }
        Copied copied = same ? copyAsIs(m, progress) : reencrypt(m, to, progress);
        try {
            offsite.putBytes(manifestKey, copied.manifestBytes());
        } catch (IOException | RuntimeException e) {
            deleteQuietly(copied.manifest().artifactKey());
            throw new CopyFailed("could not write the manifest off-site: " + message(e), e);
        }
        Verification v = new Verifier(offsite, clock).verify(copied.manifest(), progress);
        try {
            offsite.putBytes(StorageLayout.verificationKey(m.target(), m.backupId(), v.at()), Json.bytes(v));
        } catch (IOException | RuntimeException e) {
            throw new CopyFailed(
                    "the off-site copy was read back (" + v.detail() + ") but its verification record could not"
                            + " be written there: " + message(e),
                    e);
        }
        if (!v.ok()) {
            throw new CopyFailed("the off-site copy failed verification: " + v.detail(), null);
        }
        Manifest om = copied.manifest();
        return new CopyRecord(
                m.id(),
                m.target(),
                v.at(),
                true,
                offsite.describe(),
                om.artifactKey(),
                om.sha256(),
                om.storedBytes(),
                om.encryption(),
                !same,
                "copied and verified (" + v.detail() + ")");
    }

    private static boolean sameEncryption(Manifest m, Encryption to) {
        return m.encryption().equals(to.name()) && Set.copyOf(m.recipients()).equals(Set.copyOf(to.recipients()));
    }

    /** The stored bytes as they are, and the primary's manifest byte for byte. */
    private Copied copyAsIs(Manifest m, Progress progress) throws CopyFailed {
        String key = m.artifactKey();
        MessageDigest sha = BackupPipeline.sha256();
        MeteredInput read;
        long written;
        try {
            read = new MeteredInput(primary.get(key), sha, progress::addRaw);
        } catch (IOException | RuntimeException e) {
            throw new CopyFailed("could not read " + key + " from the primary store: " + message(e), e);
        }
        try (MeteredInput in = read) {
            written = offsite.put(key, new MeteredInput(in, null, progress::addStored));
        } catch (IOException | RuntimeException e) {
            // the store removes what it wrote of a failed put
            throw new CopyFailed(
                    read.failure() != null
                            ? "reading " + key + " from the primary store failed: " + message(read.failure())
                            : "writing " + key + " to " + offsite.describe() + " failed: " + message(e),
                    e);
        }
        checkSource(m, sha, read.bytes(), key);
        if (written != m.storedBytes()) {
            deleteQuietly(key);
            throw new CopyFailed(
                    "the off-site store took " + written + " bytes of " + key + ", expected " + m.storedBytes(), null);
        }
        byte[] manifestBytes;
        try {
            manifestBytes = SmallObjects.read(primary, StorageLayout.manifestKey(m.target(), m.backupId()));
        } catch (IOException | RuntimeException e) {
            deleteQuietly(key);
            throw new CopyFailed("could not read the manifest from the primary store: " + message(e), e);
        }
        return new Copied(m, manifestBytes);
    }

    /** Primary ciphertext → plaintext (zstd) → the off-site store's encryption → off-site. */
    private Copied reencrypt(Manifest m, Encryption to, Progress progress) throws CopyFailed {
        Encryption from;
        try {
            from = Encryptions.forReading(m, config.primary());
        } catch (IOException | RuntimeException e) {
            throw new CopyFailed(
                    "the off-site store is encrypted differently (" + to.name() + ") and backup " + m.id()
                            + " cannot be decrypted to re-encrypt it: " + message(e),
                    e);
        }
        String key = m.artifactKey();
        String newKey = reKey(key, from.suffix(), to.suffix());
        ChunkPipe pipe = new ChunkPipe(BackupPipeline.CHUNK, BackupPipeline.CHUNKS_IN_FLIGHT);
        MessageDigest outSha = BackupPipeline.sha256();
        ExecutorService uploader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lifeboat-offsite-upload");
            t.setDaemon(true);
            return t;
        });
        MessageDigest inSha = BackupPipeline.sha256();
        MeteredInput read = null;
        try {
            Future<Long> upload = uploader.submit(() -> {
                try (InputStream in = new MeteredInput(pipe.source(), outSha, progress::addStored)) {
                    return offsite.put(newKey, in);
                } catch (Throwable e) {
                    pipe.fail(e);
                    throw e;
                }
            });
            long stored;
            try {
                read = new MeteredInput(primary.get(key), inSha, progress::addRaw);
                try (InputStream raw = read;
                        InputStream plain = from.decrypt(raw);
                        OutputStream encrypted = to.encrypt(pipe.sink())) {
                    try {
                        plain.transferTo(encrypted);
                    } catch (IOException | RuntimeException e) {
                        pipe.fail(e); // before closing: the upload must not take a cut-short stream as complete
                        throw e;
                    }
                } // closing finishes the ciphertext and ends the pipe: the upload sees end of stream
                stored = upload.get();
            } catch (IOException | RuntimeException e) {
                pipe.fail(e);
                Throwable uploadFailure = uploadFailure(upload);
                deleteQuietly(newKey);
                String why = uploadFailure != null
                        ? "writing " + newKey + " to " + offsite.describe() + " failed: " + message(uploadFailure)
                        : read != null && read.failure() != null
                                ? "reading " + key + " from the primary store failed: " + message(read.failure())
                                : "re-encrypting " + key + " failed: " + message(e);
                throw new CopyFailed(why, e);
            } catch (ExecutionException e) {
                deleteQuietly(newKey);
                throw new CopyFailed(
                        "writing " + newKey + " to " + offsite.describe() + " failed: " + message(e.getCause()),
                        e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                pipe.fail(e);
                uploadFailure(upload);
                deleteQuietly(newKey);
                throw new CopyFailed("interrupted", e);
            }
            checkSource(m, inSha, read.bytes(), newKey);
            String sha = HexFormat.of().formatHex(outSha.digest());
            Manifest om = m.storedAs(newKey, stored, sha, to.name(), to.recipients(), restoreHint(m, newKey));
            return new Copied(om, Json.bytes(om));
        } finally {
            uploader.shutdownNow();
        }
    }

    /** The primary's bytes as read must be those it verified; if not, the copy is removed. */
    private void checkSource(Manifest m, MessageDigest sha, long bytes, String writtenKey) throws CopyFailed {
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(m.sha256()) || bytes != m.storedBytes()) {
            deleteQuietly(writtenKey);
            throw new CopyFailed(
                    "the object in the primary store no longer matches its manifest (read " + bytes + " bytes, sha256 "
                            + actual + "; expected " + m.storedBytes() + " bytes, " + m.sha256()
                            + "): check it with ./lifeboat verify " + m.id(),
                    null);
        }
    }

    /** {@code data.tar.zst.age} → {@code data.tar.zst} + the off-site suffix; the folder stays. */
    static String reKey(String key, String fromSuffix, String toSuffix) {
        String base = !fromSuffix.isEmpty() && key.endsWith(fromSuffix)
                ? key.substring(0, key.length() - fromSuffix.length())
                : key;
        return base + toSuffix;
    }

    /** The restore hint for the re-encrypted file: the source's own when the target is still configured. */
    private String restoreHint(Manifest m, String newKey) {
        String oldFile = m.artifactKey().substring(m.artifactKey().lastIndexOf('/') + 1);
        String newFile = newKey.substring(newKey.lastIndexOf('/') + 1);
        TargetConfig target = config.target(m.target()).orElse(null);
        if (target != null) {
            try {
                return Sources.forTarget(target).restoreHint(newFile);
            } catch (RuntimeException e) {
                // the target's config changed; fall back to the primary's hint
            }
        }
        return m.restoreHint() == null ? null : m.restoreHint().replace(oldFile, newFile);
    }

    private void deleteQuietly(String key) {
        try {
            offsite.delete(key);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not remove the partial off-site object {}: {}", key, e.getMessage());
        }
    }

    private static Throwable uploadFailure(Future<Long> upload) {
        try {
            upload.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return null;
        }
    }

    // ---- what is missing off-site

    /**
     * The verified backups of {@code target} (every target when null) on the primary that have no
     * verified copy off-site (never copied, or the last copy failed), newest first.
     *
     * @throws IOException if the off-site store cannot be read
     */
    public List<Manifest> missing(String target, Consumer<String> warnings) throws IOException {
        OffsiteCopies view = OffsiteCopies.scan(primary, offsite, target, warnings);
        if (view.unreachable().isPresent()) {
            throw new IOException(
                    "the off-site store is unreachable: " + view.unreachable().get());
        }
        List<Manifest> missing = new ArrayList<>();
        for (Found f : new StoredBackups(primary).scan(target, warnings)) {
            if (f.verified() && view.status(f.manifest()).state() != OffsiteState.COPIED) {
                missing.add(f.manifest());
            }
        }
        return missing;
    }

    /** The recovery sets in the primary store that the off-site store does not hold, newest first. */
    public List<RecoverySet> missingSets(Consumer<String> warnings) throws IOException {
        Set<String> there = new HashSet<>();
        for (RecoverySet s : RecoverySets.list(offsite, w -> warnings.accept("off-site: " + w))) {
            there.add(s.id());
        }
        return RecoverySets.list(primary, warnings).stream()
                .filter(s -> !there.contains(s.id()))
                .toList();
    }

    /** Puts a recovery set's manifest off-site too (its members are copied as backups). */
    public void copySet(RecoverySet set) throws IOException {
        RecoverySets.write(offsite, set);
    }

    // ---- lag

    /** Each configured target's off-site lag, and why the off-site store could not be read (or null). */
    public record LagReport(List<OffsiteLag> targets, String unreachable) {}

    /**
     * Assesses every configured target from storage: the primary's verified backups, and the off-site
     * store's verified copies (or, while it is unreachable, the copy records the primary keeps).
     */
    public LagReport lag() {
        Instant now = clock.instant();
        List<Found> onPrimary = new StoredBackups(primary).scan(null);
        OffsiteCopies view = OffsiteCopies.scan(primary, offsite, null, w -> LOG.warn(w));
        Map<String, List<OffsiteLag.Point>> primaryPoints = new HashMap<>();
        Map<String, List<OffsiteLag.Point>> offsitePoints = new HashMap<>();
        for (Found f : onPrimary) {
            if (!f.verified()) {
                continue;
            }
            primaryPoints
                    .computeIfAbsent(f.manifest().target(), t -> new ArrayList<>())
                    .add(point(f.manifest()));
            if (view.unreachable().isPresent() && view.status(f.manifest()).state() == OffsiteState.COPIED) {
                offsitePoints
                        .computeIfAbsent(f.manifest().target(), t -> new ArrayList<>())
                        .add(point(f.manifest()));
            }
        }
        if (view.unreachable().isEmpty()) {
            for (Found f : view.copies()) {
                if (f.verified()) {
                    offsitePoints
                            .computeIfAbsent(f.manifest().target(), t -> new ArrayList<>())
                            .add(point(f.manifest()));
                }
            }
        }
        List<OffsiteLag> lags = new ArrayList<>();
        for (TargetConfig t : config.targets().values()) {
            lags.add(OffsiteLag.assess(
                    t.name(),
                    t.rpo(),
                    now,
                    primaryPoints.getOrDefault(t.name(), List.of()),
                    offsitePoints.getOrDefault(t.name(), List.of())));
        }
        return new LagReport(lags, view.unreachable().orElse(null));
    }

    /**
     * {@link #lag()}, alerting {@code OffsiteCopyLagging} when a target starts lagging past its RPO and
     * resolving it when it catches up (the daemon runs this periodically: route {@code offsite-lag-check}).
     */
    public LagReport checkLag() {
        LagReport report = lag();
        Instant now = clock.instant();
        for (OffsiteLag l : report.targets()) {
            Alert alert = Alert.firing(
                    LAGGING,
                    "warning",
                    l.target(),
                    "Off-site copies of " + l.target() + " lag past the RPO",
                    offsite.describe() + ": " + l.reason()
                            + (report.unreachable() == null ? "" : " (unreachable: " + report.unreachable() + ")")
                            + ". Copy what is missing: ./lifeboat copy --all-missing",
                    now);
            if (l.lagging() && lagging.add(l.target())) {
                events.alert(alert);
            } else if (!l.lagging() && lagging.remove(l.target())) {
                events.alert(resolved(
                        alert,
                        "Off-site copies of " + l.target() + " caught up",
                        offsite.describe() + ": " + l.reason(),
                        now));
            }
        }
        return report;
    }

    private static OffsiteLag.Point point(Manifest m) {
        return new OffsiteLag.Point(m.id(), m.finishedAt());
    }

    static String message(Throwable e) {
        return BackupPipeline.message(e);
    }

    private record Copied(Manifest manifest, byte[] manifestBytes) {}

    /** A copy that did not end verified off-site; the message says what went wrong, for the record and the alert. */
    static final class CopyFailed extends Exception {
        CopyFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
