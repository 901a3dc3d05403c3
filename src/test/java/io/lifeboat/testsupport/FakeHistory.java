package io.lifeboat.testsupport;

import io.lifeboat.Json;
import io.lifeboat.domain.BackupId;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Verification;
import io.lifeboat.store.BackupStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes backups into a store the way Lifeboat lays them out (artifact, manifest.json, verify/ record),
 * with any start time: a history of months in a test that runs for seconds. The artifact is a few bytes
 * whose SHA-256 the manifest records, so {@code list} and {@code verify} treat it as a real backup.
 */
public final class FakeHistory {

    /** How the backup's newest verification went. */
    public enum State {
        VERIFIED,
        FAILED,
        UNVERIFIED
    }

    private final BackupStore store;

    public FakeHistory(BackupStore store) {
        this.store = store;
    }

    /** A backup of {@code target} started at {@code start}, with a directory-kind artifact of {@code bytes} bytes. */
    public Manifest backup(String target, Instant start, State state, int bytes) throws IOException {
        String suffix = String.format("%06x", (start.getEpochSecond() * 31 + bytes) & 0xffffff);
        BackupId id = new BackupId(BackupId.at(start).value().substring(0, 17) + suffix);
        byte[] data = ("backup of " + target + " at " + start + " ")
                .repeat(1 + bytes / 30)
                .substring(0, bytes)
                .getBytes(StandardCharsets.UTF_8);
        String key = StorageLayout.artifactKey(target, id, "tar");
        store.putBytes(key, data);
        String sha = sha256(data);
        Manifest m = new Manifest(
                Manifest.FORMAT_VERSION,
                id.value(),
                target,
                "directory",
                start,
                start.plus(Duration.ofSeconds(20)),
                Trigger.schedule("fabricated history"),
                "tar (lifeboat)",
                "test",
                key,
                data.length,
                data.length * 3L,
                sha,
                "zstd",
                "none",
                "mkdir -p DEST && zstd -d data.tar.zst --stdout | tar -x -C DEST",
                List.of());
        store.putBytes(StorageLayout.manifestKey(target, id), Json.bytes(m));
        if (state != State.UNVERIFIED) {
            boolean ok = state == State.VERIFIED;
            Instant at = start.plus(Duration.ofSeconds(30));
            Verification v = new Verification(
                    id.value(),
                    target,
                    at,
                    ok,
                    sha,
                    ok ? sha : "0".repeat(64),
                    data.length,
                    ok ? "sha256 and size match" : "sha256 mismatch");
            store.putBytes(StorageLayout.verificationKey(target, id, at), Json.bytes(v));
        }
        return m;
    }

    /** What a run killed before its manifest leaves: an artifact alone in its folder. */
    public String leftover(String target, Instant start) throws IOException {
        BackupId id = new BackupId(BackupId.at(start).value().substring(0, 17) + "dead00");
        String key = StorageLayout.artifactKey(target, id, "tar");
        store.putBytes(key, "half a dump".getBytes(StandardCharsets.UTF_8));
        return id.value();
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
