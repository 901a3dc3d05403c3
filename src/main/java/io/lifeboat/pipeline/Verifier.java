package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Verification;
import io.lifeboat.store.BackupStore;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads a stored object back, recomputes its SHA-256 and compares it with the manifest's. */
public final class Verifier {

    private final BackupStore store;
    private final Clock clock;

    public Verifier(BackupStore store, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.clock = requireNonNull(clock, "clock");
    }

    public Verification verify(Manifest manifest, Progress progress) {
        MessageDigest sha = BackupPipeline.sha256();
        long bytes = 0;
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = store.get(manifest.artifactKey())) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
                bytes += n;
                progress.addVerified(n);
            }
        } catch (IOException e) {
            return new Verification(
                    manifest.id(),
                    manifest.target(),
                    clock.instant(),
                    false,
                    manifest.sha256(),
                    null,
                    bytes,
                    "could not read " + manifest.artifactKey() + ": " + BackupPipeline.message(e));
        }
        String actual = HexFormat.of().formatHex(sha.digest());
        boolean hashOk = actual.equals(manifest.sha256());
        boolean sizeOk = bytes == manifest.storedBytes();
        List<String> problems = new ArrayList<>();
        if (!hashOk) {
            problems.add("sha256 mismatch: expected " + manifest.sha256() + ", stored object has " + actual);
        }
        if (!sizeOk) {
            problems.add("size mismatch: expected " + manifest.storedBytes() + " bytes, read " + bytes);
        }
        String detail = problems.isEmpty() ? "sha256 and size match" : String.join("; ", problems);
        return new Verification(
                manifest.id(),
                manifest.target(),
                clock.instant(),
                hashOk && sizeOk,
                manifest.sha256(),
                actual,
                bytes,
                detail);
    }
}
