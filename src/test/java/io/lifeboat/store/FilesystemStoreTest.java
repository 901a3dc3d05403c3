package io.lifeboat.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FilesystemStoreTest {

    @TempDir
    Path dir;

    Path root;
    FilesystemStore store;

    @BeforeEach
    void setUp() {
        root = dir.resolve("backups");
        store = new FilesystemStore(root);
    }

    @Test
    void roundTripPutGetExistsListDelete() throws IOException {
        byte[] data = "pg_dump output".getBytes(StandardCharsets.UTF_8);

        long stored = store.put("app-db/20261123T173600Z-3fa9c1/data.dump.zst", new ByteArrayInputStream(data));
        store.putBytes("app-db/20261123T173600Z-3fa9c1/manifest.json", "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(stored).isEqualTo(data.length);
        assertThat(store.getBytes("app-db/20261123T173600Z-3fa9c1/data.dump.zst"))
                .isEqualTo(data);
        assertThat(Files.readAllBytes(root.resolve("app-db/20261123T173600Z-3fa9c1/data.dump.zst")))
                .isEqualTo(data);
        assertThat(store.exists("app-db/20261123T173600Z-3fa9c1/manifest.json")).isTrue();
        assertThat(store.exists("app-db/20261123T173600Z-3fa9c1/other")).isFalse();
        assertThat(store.list("app-db/"))
                .containsExactly(
                        "app-db/20261123T173600Z-3fa9c1/data.dump.zst", "app-db/20261123T173600Z-3fa9c1/manifest.json");

        store.delete("app-db/20261123T173600Z-3fa9c1/data.dump.zst");
        store.delete("app-db/20261123T173600Z-3fa9c1/manifest.json");
        store.delete("app-db/20261123T173600Z-3fa9c1/manifest.json"); // already gone: no error

        assertThat(store.list("")).isEmpty();
        assertThat(store.exists("app-db/20261123T173600Z-3fa9c1/manifest.json")).isFalse();
        assertThat(root.resolve("app-db")).as("emptied folders are removed").doesNotExist();
        assertThat(root).as("the root itself stays").isDirectory();
    }

    @Test
    void putReplacesAnExistingObject() throws IOException {
        store.putBytes("t/a", "old".getBytes(StandardCharsets.UTF_8));
        store.putBytes("t/a", "new".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(store.getBytes("t/a"), StandardCharsets.UTF_8)).isEqualTo("new");
        assertThat(store.list("t/")).containsExactly("t/a");
    }

    @Test
    void getOfAMissingKeyIsNoSuchFile() {
        assertThatThrownBy(() -> store.get("t/missing"))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("t/missing");
    }

    @Test
    void failingStreamLeavesNothingBehind() throws IOException {
        store.putBytes("t/keep", new byte[] {1});
        IOException boom = new IOException("pg_dump died");

        assertThatThrownBy(() -> store.put("t/backup/data.zst", new FailingStream(3 * 1024 * 1024, boom)))
                .isSameAs(boom);

        assertThat(store.list("")).containsExactly("t/keep");
        assertThat(store.exists("t/backup/data.zst")).isFalse();
        assertThat(allFiles()).as("no temp file survives").containsExactly(root.resolve("t/keep"));
    }

    @Test
    void listNeverShowsAnUploadInProgress() throws Exception {
        store.putBytes("t/done", new byte[] {1});
        BlockingStream slow = new BlockingStream(1024 * 1024);
        Thread writer = new Thread(() -> {
            try {
                store.put("t/in-progress", slow);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        slow.awaitHalfway();

        assertThat(allFiles()).as("the partial file is there on disk").hasSize(2);
        assertThat(store.list("t/")).containsExactly("t/done");
        assertThat(store.exists("t/in-progress")).isFalse();

        slow.release();
        writer.join(10_000);
        assertThat(store.list("t/")).containsExactly("t/done", "t/in-progress");
        assertThat(store.getBytes("t/in-progress")).hasSize(2 * 1024 * 1024);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "/etc/passwd", "a//b", "a\\b", "", "a/", "a/../../x", "./a", "a/./b", "C:/x"})
    void hostileKeysAreRejected(String key) {
        assertThatThrownBy(() -> store.put(key, new ByteArrayInputStream(new byte[] {1})))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.get(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(key)).isInstanceOf(IllegalArgumentException.class);
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void rejectedKeyMessageNamesTheKeyAndTheReason() {
        assertThatThrownBy(() -> store.put("../x", new ByteArrayInputStream(new byte[0])))
                .hasMessage("invalid key '../x': segment '..' is not allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../", "/", "/etc", "a//", "a\\"})
    void hostilePrefixesAreRejected(String prefix) {
        assertThatThrownBy(() -> store.list(prefix)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listIsSortedAndFiltersByPrefix() throws IOException {
        for (String key : List.of("b/2", "a/10", "a/1/x", "a/2", "ab/1", "c")) {
            store.putBytes(key, key.getBytes(StandardCharsets.UTF_8));
        }

        assertThat(store.list("")).containsExactly("a/1/x", "a/10", "a/2", "ab/1", "b/2", "c");
        assertThat(store.list("a/")).containsExactly("a/1/x", "a/10", "a/2");
        assertThat(store.list("a")).containsExactly("a/1/x", "a/10", "a/2", "ab/1");
        assertThat(store.list("a/1")).containsExactly("a/1/x", "a/10");
        assertThat(store.list("zzz/")).isEmpty();
    }

    @Test
    void listOfAStoreNotYetCreatedIsEmpty() throws IOException {
        assertThat(new FilesystemStore(dir.resolve("nowhere")).list("")).isEmpty();
    }

    @Test
    void stalePartialWritesOfAKilledProcessAreDeletedOnceOldEnough() throws IOException {
        store.putBytes("app-db/20261123T010000Z-000001/manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
        // what a SIGKILLed put leaves: a hidden temporary file beside its target, invisible to list()
        Path killedDir = Files.createDirectories(root.resolve("app-db/20261123T020000Z-00000a"));
        Path partial = Files.write(killedDir.resolve(".data.dump.zst.partial-0123456789abcdef"), new byte[10]);
        Path otherTarget = Files.createDirectories(root.resolve("cache/20261123T020000Z-00000b"));
        Path otherPartial = Files.write(otherTarget.resolve(".data.rdb.zst.partial-0123456789abcdef"), new byte[10]);
        Path lookalike = Files.write(killedDir.resolve(".data.dump.zst.partial-not-hex"), new byte[1]);
        java.time.Instant now = java.time.Instant.now();

        assertThat(store.deletePartialWrites("app-db/", now.minusSeconds(3600)))
                .as("younger than the cut-off: left alone")
                .isEmpty();
        assertThat(partial).exists();

        assertThat(store.deletePartialWrites("app-db/", now.plusSeconds(5)))
                .containsExactly("app-db/20261123T020000Z-00000a/data.dump.zst");
        assertThat(partial).doesNotExist();
        assertThat(lookalike).as("not a partial write of ours").exists();
        assertThat(otherPartial).as("another prefix").exists();
        assertThat(store.list("app-db/"))
                .containsExactly(
                        "app-db/20261123T010000Z-000001/manifest.json",
                        "app-db/20261123T020000Z-00000a/.data.dump.zst.partial-not-hex");
        assertThat(store.deletePartialWrites("nothing-here/", now)).isEmpty();
        assertThatThrownBy(() -> store.deletePartialWrites("../", now)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describeNamesTheFolder() {
        assertThat(store.describe()).isEqualTo("filesystem " + root.toAbsolutePath());
    }

    private List<Path> allFiles() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).collect(Collectors.toList());
        }
    }

    /** Yields {@code limit} bytes, then throws. */
    static final class FailingStream extends InputStream {
        private final long limit;
        private final IOException failure;
        private long sent;

        FailingStream(long limit, IOException failure) {
            this.limit = limit;
            this.failure = failure;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (sent >= limit) {
                throw failure;
            }
            int n = (int) Math.min(len, limit - sent);
            sent += n;
            return n;
        }
    }

    /** Yields {@code half} bytes, waits until released, then yields {@code half} more. */
    static final class BlockingStream extends InputStream {
        private final long half;
        private final java.util.concurrent.CountDownLatch halfway = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
        private long sent;

        BlockingStream(long half) {
            this.half = half;
        }

        void awaitHalfway() throws InterruptedException {
            assertThat(halfway.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }

        void release() {
            released.countDown();
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (sent == half) {
                halfway.countDown();
                try {
                    released.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
            if (sent >= 2 * half) {
                return -1;
            }
            long boundary = sent < half ? half : 2 * half;
            int n = (int) Math.min(len, boundary - sent);
            sent += n;
            return n;
        }
    }
}
