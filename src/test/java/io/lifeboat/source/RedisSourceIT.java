package io.lifeboat.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lifeboat.testsupport.ScratchRedis;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RedisSource against real redis-server processes; the snapshot is loaded by a second, fresh server. */
class RedisSourceIT {

    private static final byte[] BINARY = new byte[256];

    static {
        for (int i = 0; i < BINARY.length; i++) {
            BINARY[i] = (byte) i;
        }
    }

    @TempDir
    Path tmp;

    /** "yes": the server streams a diskless snapshot ended by a marker; "no": it sends a sized file. */
    @ParameterizedTest(name = "repl-diskless-sync {0}")
    @ValueSource(strings = {"yes", "no"})
    void snapshotLoadsIntoAFreshServer(String diskless) throws Exception {
        Path rdb = tmp.resolve("data.rdb");
        try (ScratchRedis live =
                ScratchRedis.start("--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0")) {
            live.call("SET", "greeting", "hello, world");
            live.call("HSET", "user:1", "name", "Ada", "lang", "en");
            live.call("RPUSH", "queue", "a", "b", "c");
            live.call("SET", "blob", BINARY);
            try (OutputStream out = Files.newOutputStream(rdb)) {
                new RedisSource(live.url(), null).writeTo(out);
            }
        }

        byte[] bytes = Files.readAllBytes(rdb);
        assertThat(new String(bytes, 0, 5, UTF_8)).isEqualTo("REDIS");
        // an RDB ends with the EOF opcode and an 8-byte checksum: nothing of redis-cli's may follow
        assertThat(bytes[bytes.length - 9]).isEqualTo((byte) 0xFF);

        try (ScratchRedis restored = ScratchRedis.startWith(rdb)) {
            assertThat(restored.call("DBSIZE")).isEqualTo(4L);
            assertThat(restored.get("greeting")).isEqualTo("hello, world");
            assertThat(texts(restored.call("HGETALL", "user:1"))).containsExactly("name", "Ada", "lang", "en");
            assertThat(texts(restored.call("LRANGE", "queue", "0", "-1"))).containsExactly("a", "b", "c");
            assertThat((byte[]) restored.call("GET", "blob")).isEqualTo(BINARY);
        }
    }

    @Test
    void passwordFromTheUrlTravelsInTheEnvironment() throws Exception {
        try (ScratchRedis live = ScratchRedis.start("--requirepass", "s3cr:et")) {
            live.call("SET", "k", "v");
            RedisSource source = new RedisSource("redis://:s3cr%3Aet@127.0.0.1:" + live.port() + "/0", null);
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            source.writeTo(out);

            assertThat(out.toString(UTF_8)).startsWith("REDIS");
            assertThat(source.command()).noneMatch(arg -> arg.contains("s3cr"));
        }
    }

    @Test
    void wrongPasswordFails() throws Exception {
        try (ScratchRedis live = ScratchRedis.start("--requirepass", "right")) {
            RedisSource source = new RedisSource(live.url(), "wrong");

            SourceFailedException e = catchThrowableOfType(
                    SourceFailedException.class, () -> source.writeTo(new ByteArrayOutputStream()));

            assertThat(e).hasMessageContaining("redis-cli exited with code 1");
            assertThat(e.stderr()).containsIgnoringCase("auth");
        }
    }

    @Test
    void connectionRefusedFails() throws Exception {
        int port = ScratchRedis.freePort();
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        SourceFailedException e = catchThrowableOfType(
                SourceFailedException.class, () -> new RedisSource("redis://127.0.0.1:" + port, null).writeTo(out));

        assertThat(e).hasMessageContaining("redis-cli exited with code 1").hasMessageContaining("Connection refused");
        assertThat(e.stderr()).contains("Could not connect to Redis at 127.0.0.1:" + port);
        assertThat(out.size()).isZero();
    }

    @Test
    void reportsItsTool() {
        RedisSource source = new RedisSource("redis://127.0.0.1:6379", null);

        assertThat(source.tool()).isEqualTo("redis-cli");
        assertThat(source.toolVersion()).startsWith("redis-cli ");
    }

    private static List<String> texts(Object reply) {
        return ((List<?>) reply)
                .stream().map(item -> new String((byte[]) item, UTF_8)).toList();
    }
}
