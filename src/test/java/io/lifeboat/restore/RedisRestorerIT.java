package io.lifeboat.restore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.crypto.Encryptions;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Validation;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.ArtifactReader;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.store.FilesystemStore;
import io.lifeboat.testsupport.ScratchRedis;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RedisRestorer against real redis-server processes: back up, destroy, restore, compare every key. */
class RedisRestorerIT {

    @TempDir
    Path tmp;

    ScratchRedis live;
    LifeboatConfig config;
    FilesystemStore store;
    Catalog catalog;
    BackupService service;
    Map<String, String> original;

    @BeforeEach
    void setUp() throws Exception {
        live = ScratchRedis.start("--repl-diskless-sync-delay", "0");
        live.call("SET", "greeting", "hello, world");
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        live.call("SET", "blob", binary);
        for (int i = 0; i < 500; i++) {
            live.call("HSET", "user:" + i, "name", "user " + i, "visits", Integer.toString(i));
        }
        live.call("RPUSH", "queue", "a", "b", "c", "a");
        live.call("SADD", "tags", "x", "y", "z");
        live.call("ZADD", "scores", "1.5", "ada", "2", "bob");
        live.call("SET", "session:1", "temp", "EX", "3600");
        Files.writeString(tmp.resolve("lifeboat.yaml"), """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  cache: {kind: redis, url: "%s", schedule: "0 0 2 * * ?", rpo: 7h}
                """.formatted(live.url()));
        config = ConfigLoader.load(tmp.resolve("lifeboat.yaml"), Map.of());
        store = new FilesystemStore(config.primary().path());
        catalog = Catalog.open(config.catalog(), config.dataDir());
        service = new BackupService(
                config,
                store,
                catalog,
                new Events(EventSink.NONE),
                Clock.systemUTC(),
                new BackupService.Compression(3, 1));
        try (Resp r = Resp.connect(live.port(), 5000)) {
            r.call("SELECT", "3");
            r.call("SET", "in-db-3", "other database");
        }
        original = snapshot(live.port());
        assertThat(original).hasSize(507);
    }

    @AfterEach
    void tearDown() throws Exception {
        catalog.close();
        live.close();
    }

    @Test
    void aBackupRestoresIntoAScratchServerWithEveryKeyAndDiscardStopsIt() throws Exception {
        Manifest m = service.backup("cache", Trigger.manual("test"), new Progress());
        live.call("FLUSHALL");
        live.call("SET", "after", "the disaster");

        Restored restored = restoreThroughTheStore(m, null, true, Map.of());
        int port = port(restored);
        long pid = pid(port);
        Path dir = dir(port);

        assertThat(snapshot(port)).isEqualTo(original);
        assertThat(restored.description()).contains("507 keys loaded");
        assertThat(restored.resource()).isNotNull();
        assertThat(dir).startsWith(tmp.resolve("data/restores"));
        List<ValidationResult> results = restorer()
                .validate(
                        restored,
                        List.of(
                                keys("user:*", 500L, 500L),
                                keys("*", 1L, null),
                                keys("user:*", 501L, null),
                                keys("in-db-*", 1L, 1L),
                                new Validation("select 1", null, null, null, null, null)));
        assertThat(results).extracting(ValidationResult::ok).containsExactly(true, true, false, true, false);
        assertThat(results.get(1).value()).isEqualTo(507L);
        assertThat(results.get(2).detail()).isEqualTo("500 keys match, outside the bounds");

        restorer().discard(restored);

        assertGone(port, pid, dir);
        restorer().discard(restored); // twice is fine
    }

    @Test
    void theResourceStopsTheServerToo() throws Exception {
        Manifest m = service.backup("cache", Trigger.manual("test"), new Progress());
        Restored restored = restoreThroughTheStore(m, null, true, Map.of());
        int port = port(restored);
        long pid = pid(port);
        Path dir = dir(port);

        restored.resource().close();

        assertGone(port, pid, dir);
    }

