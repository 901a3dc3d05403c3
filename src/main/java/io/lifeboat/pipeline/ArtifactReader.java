package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.lifeboat.crypto.Encryption;
import io.lifeboat.domain.Manifest;
import io.lifeboat.store.BackupStore;
import java.io.FilterInputStream;
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
    private final HashingInput stored;
    private final InputStream raw;

    private ArtifactReader(Manifest manifest, HashingInput stored, InputStream raw) {
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
        HashingInput stored = new HashingInput(object, progress);
        try {
            InputStream plain = encryption.decrypt(stored);
            ZstdInputStreamNoFinalizer zstd = new ZstdInputStreamNoFinalizer(plain);
            return new ArtifactReader(manifest, stored, new CountingRaw(zstd, progress));
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
        String actual = HexFormat.of().formatHex(stored.sha.digest());
        if (!actual.equals(manifest.sha256())) {
            throw new IntegrityException("sha256 mismatch: the manifest says " + manifest.sha256()
                    + ", the stored object " + manifest.artifactKey() + " has " + actual);
        }
        if (stored.count != manifest.storedBytes()) {
            throw new IntegrityException("size mismatch: the manifest says " + manifest.storedBytes()
                    + " bytes, the stored object has " + stored.count);
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

    private static final class HashingInput extends FilterInputStream {
        private final MessageDigest sha = BackupPipeline.sha256();
        private final Progress progress;
        private long count;

        HashingInput(InputStream in, Progress progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                sha.update((byte) b);
                count++;
                progress.addStored(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                sha.update(b, off, n);
                count += n;
                progress.addStored(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            throw new IOException("skip is not supported: every byte must be hashed");
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        void drain() throws IOException {
            byte[] buffer = new byte[1 << 16];
            while (read(buffer, 0, buffer.length) >= 0) {
                // hashed as it is read
            }
        }
    }

    private static final class CountingRaw extends FilterInputStream {
        private final Progress progress;

        CountingRaw(InputStream in, Progress progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                progress.addRaw(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                progress.addRaw(n);
            }
            return n;
        }
    }
}
