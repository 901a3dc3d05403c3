package io.lifeboat.it;

import static io.lifeboat.restore.PostgresFixture.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.restore.PostgresFixture;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.LifeboatCli.Result;
import io.lifeboat.testsupport.MqttRecorder;
import io.lifeboat.testsupport.Postgres;
import io.lifeboat.testsupport.S3ProxyServer;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lifeboat restore} as a user drives it: the real launcher jar against real PostgreSQL, an S3
 * API server and Mosquitto. Dry run, restore into a new database, replace (with and without
 * confirmation), rollback, one table, a tampered object in the bucket, and bad input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestoreEndToEndIT {

    static final String MQTT = "tcp://127.0.0.1:1883";

    @TempDir
    Path work;

    S3ProxyServer s3;
    MinioClient minio;
    Postgres db;
    String bucket;
    String prefix;
    LifeboatCli cli;

    @BeforeAll
    void startS3() {
        s3 = S3ProxyServer.launch();
        minio = MinioClient.builder()
                .endpoint(s3.endpoint())
                .credentials(s3.accessKey(), s3.secretKey())
                .build();
    }

    @AfterAll
    void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    @BeforeEach
    void freshDatabaseAndConfig() throws Exception {
        db = Postgres.create("lifeboat_cli");
        PostgresFixture.fill(db.name());
        bucket = "restore-" + UUID.randomUUID().toString().substring(0, 8);
        prefix = "lifeboat-it-" + UUID.randomUUID().toString().substring(0, 8);
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage:
                  primary: {type: s3, endpoint: "%s", bucket: %s, accessKey: "${IT_S3_KEY}", secretKey: "${IT_S3_SECRET}"}
                mqtt: {url: "%s", prefix: "%s"}
                targets:
                  app-db:
                    kind: postgres
                    host: %s
                    port: %d
                    database: %s
                    user: %s
                    schedule: "0 0 2 * * ?"
                    rpo: 26h
                    drill: {validate: [{sql: "select count(*) from users", min: 1000}]}
                """.formatted(
                        s3.endpoint(), bucket, MQTT, prefix, Postgres.HOST, Postgres.PORT, db.name(), Postgres.USER));
        cli = new LifeboatCli(config).env("IT_S3_KEY", s3.accessKey()).env("IT_S3_SECRET", s3.secretKey());
    }

    @AfterEach
    void dropDatabases() throws Exception {
        for (String name : PostgresFixture.databasesStartingWith(db.name())) {
            PostgresFixture.drop(name);
        }
    }

    String backup() throws Exception {
        Result r = cli.run("backup", "app-db");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r.stdout().strip();
    }

    @Test
    void dryRunPrintsThePlanAndChangesNothing() throws Exception {
        String id = backup();
        List<String> before = PostgresFixture.databasesStartingWith(db.name());
        List<String> objects = keys("");

        Result r = cli.run("restore", "latest:app-db", "--replace", "--dry-run");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout())
                .contains("backup:   " + id)
                .contains("ago)")
                .contains("stored")
                .contains("verified: ")
                .containsPattern("create database " + db.name() + "_restore_\\d{14}")
                .contains("pg_restore --no-password --exit-on-error --host " + Postgres.HOST)
                .contains("validate on ")
                .containsPattern("rename " + db.name() + " → " + db.name() + "_pre_restore_\\d{14}")
                .contains("dry run: nothing was changed");
        assertThat(PostgresFixture.databasesStartingWith(db.name())).isEqualTo(before);
        assertThat(keys("")).isEqualTo(objects);
        assertThat(lastRun().has("lastRestore")).as("no restore run recorded").isFalse();
    }

    @Test
    void restoreReplaceAndRollbackFromTheCommandLine() throws Exception {
        Map<String, Object> original = snapshot(db.name());
        String id = backup();
        PostgresFixture.change(db.name());
        Map<String, Object> changed = snapshot(db.name());

        Result restored = cli.run("restore", "latest:app-db");
        assertThat(restored.exitCode()).as(restored.toString()).isZero();
        String copy = restored.stdout().strip();
        assertThat(copy).matches(db.name() + "_restore_\\d{14}");
        assertThat(snapshot(copy)).isEqualTo(original);
        assertThat(restored.stderr()).contains("restored backup " + id).contains("report: app-db/" + id + "/reports/");
        assertThat(keys("app-db/" + id + "/reports/")).hasSize(1);
        JsonNode status = lastRun();
        assertThat(status.get("lastRestore").get("result").asText()).isEqualTo("OK");
        assertThat(status.get("lastRestore").get("backupId").asText()).isEqualTo(id);
        assertThat(status.get("lastRunOperation").asText())
                .as("the last backup or verify: what the RPO is about")
                .isEqualTo("backup");

        // replacing live data needs confirmation: without a terminal, --yes
        Result refused = cli.run("restore", "latest:app-db", "--replace");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.stderr()).contains("--yes");
        assertThat(snapshot(db.name())).isEqualTo(changed);
        assertThat(PostgresFixture.databasesStartingWith(db.name())).noneMatch(n -> n.contains("_pre_restore_"));

        Result replaced = cli.run("restore", "latest:app-db", "--replace", "--yes");
        assertThat(replaced.exitCode()).as(replaced.toString()).isZero();
        assertThat(replaced.stdout().strip()).isEqualTo(db.name());
        assertThat(snapshot(db.name())).isEqualTo(original);
        String kept = PostgresFixture.databasesStartingWith(db.name() + "_pre_restore_")
                .get(0);
        assertThat(replaced.stderr()).contains("kept as " + kept);
        assertThat(snapshot(kept)).isEqualTo(changed);

        Result noConfirm = cli.run("restore", "--rollback", "app-db");
        assertThat(noConfirm.exitCode()).as(noConfirm.toString()).isEqualTo(2);
        assertThat(snapshot(db.name())).isEqualTo(original);

        Result rolledBack = cli.run("restore", "--rollback", "app-db", "--yes");
        assertThat(rolledBack.exitCode()).as(rolledBack.toString()).isZero();
        assertThat(rolledBack.stderr()).contains("rolled back").contains(kept);
        assertThat(snapshot(db.name())).as("as before the restore").isEqualTo(changed);

        Result nothingLeft = cli.run("restore", "--rollback", "app-db", "--yes");
        assertThat(nothingLeft.exitCode()).as(nothingLeft.toString()).isEqualTo(2);
        assertThat(nothingLeft.stderr()).contains("nothing to roll back to");
    }

    @Test
    void oneTableFromTheCommandLine() throws Exception {
        Map<String, Object> original = snapshot(db.name());
        backup();
        PostgresFixture.change(db.name());

        Result r = cli.run("restore", "latest:app-db", "--table", "orders");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String copy = r.stdout().strip();
        assertThat(PostgresFixture.tables(copy)).containsExactly("public.orders");
        assertThat(snapshot(copy).get("orders")).isEqualTo(original.get("orders"));

        Result exists = cli.run("restore", "latest:app-db", "--table", "orders", "--into", db.name());
        assertThat(exists.exitCode()).as(exists.toString()).isEqualTo(2);
        assertThat(exists.stderr()).contains("never overwrites a table").contains("RENAME TO");

        Result missing = cli.run("restore", "latest:app-db", "--table", "nope");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(2);
        assertThat(missing.stderr()).contains("has no such table").contains("public.users");
    }

    @Test
    void aTamperedObjectInTheBucketFailsWithAnAlertAndLeavesEverythingAsItWas() throws Exception {
        String id = backup();
        PostgresFixture.change(db.name());
        Map<String, Object> live = snapshot(db.name());
        List<String> before = PostgresFixture.databasesStartingWith(db.name());
        String key = "app-db/" + id + "/data.dump.zst";
        byte[] stored;
        try (InputStream in = minio.getObject(
                GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            stored = in.readAllBytes();
        }
        stored[stored.length / 3] ^= 0x10;
        minio.putObject(PutObjectArgs.builder().bucket(bucket).object(key).stream(
                        new ByteArrayInputStream(stored), stored.length, -1)
                .build());

        try (MqttRecorder recorder = new MqttRecorder(MQTT, prefix + "/#")) {
            Result r = cli.run("restore", "latest:app-db", "--replace", "--yes");

            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.stderr()).contains("restore FAILED").contains("sha256 mismatch");
            var alert = recorder.await(
                    m -> m.topic().equals(prefix + "/alerts") && m.payload().contains("RestoreIntegrityFailed"),
                    Duration.ofSeconds(10));
            assertThat(alert).isPresent();
            JsonNode body = Json.MAPPER.readTree(alert.get().payload());
            assertThat(body.get("severity").asText()).isEqualTo("critical");
            assertThat(body.get("labels").get("target").asText()).isEqualTo("app-db");
            assertThat(recorder.await(
                            m -> m.topic().equals(prefix + "/events")
                                    && m.payload().contains("restore.failed"),
                            Duration.ofSeconds(10)))
                    .isPresent();
        }
        assertThat(PostgresFixture.databasesStartingWith(db.name())).isEqualTo(before);
        assertThat(snapshot(db.name())).isEqualTo(live);
        assertThat(lastRun().get("lastRestore").get("result").asText()).isEqualTo("FAILED");
        List<String> reports = keys("app-db/" + id + "/reports/");
        assertThat(reports).hasSize(1);
        assertThat(text(reports.get(0)))
                .startsWith("# Restore of app-db: FAILED")
                .contains("sha256 mismatch");
    }

    @Test
    void badInputIsAUsageErrorThatChangesNothing() throws Exception {
        String id = backup();
        List<String> before = PostgresFixture.databasesStartingWith(db.name());
        String[][] cases = {
            {"restore"},
            {"restore", "20200101T000000Z-abcdef"},
            {"restore", "latest:unknown"},
            {"restore", "'; drop table users; --"},
            {"restore", id, "--into", "x; drop database y"},
            {"restore", id, "--into", "\"quoted\""},
            {"restore", id, "--into", "a".repeat(200)},
            {"restore", id, "--into", db.name()},
            {"restore", id, "--rollback", "app-db"},
            {"restore", "--rollback", "unknown"},
        };
        for (String[] args : cases) {
            Result r = cli.run(args);
            assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r).isEqualTo(2);
            assertThat(r.stderr()).as(String.join(" ", args)).contains("error").doesNotContain("\tat ");
        }
        assertThat(PostgresFixture.databasesStartingWith(db.name())).isEqualTo(before);
        assertThat(lastRun().has("lastRestore")).as("no restore run recorded").isFalse();
    }

    private JsonNode lastRun() throws Exception {
        Result status = cli.run("status", "--json");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        for (JsonNode t : Json.MAPPER.readTree(status.stdout()).get("targets")) {
            if (t.get("target").asText().equals("app-db")) {
                return t;
            }
        }
        throw new AssertionError("no app-db in " + status.stdout());
    }

    private List<String> keys(String keyPrefix) throws Exception {
        List<String> keys = new ArrayList<>();
        for (var r : minio.listObjects(ListObjectsArgs.builder()
                .bucket(bucket)
                .prefix(keyPrefix)
                .recursive(true)
                .build())) {
            Item item = r.get();
            keys.add(item.objectName());
        }
        return keys;
    }

    private String text(String key) throws Exception {
        try (InputStream in = minio.getObject(
                GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
