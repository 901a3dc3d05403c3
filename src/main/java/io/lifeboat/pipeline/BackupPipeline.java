package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.lifeboat.crypto.Encryption;
import io.lifeboat.source.BackupSource;
import io.lifeboat.source.SourceFailedException;
import io.lifeboat.store.BackupStore;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one source into one stored object: source → zstd → encryption (when the store has it) →
 * bounded pipe → (SHA-256 + upload). The SHA-256 is of the stored bytes, so verification needs no key.
 * Two threads share the work: the caller's thread reads the source, compresses and encrypts (zstd may add
 * worker threads of its own), the upload thread hashes the compressed bytes and sends them. Memory
 * is bounded by the pipe and the store's part buffer, whatever the size of the backup. On any
 * failure the partial object is removed.
 */
public final class BackupPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(BackupPipeline.class);
    static final int CHUNK = 1 << 20;
    static final int CHUNKS_IN_FLIGHT = 8;

    private final BackupStore store;
    private final int zstdLevel;
    private final int zstdWorkers;
    private final Encryption encryption;

    public BackupPipeline(BackupStore store, int zstdLevel, int zstdWorkers) {
        this(store, zstdLevel, zstdWorkers, Encryption.NONE);
    }

    public BackupPipeline(BackupStore store, int zstdLevel, int zstdWorkers, Encryption encryption) {
        this.store = requireNonNull(store, "store");
        this.zstdLevel = zstdLevel;
        this.zstdWorkers = zstdWorkers;
        this.encryption = requireNonNull(encryption, "encryption");
    }

    public StoredArtifact run(BackupSource source, String key, Progress progress) throws BackupFailedException {
        requireNonNull(source, "source");
        requireNonNull(key, "key");
        ChunkPipe pipe = new ChunkPipe(CHUNK, CHUNKS_IN_FLIGHT);
        MessageDigest sha = sha256();
        ExecutorService uploader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lifeboat-upload");
            t.setDaemon(true);
            return t;
        });
        Future<Long> upload = uploader.submit(() -> {
            try (InputStream in = new MeteredInput(pipe.source(), sha, progress::addStored)) {
                return store.put(key, in);
            } catch (Throwable e) {
                pipe.fail(e);
                throw e;
            }
        });
        CountingOutput raw = null;
        try {
            OutputStream sealed = encryption.encrypt(pipe.sink());
            try (ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(sealed, zstdLevel)) {
                if (zstdWorkers > 1) {
                    zstd.setWorkers(zstdWorkers);
                }
                raw = new CountingOutput(zstd, progress);
                source.writeTo(raw);
            } // closing zstd writes the frame end, the encryption its last chunk, and closes the pipe
            long stored = upload.get();
            String digest = HexFormat.of().formatHex(sha.digest());
            return new StoredArtifact(key, stored, raw.count, digest);
        } catch (SourceFailedException e) {
            pipe.fail(e);
            throw cleanUp(key, upload, new BackupFailedException(e.getMessage(), e.stderr(), e));
        } catch (ExecutionException e) {
            throw cleanUp(
                    key,
                    upload,
                    new BackupFailedException("upload failed: " + message(e.getCause()), "", e.getCause()));
        } catch (IOException e) {
            pipe.fail(e);
            Throwable cause = uploadFailure(upload);
            String why = cause != null ? "upload failed: " + message(cause) : "stream failed: " + message(e);
            throw cleanUp(key, upload, new BackupFailedException(why, "", cause != null ? cause : e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pipe.fail(e);
            throw cleanUp(key, upload, new BackupFailedException("interrupted", "", e));
        } catch (RuntimeException e) {
            pipe.fail(e);
            throw cleanUp(key, upload, new BackupFailedException("backup failed: " + message(e), "", e));
        } finally {
            uploader.shutdownNow();
        }
    }

    private BackupFailedException cleanUp(String key, Future<Long> upload, BackupFailedException failure) {
        try {
            upload.get();
        } catch (Exception ignored) {
            // the upload's own failure is already part of the reason, or it was cut short by ours
        }
        try {
            store.delete(key);
        } catch (IOException e) {
            LOG.warn("could not remove the partial object {}: {}", key, e.getMessage());
            failure.addSuppressed(e);
        }
        return failure;
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

    static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /** Counts raw bytes before compression. */
    private static final class CountingOutput extends FilterOutputStream {
        private final Progress progress;
        private long count;

        CountingOutput(OutputStream out, Progress progress) {
            super(out);
            this.progress = progress;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
            progress.addRaw(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
            progress.addRaw(len);
        }

        @Override
        public void close() {
            // the pipeline closes the compressor itself
        }
    }
}
