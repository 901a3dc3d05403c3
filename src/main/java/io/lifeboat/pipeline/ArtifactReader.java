package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.lifeboat.crypto.Encryption;
import io.lifeboat.domain.Manifest;
import io.lifeboat.store.BackupStore;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Reads a stored backup back as its raw artifact, in one pass: stored object → SHA-256 and count →
 * decrypt → zstd → raw bytes. The hash covers every stored byte, so after the raw stream was consumed
 * {@link #finish()} says whether the object is the one the manifest describes. A reader that writes
 * into a new place (a new database, a staging folder) can restore and check in the same pass and
 * discard the new place on a mismatch; one that writes into something live verifies first
 * ({@link Verifier}) and then reads.
 *
 * <pre>{@code
 * try (ArtifactReader r = ArtifactReader.open(store, manifest, encryption, progress)) {
 *     restorer.restore(r.raw(), request);
 *     r.finish(); // throws when the stored bytes did not match
 * }
 * }</pre>
 */
public final class ArtifactReader implements AutoCloseable {

    private final Manifest manifest;
    private final MeteredInput stored;
    private final MessageDigest sha;
    private final InputStream raw;

    private ArtifactReader(Manifest manifest, MeteredInput stored, MessageDigest sha, InputStream raw) {
        this.sha = sha;
        this.manifest = manifest;
        this.stored = stored;
        this.raw = raw;
    }

    public static ArtifactReader open(BackupStore store, Manifest manifest, Encryption encryption, Progress progress)
            throws IOException {
        requireNonNull(store, "store");
        requireNonNull(manifest, "manifest");
        requireNonNull(encryption, "encryption");
        requireNonNull(progress, "progress");
        if (!"zstd".equals(manifest.compression())) {
            throw new IOException("backup " + manifest.id() + " uses compression '" + manifest.compression()
                    + "', which this version cannot read");
        }
        InputStream object = store.get(manifest.artifactKey());
        MessageDigest sha = BackupPipeline.sha256();
        MeteredInput stored = new MeteredInput(object, sha, progress::addStored);
        try {
            InputStream plain = encryption.decrypt(stored);
            ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(plain);
            return new ArtifactReader(manifest, stored, sha, new MeteredInput(zstd, null, progress::addRaw));
        } catch (IOException | RuntimeException e) {
            stored.close();
            throw e;
        }
    }

    /** The raw artifact (a pg_dump archive, an RDB file, a tar, a command's output). */
    public InputStream raw() {
        return raw;
    }

    /**
     * Reads whatever of the stored object is left unread (a restorer may stop at the end of the zstd
     * frame) and checks its SHA-256 and size against the manifest.
     *
     * @throws IntegrityException when they do not match: whatever was restored from this stream is suspect
     */
    public void finish() throws IOException {
        stored.drain();
        String actual = HexFormat.of().formatHex(sha.digest());
        if (!actual.equals(manifest.sha256())) {
            throw new IntegrityException("sha256 mismatch: the manifest says " + manifest.sha256()
                    + ", the stored object " + manifest.artifactKey() + " has " + actual);
        }
        if (stored.bytes() != manifest.storedBytes()) {
            throw new IntegrityException("size mismatch: the manifest says " + manifest.storedBytes()
                    + " bytes, the stored object has " + stored.bytes());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            raw.close();
        } finally {
            stored.close();
        }
    }

    /** The stored object does not match its manifest. */
    public static final class IntegrityException extends IOException {
        public IntegrityException(String message) {
            super(message);
        }
    }
}
