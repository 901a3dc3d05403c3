package io.lifeboat.store;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.domain.CopyRecord;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.OffsiteState;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.store.StoredBackups.Found;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the backups of the primary store stand off-site, read from storage only: the off-site
 * store's manifests and verification records (a copy counts once it was read back there and
 * matched), and the copy records the primary keeps beside each backup ({@code offsite/}), which say
 * why a copy failed and stand in for the off-site store while it is unreachable.
 */
public final class OffsiteCopies {

    /** A backup's off-site state, when it was reached, and a line saying why. */
    public record Status(OffsiteState state, Instant at, String detail) {
        public Status {
            requireNonNull(state, "state");
            detail = detail == null ? "" : detail;
        }
    }

    private final BackupStore primary;
    private final String offsiteName;
    private final Map<String, Found> copies;
    private final String unreachable;
    private final Map<String, List<String>> recordKeys;
    private final Consumer<String> warnings;

    private OffsiteCopies(
            BackupStore primary,
            String offsiteName,
            Map<String, Found> copies,
            String unreachable,
            Map<String, List<String>> recordKeys,
            Consumer<String> warnings) {
        this.primary = primary;
        this.offsiteName = offsiteName;
        this.copies = copies;
        this.unreachable = unreachable;
        this.recordKeys = recordKeys;
        this.warnings = warnings;
    }

    /**
     * Scans the off-site store and the primary's copy records for {@code target} (every target when
     * null). An unreachable off-site store is not an error: {@link #unreachable()} says why, and states
     * come from the copy records.
     *
     * @throws UncheckedIOException if the primary store cannot be listed
     */
    public static OffsiteCopies scan(
            BackupStore primary, BackupStore offsite, String target, Consumer<String> warnings) {
        requireNonNull(primary, "primary");
        requireNonNull(offsite, "offsite");
        requireNonNull(warnings, "warnings");
        Map<String, Found> copies = new HashMap<>();
        String unreachable = null;
        try {
            for (Found f : new StoredBackups(offsite).scan(target, w -> warnings.accept("off-site: " + w))) {
                copies.put(key(f.manifest()), f);
            }
        } catch (RuntimeException e) {
            unreachable = message(e);
        }
        String prefix = target == null ? "" : target + "/";
        Map<String, List<String>> records = new HashMap<>();
        try {
            for (String k : primary.list(prefix)) {
                String[] parts = k.split("/");
                if (parts.length == 4 && "offsite".equals(parts[2]) && parts[3].endsWith(".json")) {
                    records.computeIfAbsent(parts[0] + "/" + parts[1], x -> new ArrayList<>())
                            .add(k);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + primary.describe(), e);
        }
        return new OffsiteCopies(primary, offsite.describe(), copies, unreachable, records, warnings);
    }

    /** Why the off-site store could not be read, or empty when it was. */
    public Optional<String> unreachable() {
        return Optional.ofNullable(unreachable);
    }

    /** Every backup found in the off-site store (verified or not); empty when it is unreachable. */
    public List<Found> copies() {
        return List.copyOf(copies.values());
    }

    /** The off-site copy of {@code m}, if the off-site store holds one (verified or not). */
    public Optional<Found> copy(Manifest m) {
        return Optional.ofNullable(copies.get(key(m)));
    }

    /** Where the primary's backup {@code m} stands off-site. */
    public Status status(Manifest m) {
        Optional<CopyRecord> record = lastRecord(m);
        if (unreachable != null) {
            return record.map(r -> r.ok()
                            ? new Status(
                                    OffsiteState.COPIED,
                                    r.at(),
                                    "recorded as copied and verified at " + r.at() + "; " + offsiteName
                                            + " is unreachable now")
                            : new Status(OffsiteState.FAILED, r.at(), r.detail()))
                    .orElse(new Status(OffsiteState.PENDING, null, "not copied (" + offsiteName + " is unreachable)"));
        }
        Found f = copies.get(key(m));
        if (f != null && f.verified()) {
            Instant at = f.lastVerification().orElseThrow().at();
            return new Status(OffsiteState.COPIED, at, "verified in " + offsiteName + " at " + at);
        }
        if (f != null && f.lastVerification().isPresent()) {
            var v = f.lastVerification().get();
            return new Status(OffsiteState.FAILED, v.at(), "the off-site copy failed verification: " + v.detail());
        }
        if (record.isPresent() && !record.get().ok()) {
            return new Status(
                    OffsiteState.FAILED, record.get().at(), record.get().detail());
        }
        if (record.isPresent()) {
            return new Status(
                    OffsiteState.PENDING,
                    record.get().at(),
                    "copied at " + record.get().at() + " but no verified copy is in " + offsiteName + " now");
        }
        return new Status(OffsiteState.PENDING, null, "not copied yet");
    }

    /** The newest readable copy record the primary keeps for {@code m}. */
    public Optional<CopyRecord> lastRecord(Manifest m) {
        List<String> keys = recordKeys.getOrDefault(key(m), List.of());
        List<String> newestFirst = new ArrayList<>(keys);
        newestFirst.sort(java.util.Comparator.reverseOrder()); // timestamps of fixed width sort by time
        for (String k : newestFirst) {
            try {
                CopyRecord r = Json.read(SmallObjects.read(primary, k), CopyRecord.class);
                if (r != null && r.target().equals(m.target()) && r.backupId().equals(m.id())) {
                    return Optional.of(r);
                }
                warnings.accept("ignored " + k + ": it is not a copy record of " + m.target() + "/" + m.id());
            } catch (IOException | RuntimeException e) {
                warnings.accept("ignored " + k + ": copy record not readable (" + message(e) + ")");
            }
        }
        return Optional.empty();
    }

    /** Writes a copy record beside the backup in the primary store. */
    public static void record(BackupStore primary, CopyRecord r) throws IOException {
        primary.putBytes(
                StorageLayout.copyRecordKey(r.target(), new io.lifeboat.domain.BackupId(r.backupId()), r.at()),
                Json.bytes(r));
    }

    private static String key(Manifest m) {
        return m.target() + "/" + m.id();
    }

    private static String message(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String m = e.getMessage();
        if (t != e && t.getMessage() != null) {
            m = m + ": " + t.getMessage();
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
