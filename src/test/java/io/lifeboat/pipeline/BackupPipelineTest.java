package io.lifeboat.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdInputStream;
import io.lifeboat.source.BackupSource;
import io.lifeboat.source.SourceFailedException;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.FilesystemStore;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupPipelineTest {

    @TempDir
    Path root;

    @Test
    void storesAStandardZstdObjectWhoseHashAndSizesAreThoseOfWhatWasStored() throws Exception {
        byte[] raw = sample(12_000_000);
        FilesystemStore store = new FilesystemStore(root);
        Progress progress = new Progress();

        StoredArtifact a =
                new BackupPipeline(store, 3, 2).run(source(raw), "t/20261123T000000Z-000001/data.bin.zst", progress);

        byte[] stored = store.getBytes(a.key());
        assertThat(a.storedBytes()).isEqualTo(stored.length).isLessThan(raw.length);
        assertThat(a.rawBytes()).isEqualTo(raw.length);
        assertThat(a.sha256())
                .isEqualTo(HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(stored)));
        try (InputStream in = new ZstdInputStream(new java.io.ByteArrayInputStream(stored))) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
        assertThat(progress.rawBytes()).isEqualTo(raw.length);
        assertThat(progress.storedBytes()).isEqualTo(stored.length);
    }

    @Test
    void anEmptySourceStillMakesAValidObject() throws Exception {
        FilesystemStore store = new FilesystemStore(root);
        StoredArtifact a = new BackupPipeline(store, 3, 1).run(source(new byte[0]), "t/x/data.bin.zst", new Progress());
        try (InputStream in = new ZstdInputStream(store.get(a.key()))) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void aSourceThatFailsMidwayLeavesNothingAndCarriesItsStderr() throws Exception {
        FilesystemStore store = new FilesystemStore(root);
        BackupSource failing = new TestSource() {
            @Override
            public void writeTo(OutputStream out) throws IOException, SourceFailedException {
                out.write(sample(5_000_000));
                throw new SourceFailedException(
                        "pg_dump exited with code 1", "pg_dump: error: connection to server lost");
            }
        };
        assertThatThrownBy(() -> new BackupPipeline(store, 3, 2).run(failing, "t/x/data.dump.zst", new Progress()))
                .isInstanceOf(BackupFailedException.class)
                .hasMessageContaining("exited with code 1")
                .satisfies(e -> assertThat(((BackupFailedException) e).stderr()).contains("connection to server lost"));
        assertThat(store.list("")).isEmpty();
        assertThat(filesUnder(root)).isEmpty();
    }

    @Test
    void anUploadThatFailsStopsTheSourceAndLeavesNothing() throws Exception {
        FilesystemStore disk = new FilesystemStore(root);
        BackupStore breaksAfter2Mb = new FailingStore(disk, 2_000_000);
        AtomicBoolean sourceSawTheFailure = new AtomicBoolean();
        BackupSource endless = new TestSource() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                byte[] chunk = sample(1 << 20);
                try {
                    for (int i = 0; i < 10_000; i++) { // 10 GB if nothing stopped it
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    sourceSawTheFailure.set(true);
                    throw e;
                }
            }
        };
        assertThatThrownBy(
                        () -> new BackupPipeline(breaksAfter2Mb, 1, 1).run(endless, "t/x/data.bin.zst", new Progress()))
                .isInstanceOf(BackupFailedException.class)
                .hasMessageContaining("upload failed")
                .hasMessageContaining("disk full");
        assertThat(sourceSawTheFailure).isTrue();
        assertThat(disk.list("")).isEmpty();
    }

    @Test
    void thePipeHandsOverEveryByteInOrderAcrossThreads() throws Exception {
        ChunkPipe pipe = new ChunkPipe(1000, 2);
        byte[] data = sample(123_457);
        Thread writer = new Thread(() -> {
            try (OutputStream out = pipe.sink()) {
                for (int i = 0; i < data.length; i += 777) {
                    out.write(data, i, Math.min(777, data.length - i));
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        pipe.source().transferTo(got);
        writer.join();
        assertThat(got.toByteArray()).isEqualTo(data);
    }

    @Test
    void aFailedPipeWakesABlockedWriterWithTheCause() throws Exception {
        ChunkPipe pipe = new ChunkPipe(10, 1);
        Thread reader = new Thread(() -> pipe.fail(new IOException("server went away")));
        OutputStream out = pipe.sink();
        out.write(new byte[10]); // fills the one slot
        reader.start();
        assertThatThrownBy(() -> {
                    for (int i = 0; i < 100; i++) {
                        out.write(new byte[10]);
                    }
                })
                .isInstanceOf(IOException.class)
                .hasMessageContaining("server went away");
    }

    // --- helpers

    /** Text-like data with some randomness, so it compresses like real dumps do. */
    static byte[] sample(int size) {
        Random r = new Random(size);
        List<String> words = List.of("backup", "restore", "verify", "lifeboat", "postgres", "redis", "folder", "drill");
        StringBuilder b = new StringBuilder(size + 64);
        while (b.length() < size) {
            b.append(words.get(r.nextInt(words.size())))
                    .append(' ')
                    .append(r.nextInt(100_000))
                    .append('\n');
        }
        return b.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    private static BackupSource source(byte[] raw) {
        return new TestSource() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                for (int i = 0; i < raw.length; i += 65536) {
                    out.write(raw, i, Math.min(65536, raw.length - i));
                }
            }
        };
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private abstract static class TestSource implements BackupSource {
        @Override
        public String tool() {
            return "test";
        }

        @Override
        public String toolVersion() {
            return "1";
        }

        @Override
        public String restoreHint(String artifactFileName) {
            return "zstd -d " + artifactFileName;
        }
    }

    /** A real filesystem store whose disk "fills up" after a number of bytes. */
    private static final class FailingStore implements BackupStore {
        private final BackupStore delegate;
        private final long limit;

        FailingStore(BackupStore delegate, long limit) {
            this.delegate = delegate;
            this.limit = limit;
        }

        @Override
        public long put(String key, InputStream in) throws IOException {
            return delegate.put(key, new FilterInputStream(in) {
                long read;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (read > limit) {
                        throw new IOException("disk full");
                    }
                    int n = super.read(b, off, len);
                    read += Math.max(0, n);
                    return n;
                }
            });
        }

        @Override
        public InputStream get(String key) throws IOException {
            return delegate.get(key);
        }

        @Override
        public boolean exists(String key) throws IOException {
            return delegate.exists(key);
        }

        @Override
        public List<String> list(String prefix) throws IOException {
            return delegate.list(prefix);
        }

        @Override
        public void delete(String key) throws IOException {
            delegate.delete(key);
        }

        @Override
        public String describe() {
            return "failing " + delegate.describe();
        }
    }
}
