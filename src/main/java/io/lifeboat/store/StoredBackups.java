package io.lifeboat.store;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.domain.BackupId;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.StorageLayout.BackupRef;
import io.lifeboat.domain.Verification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what a store holds: every backup with a readable manifest whose artifact is present, and its
 * newest readable verification record. Anything unreadable or inconsistent is reported and skipped.
 * The store is the source of truth: this is how {@code list}, {@code verify} and {@code catalog
 * rebuild} see it.
 */
public final class StoredBackups {

    private static final Logger LOG = LoggerFactory.getLogger(StoredBackups.class);

    /** A backup found in storage and its newest verification, if any. */
    public record Found(Manifest manifest, Verification verification) {
        public Found {
            requireNonNull(manifest, "manifest");
        }

        public Optional<Verification> lastVerification() {
            return Optional.ofNullable(verification);
        }

        /** Only a backup whose newest read-back matched counts. */
        public boolean verified() {
            return verification != null && verification.ok();
        }
    }

    private final BackupStore store;

    public StoredBackups(BackupStore store) {
        this.store = requireNonNull(store, "store");
    }

    /** Every backup of {@code target} (every target when null), newest first; problems are logged as warnings. */
    public List<Found> scan(String target) {
        return scan(target, w -> LOG.warn(w));
    }

    /** Every backup of {@code target} (every target when null), newest first; problems go to {@code warnings}. */
    public List<Found> scan(String target, Consumer<String> warnings) {
        List<Found> found = scan(store, target == null ? "" : target + "/", warnings);
        found.sort(Comparator.comparing((Found f) -> f.manifest().id()).reversed());
        return found;
    }

    /** The manifest of backup {@code id}, looked for under the likely targets first, then anywhere. */
    public Optional<Manifest> find(BackupId id, Iterable<String> likelyTargets) throws IOException {
        for (String target : likelyTargets) {
            if (store.exists(StorageLayout.manifestKey(target, id))) {
                return scan(target).stream()
                        .map(Found::manifest)
                        .filter(m -> m.id().equals(id.value()))
                        .findFirst();
            }
        }
        return scan(null).stream()
                .map(Found::manifest)
                .filter(m -> m.id().equals(id.value()))
                .findFirst();
    }

    private static List<Found> scan(BackupStore store, String keyPrefix, Consumer<String> warnings) {
        requireNonNull(warnings, "warnings");
        List<String> keys;
        try {
            keys = store.list(keyPrefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + store.describe(), e);
        }
        Set<String> present = new HashSet<>(keys);
        Map<String, List<String>> verifyKeys = verificationKeysByPrefix(keys);
        List<Found> found = new ArrayList<>();
        for (String key : keys) {
            Optional<BackupRef> ref = StorageLayout.parseManifestKey(key);
            if (ref.isEmpty()) {
                continue;
            }
            readManifest(store, key, ref.get(), present, warnings).ifPresent(m -> {
                String prefix = StorageLayout.prefix(m.target(), m.backupId());
                Verification v = newestVerification(store, m, verifyKeys.getOrDefault(prefix, List.of()), warnings);
                found.add(new Found(m, v));
            });
        }
        return found;
    }

    private static Optional<Manifest> readManifest(
            BackupStore store, String key, BackupRef ref, Set<String> present, Consumer<String> warnings) {
        Manifest m;
        try {
            m = Json.read(store.getBytes(key), Manifest.class);
        } catch (IOException | RuntimeException e) {
            warnings.accept("skipped " + key + ": manifest not readable (" + e.getMessage() + ")");
            return Optional.empty();
        }
        if (!m.target().equals(ref.target()) || !m.id().equals(ref.id().value())) {
            warnings.accept("skipped " + key + ": manifest names backup " + m.target() + "/" + m.id()
                    + ", not the folder it is in");
            return Optional.empty();
        }
        if (!present.contains(m.artifactKey())) {
            warnings.accept("skipped " + key + ": its artifact " + m.artifactKey() + " is missing");
            return Optional.empty();
        }
        return Optional.of(m);
    }

    /** The verification record with the newest {@code at} among those that read and belong to this backup. */
    private static Verification newestVerification(
            BackupStore store, Manifest m, List<String> keys, Consumer<String> warnings) {
        Verification newest = null;
        for (String key : keys) {
            Verification v;
            try {
                v = Json.read(store.getBytes(key), Verification.class);
            } catch (IOException | RuntimeException e) {
                warnings.accept("ignored " + key + ": verification record not readable (" + e.getMessage() + ")");
                continue;
            }
            if (!v.target().equals(m.target()) || !v.backupId().equals(m.id())) {
                warnings.accept("ignored " + key + ": it records a verification of " + v.target() + "/" + v.backupId());
            } else if (newest == null || v.at().isAfter(newest.at())) {
                newest = v;
            }
        }
        return newest;
    }

    /** Keys shaped {@code <target>/<id>/verify/<name>.json}, grouped by {@code <target>/<id>/}. */
    private static Map<String, List<String>> verificationKeysByPrefix(List<String> keys) {
        Map<String, List<String>> byPrefix = new HashMap<>();
        for (String key : keys) {
            String[] parts = key.split("/");
            if (parts.length == 4 && "verify".equals(parts[2]) && parts[3].endsWith(".json")) {
                byPrefix.computeIfAbsent(parts[0] + "/" + parts[1] + "/", k -> new ArrayList<>())
                        .add(key);
            }
        }
        return byPrefix;
    }
}
