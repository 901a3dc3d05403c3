package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.LifeboatCli.Result;
import io.lifeboat.testsupport.MqttRecorder;
import io.lifeboat.testsupport.Postgres;
import io.lifeboat.testsupport.S3ProxyServer;
import io.lifeboat.testsupport.ScratchRedis;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole backup path as a user drives it: the real launcher jar against real PostgreSQL, Redis,
 * Mosquitto and an S3 API server; restores done by hand with stock tools only (an S3 client,
 * {@code zstd -d}, {@code pg_restore}, {@code tar -x}, {@code redis-server}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupEndToEndIT {

    static final String BUCKET = "lifeboat";
    static final String MQTT = "tcp://127.0.0.1:1883";

    @TempDir
    static Path work;

    S3ProxyServer s3;
    Postgres db;
    ScratchRedis redis;
    Path folder;
    Path slowFlag;
    Path throttleFlag;
    String prefix;
    LifeboatCli cli;
    MinioClient minio;

    @BeforeAll
    void startEverything() throws Exception {
        s3 = S3ProxyServer.launch();
        minio = MinioClient.builder()
                .endpoint(s3.endpoint())
                .credentials(s3.accessKey(), s3.secretKey())
                .build();

        db = Postgres.create("lifeboat_e2e");
        db.execute(
                "create table users (id int primary key, name text not null, note text)",
                "insert into users select g, 'user ' || g, repeat(md5(g::text), 20) from generate_series(1, 5000) g",
                "create table \"odd \"\"name\" (v text)",
                "insert into \"odd \"\"name\" values ('quote '' and ; semicolon'), (E'tab\\tnewline\\n')");

        redis = ScratchRedis.start();
        redis.call("SET", "greeting", "hello");
        redis.call("HSET", "user:1", "name", "ada", "role", "admin");
        redis.call("RPUSH", "queue", "a", "b", "c");
        redis.call("SET", "binary", new byte[] {0, 1, 2, (byte) 0xff});

        folder = Files.createDirectories(work.resolve("app-config"));
        Files.writeString(folder.resolve("settings.yaml"), "answer: 42\n");
        Files.createDirectories(folder.resolve("nested/deeper"));
        byte[] random = new byte[3_000_000];
        new Random(7).nextBytes(random);
        Files.write(folder.resolve("nested/deeper/blob.bin"), random);
        Files.createFile(folder.resolve("empty"));

        slowFlag = work.resolve("slow.flag");
        throttleFlag = work.resolve("throttle.flag");
        prefix = "lifeboat-it-" + UUID.randomUUID().toString().substring(0, 8);
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage:
                  primary: {type: s3, endpoint: "%s", bucket: %s, accessKey: "${IT_S3_KEY}", secretKey: "${IT_S3_SECRET}"}
                mqtt: {url: "%s", prefix: "%s"}
                targets:
                  app-db: {kind: postgres, host: 127.0.0.1, port: 5432, database: %s, user: postgres, schedule: "0 0 2 * * ?", rpo: 26h}
                  cache: {kind: redis, url: "%s", schedule: "0 0 */6 * * ?", rpo: 7h}
                  app-config: {kind: directory, path: "%s", schedule: "0 30 2 * * ?", rpo: 26h}
                  slow:
                    kind: command
                    command: ["sh", "-c", "if [ -f '%s' ]; then head -c 40000000 /dev/urandom; sleep 120; else echo quick; fi"]
                    extension: bin
                    schedule: "0 0 3 * * ?"
                    rpo: 26h
                  throttled:
                    kind: command
                    command: ["sh", "-c", "if [ -f '%s' ]; then for i in $(seq 1 100); do head -c 1000000 /dev/urandom; sleep 0.1; done; else echo small; fi"]
                    schedule: "0 0 3 * * ?"
                    rpo: 26h
                  broken:
                    kind: command
                    command: ["sh", "-c", "echo partial; echo 'pg_dump: error: connection refused' >&2; exit 3"]
                    schedule: "0 0 3 * * ?"
                    rpo: 26h
                """.formatted(
                        s3.endpoint(), BUCKET, MQTT, prefix, db.name(), redis.url(), folder, slowFlag, throttleFlag));
        cli = new LifeboatCli(config).env("IT_S3_KEY", s3.accessKey()).env("IT_S3_SECRET", s3.secretKey());
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (redis != null) redis.close();
        if (db != null) db.close();
        if (s3 != null) s3.close();
    }

    @Test
    void postgresBackupRestoresByHandWithStockTools() throws Exception {
        Result r = cli.run("backup", "app-db", "--reason", "integration test");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String id = r.stdout().strip();
        JsonNode manifest = manifest("app-db", id);
        assertThat(manifest.get("kind").asText()).isEqualTo("postgres");
        assertThat(manifest.get("sourceTool").asText()).isEqualTo("pg_dump");
        assertThat(manifest.get("trigger").get("detail").asText()).isEqualTo("integration test");
        assertThat(manifest.get("restoreHint").asText()).contains("pg_restore");

        Path zst = download(manifest.get("artifactKey").asText());
        assertThat(sha256(zst)).isEqualTo(manifest.get("sha256").asText());
        assertThat(Files.size(zst)).isEqualTo(manifest.get("storedBytes").asLong());
        Path dump = work.resolve("app-db.dump");
        run("zstd", "-q", "-d", zst.toString(), "-o", dump.toString());
        assertThat(Files.size(dump)).isEqualTo(manifest.get("rawBytes").asLong());

        try (Postgres fresh = Postgres.create("lifeboat_restored")) {
            run(
                    "pg_restore",
                    "--no-owner",
                    "-h",
                    Postgres.HOST,
                    "-p",
                    String.valueOf(Postgres.PORT),
                    "-U",
                    Postgres.USER,
                    "-d",
                    fresh.name(),
                    dump.toString());
            assertThat(fresh.query(
                            "select count(*), sum(id), md5(string_agg(name || note, ',' order by id)) from users"))
                    .isEqualTo(db.query(
                            "select count(*), sum(id), md5(string_agg(name || note, ',' order by id)) from users"));
            assertThat(fresh.query("select v from \"odd \"\"name\" order by v"))
                    .isEqualTo(db.query("select v from \"odd \"\"name\" order by v"));
        }
    }

    @Test
    void redisBackupLoadsIntoAFreshRedisServer() throws Exception {
        Result r = cli.run("backup", "cache");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode manifest = manifest("cache", r.stdout().strip());
        Path zst = download(manifest.get("artifactKey").asText());
        Path rdb = work.resolve("dump.rdb");
        run("zstd", "-q", "-f", "-d", zst.toString(), "-o", rdb.toString());
        try (ScratchRedis loaded = ScratchRedis.startWith(rdb)) {
            assertThat(loaded.get("greeting")).isEqualTo("hello");
            assertThat(loaded.call("HGET", "user:1", "role")).isNotNull();
            assertThat(new String((byte[]) loaded.call("HGET", "user:1", "role"), StandardCharsets.UTF_8))
                    .isEqualTo("admin");
            assertThat(loaded.call("LLEN", "queue")).isEqualTo(3L);
            assertThat((byte[]) loaded.call("GET", "binary")).isEqualTo(new byte[] {0, 1, 2, (byte) 0xff});
        }
    }

    @Test
    void folderBackupExtractsByteIdentical() throws Exception {
        Result r = cli.run("backup", "app-config");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode manifest = manifest("app-config", r.stdout().strip());
        Path zst = download(manifest.get("artifactKey").asText());
        Path out = Files.createDirectories(work.resolve("extracted"));
        run("sh", "-c", "zstd -q -d --stdout '" + zst + "' | tar -x -C '" + out + "'");
        for (String file : List.of("settings.yaml", "nested/deeper/blob.bin", "empty")) {
            assertThat(out.resolve(file)).as(file).exists();
            assertThat(Files.readAllBytes(out.resolve(file)))
                    .as(file)
                    .isEqualTo(Files.readAllBytes(folder.resolve(file)));
        }
    }

    @Test
    void oneChangedByteFailsVerifyWithAnAlert() throws Exception {
        Result backup = cli.run("backup", "app-config");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        String id = backup.stdout().strip();
        assertThat(cli.run("verify", id).exitCode()).isZero();

        String key = manifest("app-config", id).get("artifactKey").asText();
        byte[] stored = Files.readAllBytes(download(key));
        stored[stored.length / 2] ^= 0x01;
        minio.putObject(PutObjectArgs.builder().bucket(BUCKET).object(key).stream(
                        new ByteArrayInputStream(stored), stored.length, -1)
                .build());

        try (MqttRecorder alerts = new MqttRecorder(MQTT, prefix + "/alerts")) {
            Result verify = cli.run("verify", id);
            assertThat(verify.exitCode()).as(verify.toString()).isEqualTo(1);
            assertThat(verify.stdout()).contains("FAILED").contains("sha256 mismatch");
            assertThat(verify.stderr()).contains("BackupVerifyFailed");
            var alert = alerts.await(m -> m.payload().contains("BackupVerifyFailed"), Duration.ofSeconds(10));
            assertThat(alert).isPresent();
            JsonNode body = Json.MAPPER.readTree(alert.get().payload());
            assertThat(body.get("severity").asText()).isEqualTo("critical");
            assertThat(body.get("status").asText()).isEqualTo("firing");
            assertThat(body.get("labels").get("target").asText()).isEqualTo("app-config");
        }
        Result list = cli.run("list", "app-config", "--json");
        JsonNode row = find(Json.MAPPER.readTree(list.stdout()), id);
        assertThat(row.get("verified").asBoolean()).isFalse();
    }

    @Test
    void aRunKilledHalfwayLeavesNothingAndTheNextRunSucceeds() throws Exception {
        Files.writeString(slowFlag, "slow");
        Process p = cli.start("backup", "slow").process();
        waitForUploadToStart();
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup code runs
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();

        assertThat(keys("slow/")).noneMatch(k -> k.endsWith("manifest.json"));
        // the killed run is not left 'running' forever: the next command records it as failed
        JsonNode status = Json.MAPPER.readTree(cli.run("status", "--json").stdout());
        JsonNode slow = stream(status.get("targets"))
                .filter(t -> t.get("target").asText().equals("slow"))
                .findFirst()
                .orElseThrow();
        assertThat(slow.get("lastRunResult").asText()).isEqualTo("failed");
        assertThat(slow.get("lastRunError").asText()).contains("abandoned");
        Result list = cli.run("list", "slow", "--json");
        assertThat(list.exitCode()).isZero();
        assertThat(Json.MAPPER.readTree(list.stdout()).size()).isZero();

        Files.delete(slowFlag);
        Result again = cli.run("backup", "slow");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(Json.MAPPER
                        .readTree(cli.run("list", "slow", "--json").stdout())
                        .size())
                .isEqualTo(1);
    }

    @Test
    void theS3ServerStoppingMidUploadFailsTheRunCleanlyAndARetrySucceeds() throws Exception {
        Files.writeString(throttleFlag, "throttle");
        try {
            LifeboatCli.Started run = cli.start("backup", "throttled");
            Thread.sleep(2500);
            s3.stop();
            assertThat(run.process().waitFor(90, TimeUnit.SECONDS))
                    .as("backup gives up once the server is gone")
                    .isTrue();
            assertThat(run.process().exitValue()).as(run.output()).isEqualTo(1);
            assertThat(run.output()).contains("backup FAILED").containsIgnoringCase("upload");
        } finally {
            s3.start();
        }
        assertThat(keys("throttled/")).noneMatch(k -> k.endsWith("manifest.json"));
        JsonNode status = Json.MAPPER.readTree(cli.run("status", "--json").stdout());
        JsonNode throttled = stream(status.get("targets"))
                .filter(t -> t.get("target").asText().equals("throttled"))
                .findFirst()
                .orElseThrow();
        assertThat(throttled.get("lastRunResult").asText()).isEqualTo("failed");
        assertThat(throttled.get("lastRunError").asText()).containsIgnoringCase("upload");

        Files.delete(throttleFlag);
        Result retry = cli.run("backup", "throttled");
        assertThat(retry.exitCode()).as(retry.toString()).isZero();
    }

    @Test
    void aFailingSourceIsRecordedWithItsStderrAndAlerted() throws Exception {
        try (MqttRecorder mqtt = new MqttRecorder(MQTT, prefix + "/#")) {
            Result r = cli.run("backup", "broken");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.stdout()).isEmpty();
            assertThat(r.stderr()).contains("connection refused").contains("exit");
            assertThat(mqtt.await(
                            m -> m.topic().endsWith("/alerts") && m.payload().contains("BackupFailed"),
                            Duration.ofSeconds(10)))
                    .isPresent();
            assertThat(mqtt.await(
                            m -> m.topic().endsWith("/events") && m.payload().contains("backup.failed"),
                            Duration.ofSeconds(10)))
                    .isPresent();
        }
        assertThat(keys("broken/")).isEmpty();
        JsonNode status = Json.MAPPER.readTree(cli.run("status", "--json").stdout());
        JsonNode broken = stream(status.get("targets"))
                .filter(t -> t.get("target").asText().equals("broken"))
                .findFirst()
                .orElseThrow();
        assertThat(broken.get("lastRunResult").asText()).isEqualTo("failed");
        assertThat(broken.get("rpoState").asText()).isEqualTo("breached");
    }

    @Test
    void eachRunIsAnnouncedOnMqttWithUniqueMessageIdsAndARetainedState() throws Exception {
        try (MqttRecorder mqtt = new MqttRecorder(MQTT, prefix + "/#")) {
            Result r = cli.run("backup", "app-config");
            assertThat(r.exitCode()).as(r.toString()).isZero();
            String id = r.stdout().strip();
            for (String type : List.of("backup.started", "backup.finished", "verify.verified")) {
                assertThat(mqtt.await(
                                m -> m.topic().equals(prefix + "/events")
                                        && m.payload().contains("\"" + type + "\"")
                                        && m.payload().contains(id),
                                Duration.ofSeconds(10)))
                        .as(type)
                        .isPresent();
            }
            assertThat(mqtt.await(
                            m -> m.topic().equals(prefix + "/backup/app-config/state")
                                    && m.payload().contains(id),
                            Duration.ofSeconds(10)))
                    .isPresent();
            List<MqttRecorder.Received> received = mqtt.received();
            // one-shot commands never speak for the daemon: not even a killed one leaves an 'offline' will
            assertThat(received).noneMatch(m -> m.topic().equals(prefix + "/status"));
            assertThat(received)
                    .allSatisfy(m -> assertThat(m.msgId()).as(m.toString()).isNotNull());
            assertThat(received.stream().map(MqttRecorder.Received::msgId).toList())
                    .doesNotHaveDuplicates();
        }
        // retained: a subscriber that comes later still gets the state
        try (MqttRecorder late = new MqttRecorder(MQTT, prefix + "/backup/app-config/state")) {
            var state = late.await(m -> true, Duration.ofSeconds(5));
            assertThat(state).isPresent();
            assertThat(state.get().retained()).isTrue();
            assertThat(Json.MAPPER
                            .readTree(state.get().payload())
                            .get("rpoState")
                            .asText())
                    .isEqualTo("ok");
        }
    }

    @Test
    void twoBackupsOfOneTargetNeverOverlap() throws Exception {
        LifeboatCli.Started a = cli.start("backup", "app-db", "--reason", "first");
        LifeboatCli.Started b = cli.start("backup", "app-db", "--reason", "second");
        assertThat(a.process().waitFor(120, TimeUnit.SECONDS) && b.process().waitFor(120, TimeUnit.SECONDS))
                .isTrue();
        assertThat(a.process().exitValue()).as(a.output()).isZero();
        assertThat(b.process().exitValue()).as(b.output()).isZero();
        JsonNode rows = Json.MAPPER.readTree(cli.run("list", "app-db", "--json").stdout());
        List<JsonNode> mine = new ArrayList<>();
        rows.forEach(row -> {
            String reason = row.get("manifest").get("trigger").get("detail").asText();
            if (reason.equals("first") || reason.equals("second")) {
                mine.add(row.get("manifest"));
            }
        });
        assertThat(mine).hasSize(2);
        // newest first: the later one started only after the earlier one had finished
        assertThat(mine.get(0).get("startedAt").asText())
                .isGreaterThanOrEqualTo(mine.get(1).get("finishedAt").asText());
    }

    @Test
    void theCatalogIsRebuiltFromStorage() throws Exception {
        Result backup = cli.run("backup", "app-config");
        assertThat(backup.exitCode()).isZero();
        Path catalog = work.resolve("data/catalog");
        assertThat(catalog).exists();
        deleteTree(catalog);
        JsonNode before = Json.MAPPER.readTree(cli.run("status", "--json").stdout());
        assertThat(stream(before.get("targets"))
                        .filter(t -> t.get("target").asText().equals("app-config"))
                        .findFirst()
                        .orElseThrow()
                        .hasNonNull("lastVerifiedId"))
                .isFalse();

        Result rebuild = cli.run("catalog", "rebuild");
        assertThat(rebuild.exitCode()).as(rebuild.toString()).isZero();
        assertThat(rebuild.stdout()).containsPattern("catalog rebuilt: [1-9]\\d* backup");
        JsonNode after = Json.MAPPER.readTree(cli.run("status", "--json").stdout());
        JsonNode appConfig = stream(after.get("targets"))
                .filter(t -> t.get("target").asText().equals("app-config"))
                .findFirst()
                .orElseThrow();
        assertThat(appConfig.get("lastVerifiedId").asText()).isNotBlank();
    }

    @Test
    void unknownTargetsAndReferencesAreUsageErrors() throws Exception {
        Result unknown = cli.run("backup", "nope");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown target 'nope'");
        Result badRef = cli.run("verify", "../../etc/passwd");
        assertThat(badRef.exitCode()).isEqualTo(2);
        assertThat(badRef.stderr()).contains("neither a backup id");
        Result missing = cli.run("verify", "20991231T000000Z-000000");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.stderr()).contains("no backup with id");
    }

    // --- helpers

    private JsonNode manifest(String target, String id) throws Exception {
        assertThat(id).matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");
        try (InputStream in = minio.getObject(GetObjectArgs.builder()
                .bucket(BUCKET)
                .object(target + "/" + id + "/manifest.json")
                .build())) {
            return Json.MAPPER.readTree(in);
        }
    }

    private Path download(String key) throws Exception {
        Path file = work.resolve(key.replace('/', '_'));
        try (InputStream in = minio.getObject(
                GetObjectArgs.builder().bucket(BUCKET).object(key).build())) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    private List<String> keys(String prefix) throws Exception {
        List<String> keys = new ArrayList<>();
        for (io.minio.Result<Item> item : minio.listObjects(ListObjectsArgs.builder()
                .bucket(BUCKET)
                .prefix(prefix)
                .recursive(true)
                .build())) {
            keys.add(item.get().objectName());
        }
        return keys;
    }

    private void waitForUploadToStart() throws Exception {
        // the slow command writes 40 MB and then sleeps: once more than one 16 MiB part has reached the
        // server's folder, the upload is under way and the run is far from done
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            if (bytesIn(s3.dataDir()) > 16L << 20) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the upload never started");
    }

    private static long bytesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }

    private static JsonNode find(JsonNode rows, String id) {
        return stream(rows)
                .filter(r -> r.get("manifest").get("id").asText().equals(id))
                .findFirst()
                .orElseThrow();
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list.stream();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