    @Test
    void withoutIntoTheServerKeepsRunningAndSaysHowToStopIt() throws Exception {
        Manifest m = service.backup("cache", Trigger.manual("test"), new Progress());

        Restored restored = restoreThroughTheStore(m, null, false, Map.of());
        int port = port(restored);
        long pid = pid(port);
        Path dir = dir(port);

        assertThat(restored.resource()).as("nothing to close: it keeps running").isNull();
        assertThat(restored.description())
                .contains("redis-cli -p " + port + " shutdown nosave")
                .contains("keeps running");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::parent).flatMap(p -> p))
                .as("daemonized: not a child of this JVM")
                .hasValueSatisfying(parent -> assertThat(parent.pid())
                        .isNotEqualTo(ProcessHandle.current().pid()));
        assertThat(snapshot(port)).isEqualTo(original);

        Process stop = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "shutdown", "nosave").start();
        stop.waitFor(10, TimeUnit.SECONDS);
        waitUntilGone(pid);
        assertThat(answers(port)).isFalse();
        ScratchPlaces.deleteTree(dir);
    }

    @Test
    void replaceLoadsTheBackupIntoANamedInstanceByReplicationAndKeepsItsOldData() throws Exception {
        Manifest m = service.backup("cache", Trigger.manual("test"), new Progress());
        try (ScratchRedis named = ScratchRedis.start()) {
            named.call("SET", "old", "data to be replaced");
            named.call("SET", "greeting", "stale");
            Map<String, String> options = Map.of("replace", "true");

            Restored restored = restoreThroughTheStore(m, named.url(), false, options);
            int port = port(restored);
            long pid = pid(port);
            Path dir = dir(port);
            assertThat(restorer().validate(restored, List.of(keys("user:*", 500L, null))))
                    .allMatch(ValidationResult::ok);
            assertThat(named.get("old")).as("nothing replaced before promote").isEqualTo("data to be replaced");

            Restored promoted = restorer().promote(restored, request(m, named.url(), false, options));

            assertThat(snapshot(named.port())).isEqualTo(original);
            assertThat(new String((byte[]) ((List<?>) named.call("ROLE")).get(0), UTF_8))
                    .as("no longer a replica")
                    .isEqualTo("master");
            assertThat(promoted.location()).isEqualTo("redis://127.0.0.1:" + named.port());
            assertThat(promoted.description()).contains("507 keys now").contains("pre_restore_");
            assertGone(port, pid, dir);
            Path saved;
            try (Stream<Path> s = Files.list(tmp.resolve("data/restores"))) {
                saved = s.filter(p -> p.getFileName().toString().startsWith("cache-pre_restore_"))
                        .findFirst()
                        .orElseThrow();
            }
            assertThat(promoted.description()).contains(saved.toString());
            try (ScratchRedis before = ScratchRedis.startWith(saved)) {
                assertThat(before.get("old")).isEqualTo("data to be replaced");
                assertThat(before.call("DBSIZE")).isEqualTo(2L);
            }
        }
    }

    @Test
    void replaceNeedsIntoAndIntoNeedsReplace() throws Exception {
        Manifest m = service.backup("cache", Trigger.manual("test"), new Progress());

        RestoreFailedException noReplace = catchThrowableOfType(
                RestoreFailedException.class, () -> restoreThroughTheStore(m, live.url(), false, Map.of()));
        RestoreFailedException notAUrl = catchThrowableOfType(
                RestoreFailedException.class,
                () -> restoreThroughTheStore(m, "/tmp/somewhere", false, Map.of("replace", "true")));
        Restored restored = restoreThroughTheStore(m, null, false, Map.of("replace", "true"));
        RestoreFailedException noInto = catchThrowableOfType(
                RestoreFailedException.class,
                () -> restorer().promote(restored, request(m, null, false, Map.of("replace", "true"))));
        restorer().discard(restored);

        assertThat(noReplace).hasMessageContaining("add --replace");
        assertThat(notAUrl).hasMessageContaining("redis://host:port");
        assertThat(noInto).hasMessageContaining("needs --into redis://host:port");
        assertThat(live.get("greeting")).isEqualTo("hello, world");
    }

    @Test
    void aWrongPasswordOnTheNamedInstanceReplacesNothing() throws Exception {
        Manifest m = service.backup("cache", Trigger.manual("test"), new Progress());
        try (ScratchRedis named = ScratchRedis.start("--requirepass", "right")) {
            named.call("SET", "old", "kept");
            String into = "redis://:wrong@127.0.0.1:" + named.port();
            Map<String, String> options = Map.of("replace", "true");
            Restored restored = restoreThroughTheStore(m, into, false, options);

            RestoreFailedException e = catchThrowableOfType(
                    RestoreFailedException.class, () -> restorer().promote(restored, request(m, into, false, options)));

            assertThat(e).hasMessageContaining("127.0.0.1:" + named.port());
            assertThat(e.getMessage()).doesNotContain("wrong");
            assertThat(named.get("old")).isEqualTo("kept");
            assertThat(named.call("DBSIZE")).isEqualTo(1L);
            restorer().discard(restored);
        }
    }

    @Test
    void somethingThatIsNotAnRdbFailsAndLeavesNoServer() throws Exception {
        RestoreFailedException notRdb = catchThrowableOfType(
                RestoreFailedException.class,
                () -> restorer()
                        .restore(
                                new ByteArrayInputStream("hello".getBytes(UTF_8)),
                                request(DirectoryRestorerTest.manifest(), null, true, Map.of())));
        byte[] corrupt = new byte[4096];
        System.arraycopy("REDIS0010".getBytes(UTF_8), 0, corrupt, 0, 9);
        for (int i = 9; i < corrupt.length; i++) {
            corrupt[i] = (byte) (i * 31);
        }
        RestoreFailedException bad = catchThrowableOfType(
                RestoreFailedException.class,
                () -> restorer()
                        .restore(
                                new ByteArrayInputStream(corrupt),
                                request(DirectoryRestorerTest.manifest(), null, true, Map.of())));

        assertThat(notRdb).hasMessageContaining("not an RDB file");
        assertThat(bad).hasMessageContaining("redis-server could not load the RDB");
        assertThat(bad.stderr()).isNotBlank();
        assertThat(serversUnder(tmp))
                .as("redis-servers running in this test's folders")
                .isZero();
        try (Stream<Path> left = Files.list(tmp.resolve("data/restores"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void theDryRunPlanNamesTheCommandsAndChangesNothing() throws Exception {
        Manifest m = service.backup("cache", Trigger.manual("test"), new Progress());
        String into = "redis://:s3cret@127.0.0.1:" + live.port();

        List<String> plan = restorer().plan(request(m, into, false, Map.of("replace", "true")));

        assertThat(String.join("\n", plan))
                .contains("redis-server --port <free port> --bind 127.0.0.1")
                .contains("--save \"\"")
                .contains("REPLICAOF 127.0.0.1")
                .contains("pre_restore")
                .doesNotContain("s3cret");
        assertThat(tmp.resolve("data/restores")).doesNotExist();
    }

    // ---- helpers

    private Restored restoreThroughTheStore(Manifest m, String into, boolean scratch, Map<String, String> options)
            throws Exception {
        try (ArtifactReader reader =
                ArtifactReader.open(store, m, Encryptions.forReading(m, config.primary()), new Progress())) {
            Restored r = restorer().restore(reader.raw(), request(m, into, scratch, options));
            reader.finish();
            return r;
        }
    }

    private Restorer restorer() {
        return Restorers.forTarget(target(), config.dataDir());
    }

    private TargetConfig target() {
        return config.target("cache").orElseThrow();
    }

    private RestoreRequest request(Manifest m, String into, boolean scratch, Map<String, String> options) {
        return new RestoreRequest(target(), m, into, scratch, options);
    }

    private static Validation keys(String pattern, Long min, Long max) {
        return new Validation(null, pattern, null, null, min, max);
    }

    static int port(Restored restored) {
        assertThat(restored.location()).matches("redis://127\\.0\\.0\\.1:\\d+");
        return Integer.parseInt(
                restored.location().substring(restored.location().lastIndexOf(':') + 1));
    }

    static long pid(int port) throws IOException {
        try (Resp r = Resp.connect(port, 5000)) {
            return Long.parseLong(RedisRestorer.field(r.text("INFO", "server"), "process_id"));
        }
    }

    static Path dir(int port) throws IOException {
        try (Resp r = Resp.connect(port, 5000)) {
            return Path.of(new String((byte[]) ((List<?>) r.call("CONFIG", "GET", "dir")).get(1), UTF_8));
        }
    }

    static void assertGone(int port, long pid, Path dir) throws Exception {
        waitUntilGone(pid);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("redis-server pid " + pid + " stopped")
                .isFalse();
        assertThat(answers(port)).as("port " + port + " closed").isFalse();
        assertThat(dir).doesNotExist();
    }

    static void waitUntilGone(long pid) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    static boolean answers(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** redis-server processes whose working folder (redis-server changes into its --dir) is under {@code root}. */
    static long serversUnder(Path root) {
        return ProcessHandle.allProcesses()
                .filter(p ->
                        p.info().command().map(c -> c.endsWith("redis-server")).orElse(false))
                .filter(p -> {
                    try {
                        return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"))
                                .toString()
                                .startsWith(root.toString());
                    } catch (IOException e) {
                        return false;
                    }
                })
                .count();
    }

    /** Every key of every database, with its type, value (hex for strings) and whether it expires. */
    static Map<String, String> snapshot(int port) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Resp r = Resp.connect(port, 10_000)) {
            for (int db : RedisRestorer.databases(r.text("INFO", "keyspace"))) {
                r.call("SELECT", Integer.toString(db));
                for (Object k : (List<?>) r.call("KEYS", "*")) {
                    String key = new String((byte[]) k, UTF_8);
                    String type = r.text("TYPE", key);
                    Object value = switch (type) {
                        case "string" -> HexFormat.of().formatHex((byte[]) r.call("GET", key));
                        case "hash" -> new TreeMap<>(pairs(r.call("HGETALL", key)));
                        case "list" -> texts(r.call("LRANGE", key, "0", "-1"));
                        case "set" ->
                            texts(r.call("SMEMBERS", key)).stream().sorted().toList();
                        case "zset" -> texts(r.call("ZRANGE", key, "0", "-1", "WITHSCORES"));
                        default -> throw new AssertionError("unexpected type " + type);
                    };
                    long ttl = (Long) r.call("PTTL", key);
                    all.put(db + "/" + key, type + " " + value + (ttl > 0 ? " expires" : ""));
                }
            }
        }
        return all;
    }

    private static List<String> texts(Object reply) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) reply) {
            out.add(new String((byte[]) o, UTF_8));
        }
        return out;
    }

    private static Map<String, String> pairs(Object reply) {
        List<String> t = texts(reply);
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i + 1 < t.size(); i += 2) {
            m.put(t.get(i), t.get(i + 1));
        }
        return m;
    }
}
