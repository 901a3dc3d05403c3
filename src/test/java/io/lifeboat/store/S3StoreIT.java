package io.lifeboat.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lifeboat.config.StoreConfig;
import io.lifeboat.testsupport.S3ProxyServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** {@link S3Store} against a real S3 API server (s3proxy) on loopback. */
class S3StoreIT {

    private static final int MB = 1024 * 1024;

    static S3ProxyServer s3;

    String bucket;
    S3Store store;

    @BeforeAll
    static void startServer() {
        s3 = S3ProxyServer.launch();
    }

    @AfterAll
    static void stopServer() {
        if (s3 != null) {
            s3.close();
        }
    }

    @BeforeEach
    void openStore() {
        bucket = "it-" + UUID.randomUUID().toString().substring(0, 8);
        store = new S3Store(s3.storeConfig(bucket));
    }

    @AfterEach
    void closeStore() throws IOException {
        store.close();
    }

    @Test
    void roundTripPutGetExistsListDelete() throws IOException {
        byte[] data = "redis rdb".getBytes(StandardCharsets.UTF_8);

        long stored = store.put("cache/20261123T173600Z-3fa9c1/data.rdb.zst", new ByteArrayInputStream(data));
        store.putBytes("cache/20261123T173600Z-3fa9c1/manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
        store.putBytes("app-db/20261123T010000Z-000001/manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
        store.putBytes("empty", new byte[0]);

        assertThat(stored).isEqualTo(data.length);
        assertThat(store.getBytes("cache/20261123T173600Z-3fa9c1/data.rdb.zst")).isEqualTo(data);
        assertThat(store.getBytes("empty")).isEmpty();
        assertThat(store.exists("cache/20261123T173600Z-3fa9c1/manifest.json")).isTrue();
        assertThat(store.exists("cache/20261123T173600Z-3fa9c1/other")).isFalse();
        assertThat(store.list("cache/"))
                .containsExactly(
                        "cache/20261123T173600Z-3fa9c1/data.rdb.zst", "cache/20261123T173600Z-3fa9c1/manifest.json");
        assertThat(store.list(""))
                .containsExactly(
                        "app-db/20261123T010000Z-000001/manifest.json",
                        "cache/20261123T173600Z-3fa9c1/data.rdb.zst",
                        "cache/20261123T173600Z-3fa9c1/manifest.json",
                        "empty");

        store.delete("cache/20261123T173600Z-3fa9c1/data.rdb.zst");
        store.delete("cache/20261123T173600Z-3fa9c1/data.rdb.zst"); // already gone: no error

        assertThat(store.exists("cache/20261123T173600Z-3fa9c1/data.rdb.zst")).isFalse();
        assertThat(store.list("cache/")).containsExactly("cache/20261123T173600Z-3fa9c1/manifest.json");
        assertThatThrownBy(() -> store.get("cache/20261123T173600Z-3fa9c1/data.rdb.zst"))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("cache/20261123T173600Z-3fa9c1/data.rdb.zst");
    }

    @Test
    void aLargeStreamOfUnknownLengthComesBackByteIdentical() throws Exception {
        long size = 40L * MB + 12345; // three 16 MiB parts, the last one short
        DigestInputStream source = new DigestInputStream(new RandomStream(size, 7), sha256());

        long stored = store.put("big/data.bin.zst", source);

        assertThat(stored).isEqualTo(size);
        String sent = HexFormat.of().formatHex(source.getMessageDigest().digest());
        try (DigestInputStream back = new DigestInputStream(store.get("big/data.bin.zst"), sha256())) {
            long read = back.transferTo(OutputStreamSink.INSTANCE);
            assertThat(read).isEqualTo(size);
            assertThat(HexFormat.of().formatHex(back.getMessageDigest().digest()))
                    .isEqualTo(sent);
        }
        assertThat(store.list("big/")).containsExactly("big/data.bin.zst");
    }

    @Test
    void aStreamOfExactlyOnePartIsStored() throws Exception {
        byte[] data = new RandomStream(S3Settings.DEFAULT_PART_SIZE, 3).readAllBytes();

        assertThat(store.put("edge/one-part", new ByteArrayInputStream(data))).isEqualTo(data.length);

        assertThat(store.getBytes("edge/one-part")).isEqualTo(data);
    }

    @Test
    void aStreamFailingMidUploadLeavesNoObject() {
        IOException boom = new IOException("pg_dump exited with 1");

        // 3 MB: inside the first part; 20 MB: after the multipart upload began and a part was sent
        assertThatThrownBy(() -> store.put("fail/small", new FailingStream(3L * MB, boom)))
                .isSameAs(boom);
        assertThatThrownBy(() -> store.put("fail/large", new FailingStream(20L * MB, boom)))
                .isSameAs(boom);

        assertThat(objects("fail/")).isEmpty();
        assertThat(exists("fail/large")).isFalse();
        assertThat(filesOnServer())
                .as("no part of the aborted upload is left on the server")
                .isEmpty();
    }

    @Test
    void aServerOutageDuringUploadFailsClearlyAndTheNextPutSucceedsAfterRestart() throws Exception {
        store.putBytes("outage/before", new byte[] {1});
        CountDownLatch sentEnough = new CountDownLatch(1);
        InputStream endless = new RandomStream(2000L * MB, 11) {
            @Override
            protected void delivered(long total) {
                if (total >= 40L * MB) {
                    sentEnough.countDown();
                }
            }
        };
        Thread killer = new Thread(() -> {
            try {
                sentEnough.await();
                s3.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        killer.start();
        try {
            IOException failure = assertTimeoutPreemptively(
                    Duration.ofSeconds(60),
                    () -> catchIo(() -> store.put("outage/data.zst", endless)),
                    "put must fail, not hang, when the server dies");

            assertThat(failure).isNotNull();
            assertThat(failure.getMessage())
                    .startsWith("upload of outage/data.zst to s3 " + s3.endpoint() + "/" + bucket + ": ");
            assertThat(failure.getMessage()).doesNotContain(s3.secretKey());
        } finally {
            killer.join(30_000);
            s3.start();
        }

        store.putBytes("outage/after", "fine".getBytes(StandardCharsets.UTF_8));

        assertThat(store.list("outage/")).containsExactly("outage/after", "outage/before");
        assertThat(new String(store.getBytes("outage/after"), StandardCharsets.UTF_8))
                .isEqualTo("fine");
    }

    @Test
    void aDeadServerFailsFastWithTheEndpointInTheMessage() throws Exception {
        StoreConfig config = s3.storeConfig(bucket);
        int deadPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        String deadEndpoint = "http://127.0.0.1:" + deadPort;
        StoreConfig dead = new StoreConfig(
                "s3", deadEndpoint, config.bucket(), null, config.accessKey(), config.secretKey(), null);

        try (S3Store deadStore = new S3Store(dead)) {
            IOException failure = assertTimeoutPreemptively(
                    Duration.ofSeconds(30), () -> catchIo(() -> deadStore.putBytes("x/y", new byte[] {1})));
            assertThat(failure.getMessage())
                    .startsWith("upload of x/y to s3 " + deadEndpoint + "/" + bucket + ": ")
                    .contains("connection refused");
        }
    }

    @Test
    void theBucketIsCreatedOnFirstPut() throws IOException {
        assertThat(Files.exists(s3.dataDir().resolve(bucket))).isFalse();
        assertThat(store.list("")).as("a missing bucket lists as empty").isEmpty();
        assertThat(store.exists("a/b")).isFalse();

        store.putBytes("a/b", new byte[] {42});

        try (S3Store other = new S3Store(s3.storeConfig(bucket))) {
            assertThat(other.list("")).containsExactly("a/b");
            assertThat(other.getBytes("a/b")).containsExactly(42);
        }
    }

    @Test
    void aWrongSecretKeyGivesAClearErrorWithoutTheSecret() throws Exception {
        String wrongSecret = "wrong-" + UUID.randomUUID();
        StoreConfig good = s3.storeConfig(bucket);
        StoreConfig bad = new StoreConfig("s3", good.endpoint(), bucket, null, good.accessKey(), wrongSecret, null);

        try (S3Store badStore = new S3Store(bad)) {
            IOException failure = catchIo(() -> badStore.putBytes("x/y", new byte[] {1}));
            IOException listFailure = catchIo(() -> badStore.list(""));

            assertThat(failure.getMessage())
                    .startsWith("upload of x/y to s3 " + good.endpoint() + "/" + bucket + ": ")
                    .contains("check the store's accessKey and secretKey")
                    .doesNotContain(wrongSecret);
            assertThat(listFailure.getMessage())
                    .contains("check the store's accessKey and secretKey")
                    .doesNotContain(wrongSecret);
            assertThat(badStore.toString()).doesNotContain(wrongSecret);
            assertThat(badStore.describe()).isEqualTo("s3 " + good.endpoint() + "/" + bucket);
        }
    }

    @Test
    void hostileKeysAreRejected() {
        for (String key : List.of("../x", "/etc/passwd", "a//b", "a\\b")) {
            assertThatThrownBy(() -> store.putBytes(key, new byte[] {1})).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Opt-in: {@code -Dlifeboat.bench.mb=500} measures put throughput of an unknown-length stream. */
    @Test
    @EnabledIfSystemProperty(named = "lifeboat.bench.mb", matches = "\\d+")
    void putThroughput() throws IOException {
        long size = Long.getLong("lifeboat.bench.mb") * MB;
        int partSize = Integer.getInteger("lifeboat.bench.partMb", 16) * MB;
        try (S3Store bench = new S3Store(s3.storeConfig(bucket), S3Settings.DEFAULTS.withPartSize(partSize))) {
            bench.putBytes("warm/up", new byte[] {1});
            long start = System.nanoTime();
            long stored = bench.put("bench/data.bin", new RandomStream(size, 5));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "S3Store put: %d MiB in %.2f s = %.1f MiB/s (part %d MiB)%n",
                    stored / MB, seconds, stored / MB / seconds, partSize / MB);
            assertThat(stored).isEqualTo(size);
        }
    }

    private List<String> objects(String prefix) {
        try (S3Store fresh = new S3Store(s3.storeConfig(bucket))) {
            return fresh.list(prefix);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private boolean exists(String key) {
        try (S3Store fresh = new S3Store(s3.storeConfig(bucket))) {
            return fresh.exists(key);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private List<Path> filesOnServer() {
        Path dir = s3.dataDir().resolve(bucket);
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static MessageDigest sha256() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256");
    }

    interface IoAction {
        void run() throws IOException;
    }

    private static IOException catchIo(IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            return e;
        }
        throw new AssertionError("expected an IOException");
    }

    /** Discards what it is given. */
    static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }

    /** {@code size} pseudo-random (incompressible) bytes from a seed, made as they are read. */
    static class RandomStream extends InputStream {
        private final long size;
        private final SplittableRandom random;
        private long sent;

        RandomStream(long size, long seed) {
            this.size = size;
            this.random = new SplittableRandom(seed);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (sent >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - sent);
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                long v = random.nextLong();
                for (int j = 0; j < 8; j++) {
                    b[off + i + j] = (byte) (v >>> (8 * j));
                }
            }
            for (; i < n; i++) {
                b[off + i] = (byte) random.nextInt(256);
            }
            sent += n;
            delivered(sent);
            return n;
        }

        /** Called after each read with the total delivered so far. */
        protected void delivered(long total) {}
    }

    @Test
    void unfinishedMultipartUploadsUnderAPrefixAreAbortedOnceOldEnough() throws Exception {
        assertThat(store.abortIncompleteUploads("app-db/", java.time.Instant.now()))
                .as("no bucket yet: nothing to abort, no error")
                .isEmpty();
        store.putBytes("app-db/20261123T010000Z-000001/manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
        // what a SIGKILLed backup leaves: an upload started, one part sent, never completed nor aborted
        io.minio.MinioAsyncClient client = io.minio.MinioAsyncClient.builder()
                .endpoint(s3.endpoint())
                .credentials(s3.accessKey(), s3.secretKey())
                .build();
        String killed = "app-db/20261123T020000Z-00000a/data.dump.zst";
        String other = "cache/20261123T020000Z-00000b/data.rdb.zst";
        String killedUpload = startUpload(client, killed);
        startUpload(client, other);

        assertThat(store.abortIncompleteUploads(
                        "app-db/", java.time.Instant.now().minus(Duration.ofHours(1))))
                .as("younger than the grace: left alone")
                .isEmpty();
        assertThat(openUploads(client, "app-db/")).containsExactly(killed);

        assertThat(store.abortIncompleteUploads(
                        "app-db/", java.time.Instant.now().plusSeconds(5)))
                .containsExactly(killed);

        assertThat(openUploads(client, "app-db/")).isEmpty();
        assertThat(openUploads(client, "cache/"))
                .as("another prefix is untouched")
                .containsExactly(other);
        assertThatThrownBy(() -> client.completeMultipartUploadAsync(
                                bucket,
                                null,
                                killed,
                                killedUpload,
                                new io.minio.messages.Part[] {new io.minio.messages.Part(1, "x")},
                                null,
                                null)
                        .get())
                .as("the aborted upload cannot be completed any more")
                .hasMessageContaining("NoSuchUpload");
        assertThat(store.list("app-db/")).containsExactly("app-db/20261123T010000Z-000001/manifest.json");
        assertThatThrownBy(() -> store.abortIncompleteUploads("../", java.time.Instant.now()))
                .isInstanceOf(IllegalArgumentException.class);
        client.close();
    }

    private String startUpload(io.minio.MinioAsyncClient client, String key) throws Exception {
        String uploadId = client.createMultipartUploadAsync(bucket, null, key, null, null)
                .get()
                .result()
                .uploadId();
        byte[] part = new byte[5 * MB];
        client.uploadPartAsync(bucket, null, key, part, part.length, uploadId, 1, null, null)
                .get();
        return uploadId;
    }

    private List<String> openUploads(io.minio.MinioAsyncClient client, String prefix) throws Exception {
        return client
                .listMultipartUploadsAsync(bucket, null, null, null, null, 1000, prefix, null, null, null)
                .get()
                .result()
                .uploads()
                .stream()
                .map(io.minio.messages.Upload::objectName)
                .toList();
    }

    /** Yields {@code limit} zero bytes, then throws. */
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
}
