package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.domain.BackupId;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Verification;
import io.lifeboat.store.BackupStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the store holds: every backup with a manifest, and its newest verification record. The
 * store is the source of truth; this is how {@code list}, {@code verify} and {@code catalog rebuild}
 * see it.
 */
public final class StoredBackups {

    private static final Logger LOG = LoggerFactory.getLogger(StoredBackups.class);

    private final BackupStore store;

    public StoredBackups(BackupStore store) {
        this.store = requireNonNull(store, "store");
    }

    /** A backup as storage knows it. */
    public record StoredBackup(Manifest manifest, Optional<Verification> lastVerification) {
        public boolean verified() {
            return lastVerification.map(Verification::ok).orElse(false);
        }
    }

    /** Every backup of the target (or of every target when null), newest first. Unreadable manifests are skipped with a warning. */
    public List<StoredBackup> scan(String target) throws IOException {
        List<String> keys = store.list(target == null ? "" : target + "/");
        Map<String, Verification> lastVerification = new HashMap<>();
        List<Manifest> manifests = new ArrayList<>();
        for (String key : keys) {
            if (StorageLayout.parseManifestKey(key).isPresent()) {
                readManifest(key).ifPresent(manifests::add);
            } else if (key.contains("/verify/") && key.endsWith(".json")) {
                readVerification(key).ifPresent(v -> lastVerification.merge(v.backupId(), v, (a, b) -> a.at().isAfter(b.at()) ? a : b));
            }
        }
        return manifests.stream()
                .sorted(Comparator.comparing(Manifest::id).reversed())
                .map(m -> new StoredBackup(m, Optional.ofNullable(lastVerification.get(m.id()))))
                .toList();
    }

    /** The backup with this id, looked for under the given targets first, then anywhere in the store. */
    public Optional<Manifest> find(BackupId id, Iterable<String> likelyTargets) throws IOException {
        for (String target : likelyTargets) {
            String key = StorageLayout.manifestKey(target, id);
            if (store.exists(key)) {
                return readManifest(key);
            }
        }
        return store.list("").stream()
                .filter(k -> StorageLayout.parseManifestKey(k).map(r -> r.id().equals(id)).orElse(false))
                .findFirst()
                .flatMap(this::readManifest);
    }

    private Optional<Manifest> readManifest(String key) {
        try {
            return Optional.of(Json.read(store.getBytes(key), Manifest.class));
        } catch (IOException | RuntimeException e) {
            LOG.warn("skipping unreadable manifest {}: {}", key, e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<Verification> readVerification(String key) {
        try {
            return Optional.of(Json.read(store.getBytes(key), Verification.class));
        } catch (IOException | RuntimeException e) {
            LOG.warn("skipping unreadable verification record {}: {}", key, e.getMessage());
            return Optional.empty();
        }
    }
}
