package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Trigger;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.Stores;
import io.lifeboat.testsupport.Postgres;
import io.lifeboat.testsupport.S3ProxyServer;
import io.lifeboat.testsupport.ScratchRedis;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore drills against a real S3 API server, a real redis-server and real folders: the latest
 * verified backup is restored into a scratch place, validated, timed and dropped; the outcome is
 * recorded, reported in the store, announced and alerted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrillServiceIT {

    @TempDir
    static Path work;

    S3ProxyServer s3;
    ScratchRedis redis;
    Postgres db;
    Path folder;
    LifeboatConfig config;
    BackupStore store;
    Catalog catalog;
    BackupService backups;
    DrillService drills;
    final List<String[]> published = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    void startEverything() throws Exception {
        s3 = S3ProxyServer.launch();
        redis = ScratchRedis.start("--repl-diskless-sync-delay", "0");
        for (int i = 0; i < 50; i++) {
            redis.call("SET", "user:" + i, "u" + i);
        }
        db = Postgres.create("lifeboat_drill");
        db.execute("create table users (id int primary key)", "insert into users select generate_series(1, 10)");
        folder = Files.createDirectories(work.resolve("app-config"));
        Files.writeString(folder.resolve("settings.yaml"), "answer: 42\n");
        Files.createDirectories(folder.resolve("nested"));
        Files.writeString(folder.resolve("nested/more.yaml"), "more: true\n");
        Path configFile = work.resolve("lifeboat.yaml");
        String bucket = "drill-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(configFile, """
                dataDir: data
                storage:
                  primary: {type: s3, endpoint: "%s", bucket: %s, accessKey: "${KEY}", secretKey: "${SECRET}"}
                targets:
                  cache:
                    kind: redis
                    url: "%s"
                    schedule: "0 0 */6 * * ?"
                    rpo: 7h
                    drill: {rto: 10m, validate: [{keys: "user:*", min: 50, max: 50}]}
                  cache-strict:
                    kind: redis
                    url: "%s"
                    schedule: "0 0 */6 * * ?"
                    rpo: 7h
                    drill: {rto: 10m, validate: [{keys: "user:*", min: 1000}]}
                  files:
                    kind: directory
                    path: "%s"
                    schedule: "0 30 2 * * ?"
                    rpo: 26h
                    drill: {schedule: "0 0 4 1 * ?", rto: 10m, validate: [{files: "**.yaml", min: 2}]}
                  files-strict:
                    kind: directory
                    path: "%s"
                    schedule: "0 30 2 * * ?"
                    rpo: 26h
                    drill: {validate: [{files: "**", min: 1000}]}
                  files-tampered: {kind: directory, path: "%s", schedule: "0 30 2 * * ?", rpo: 26h}
                  never: {kind: directory, path: "%s", schedule: "0 30 2 * * ?", rpo: 26h}
                  snap:
                    kind: command
                    command: ["sh", "-c", "echo snapshot data"]
                    schedule: "0 0 3 * * ?"
                    rpo: 26h
                    drill: {validate: [{command: "grep -q 'snapshot data' \\"$LIFEBOAT_RESTORED\\""}]}
                  snap-slow:
                    kind: command
                    command: ["sh", "-c", "echo snapshot data"]
                    schedule: "0 0 3 * * ?"
                    rpo: 26h
                    drill: {rto: 1s, validate: [{command: "sleep 1.5; wc -c < \\"$LIFEBOAT_RESTORED\\"", min: 1}]}
                  app-db:
                    kind: postgres
                    host: %s
                    port: %d
                    database: %s
                    user: %s
                    schedule: "0 0 2 * * ?"
                    rpo: 26h
                    drill: {rto: 15m, validate: [{sql: "select count(*) from users", min: 10}]}
                """.formatted(
                        s3.endpoint(),
                        bucket,
                        redis.url(),
                        redis.url(),
                        folder,
                        folder,
                        folder,
                        folder,
                        Postgres.HOST,
                        Postgres.PORT,
                        db.name(),
                        Postgres.USER));
        config = ConfigLoader.load(configFile, Map.of("KEY", s3.accessKey(), "SECRET", s3.secretKey()));
        store = Stores.open(config.primary());
        catalog = Catalog.open(config.catalog(), config.dataDir());
        EventSink sink = (topic, payload, retained) ->
                published.add(new String[] {topic, new String(payload, StandardCharsets.UTF_8)});
        backups = new BackupService(
                config, store, catalog, new Events(sink), Clock.systemUTC(), new BackupService.Compression(3, 1));
        drills = new DrillService(config, store, catalog, new Events(sink), Clock.systemUTC());
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (catalog != null) catalog.close();
        if (store != null) store.close();
        if (redis != null) redis.close();
        if (db != null) db.close();
        if (s3 != null) s3.close();
    }

    @BeforeEach
    void clearEvents() {
        published.clear();
    }

    @Test
    void aDirectoryDrillOnAGoodBackupPassesReportsItsRtoAndLeavesNothing() throws Exception {
        Manifest m = backups.backup("files", Trigger.manual("test"), new Progress());
        published.clear();

        DrillService.Outcome o = drills.drill("files", Trigger.manual("test"), new Progress());

        assertThat(o.ok()).as(o.report().toMarkdown()).isTrue();
        assertThat(o.verdict()).isEqualTo("OK");
        IncidentReport r = o.report();
        assertThat(r.backupId()).isEqualTo(m.id());
        assertThat(r.rto()).isPositive();
        assertThat(r.rto()).isLessThanOrEqualTo(java.time.Duration.between(r.startedAt(), r.finishedAt()));
        assertThat(r.validations()).extracting(ValidationResult::ok).containsExactly(true, true);
        assertThat(r.validations().get(0).value()).isEqualTo(2L);
        assertThat(r.validations().get(1).check().describe()).contains("checksums");
        assertThat(r.timeline())
                .extracting(IncidentReport.Step::what)
                .anyMatch(s -> s.startsWith("stored object matches the manifest"))
                .anyMatch(s -> s.startsWith("validated: all 2 checks passed; RTO"))
                .anyMatch(s -> s.startsWith("scratch copy ") && s.endsWith(" removed"));

        // the report is in the store beside the backup
        assertThat(o.reportKey()).startsWith("files/" + m.id() + "/reports/").endsWith("-drill.md");
        String markdown = new String(store.getBytes(o.reportKey()), StandardCharsets.UTF_8);
        assertThat(markdown)
                .startsWith("# Drill of files: OK")
                .contains("RTO achieved")
                .contains("PASS `files: **.yaml");

        // the run is recorded with the report as its detail
        RunRow run = catalog.lastRun("files", "drill").orElseThrow();
        assertThat(run.result()).isEqualTo("succeeded");
        assertThat(run.backupId()).isEqualTo(m.id());
        JsonNode detail = Json.MAPPER.readTree(run.detail());
        assertThat(detail.get("ok").asBoolean()).isTrue();
        assertThat(detail.get("rtoSeconds").asDouble()).isPositive();
        assertThat(detail.get("rtoObjectiveSeconds").asLong()).isEqualTo(600);

        // status shows it, and so does the retained state
        Map<String, Object> state = backups.states().state("files");
        assertThat(state.get("lastDrill"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("result", "OK")
                .containsEntry("backupId", m.id())
                .containsKey("rtoSeconds");
        assertThat(state.get("lastRunResult"))
                .as("the last backup run, not the drill")
                .isEqualTo("succeeded");
        assertThat(published).extracting(p -> p[0]).containsExactly("events", "events", "backup/files/state");
        assertThat(published.get(0)[1]).contains("\"drill.started\"");
        assertThat(published.get(1)[1]).contains("\"drill.finished\"").contains("\"rtoSeconds\"");
        assertThat(published.get(2)[1]).contains("\"lastDrill\"");
        assertNoScratchLeft();
    }

    @Test
    void aRedisDrillRestoresIntoAScratchServerAndStopsIt() throws Exception {
        backups.backup("cache", Trigger.manual("test"), new Progress());

        DrillService.Outcome o = drills.drill("cache", Trigger.manual("test"), new Progress());

        assertThat(o.ok()).as(o.report().toMarkdown()).isTrue();
        assertThat(o.report().destination()).matches("redis://127\\.0\\.0\\.1:\\d+");
        assertThat(o.report().validations()).singleElement().satisfies(v -> {
            assertThat(v.value()).isEqualTo(50L);
            assertThat(v.ok()).isTrue();
        });
        int port = Integer.parseInt(o.report().destination().replaceAll(".*:", ""));
        assertThat(RedisRestorerIT.answers(port)).as("scratch server stopped").isFalse();
        assertNoScratchLeft();
    }

    @Test
    void aRedisDrillWhoseValidationFailsIsReportedFailedWithACriticalAlertAndLeavesNoServer() throws Exception {
        backups.backup("cache-strict", Trigger.manual("test"), new Progress());
        published.clear();

        DrillService.Outcome o = drills.drill("cache-strict", Trigger.schedule("0 0 4 1 * ?"), new Progress());

        assertThat(o.ok()).isFalse();
        assertThat(o.verdict()).isEqualTo("FAILED");
        assertThat(o.report().error())
                .contains("validation failed")
                .contains("keys: user:* >= 1000")
                .contains("50 keys match");
        assertThat(o.report().rto()).as("never validated").isNull();
        int port = Integer.parseInt(o.report().destination().replaceAll(".*:", ""));
        assertThat(RedisRestorerIT.answers(port)).isFalse();
        assertNoScratchLeft();
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.get("fingerprint").asText()).isEqualTo("RestoreDrillFailed:cache-strict");
            assertThat(a.get("severity").asText()).isEqualTo("critical");
            assertThat(a.get("detail").asText())
                    .contains("validation failed")
                    .contains("./lifeboat drill cache-strict");
        });
        assertThat(published).anyMatch(p -> p[1].contains("\"drill.failed\""));
        RunRow run = catalog.lastRun("cache-strict", "drill").orElseThrow();
        assertThat(run.result()).isEqualTo("failed");
        assertThat(run.trigger().type()).isEqualTo("schedule");
        assertThat(run.error()).contains("validation failed");
        assertThat(new String(store.getBytes(o.reportKey()), StandardCharsets.UTF_8))
                .startsWith("# Drill of cache-strict: FAILED")
                .contains("- **RTO objective:** 10m — not reached")
                .contains("FAIL `keys: user:* >= 1000`");
        assertThat(backups.states().state("cache-strict").get("lastDrill"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("result", "FAILED");
    }

    @Test
    void aDirectoryDrillWhoseFileCountIsTooLowFails() throws Exception {
        backups.backup("files-strict", Trigger.manual("test"), new Progress());
        published.clear();

        DrillService.Outcome o = drills.drill("files-strict", Trigger.manual("test"), new Progress());

        assertThat(o.ok()).isFalse();
        assertThat(o.report().error()).contains("files: ** >= 1000").contains("2 files match");
        assertThat(alerts())
                .extracting(a -> a.get("fingerprint").asText())
                .containsExactly("RestoreDrillFailed:files-strict");
        assertThat(Path.of(o.report().destination())).doesNotExist();
        assertNoScratchLeft();
    }

    @Test
    void aTamperedBackupFailsTheDrillWithAnIntegrityError() throws Exception {
        Manifest m = backups.backup("files-tampered", Trigger.manual("test"), new Progress());
        byte[] bytes = store.getBytes(m.artifactKey());
        bytes[bytes.length / 2] ^= 0x5a;
        store.putBytes(m.artifactKey(), bytes);
        published.clear();

        DrillService.Outcome o = drills.drill("files-tampered", Trigger.manual("test"), new Progress());

        assertThat(o.ok()).isFalse();
        assertThat(o.report().error())
                .startsWith("integrity check failed: sha256 mismatch")
                .contains(m.artifactKey());
        assertThat(alerts())
                .extracting(a -> a.get("fingerprint").asText())
                .containsExactly("RestoreDrillFailed:files-tampered");
        assertThat(folder.resolve("settings.yaml")).hasContent("answer: 42\n");
        assertNoScratchLeft();
    }

    @Test
    void aTargetWithoutAVerifiedBackupFailsClearlyThenPassesAndResolvesTheAlert() throws Exception {
        DrillService.Outcome o = drills.drill("never", Trigger.manual("test"), new Progress());

        assertThat(o.ok()).isFalse();
        assertThat(o.report().error())
                .isEqualTo("no verified backup of never to drill: take one with ./lifeboat backup never");
        assertThat(o.reportKey()).isNull();
        assertThat(alerts()).extracting(a -> a.get("status").asText()).containsExactly("firing");
        assertThat(catalog.lastRun("never", "drill").orElseThrow().result()).isEqualTo("failed");

        backups.backup("never", Trigger.manual("test"), new Progress());
        published.clear();
        DrillService.Outcome again = drills.drill("never", Trigger.manual("test"), new Progress());

        assertThat(again.ok()).isTrue();
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.get("status").asText()).isEqualTo("resolved");
            assertThat(a.get("fingerprint").asText()).isEqualTo("RestoreDrillFailed:never");
        });
    }

    @Test
    void aCommandDrillChecksTheScratchFile() throws Exception {
        backups.backup("snap", Trigger.manual("test"), new Progress());

        DrillService.Outcome o = drills.drill("snap", Trigger.manual("test"), new Progress());

        assertThat(o.ok()).as(o.report().toMarkdown()).isTrue();
        assertThat(o.report().destination()).endsWith("/data.bin");
        assertThat(Path.of(o.report().destination())).doesNotExist();
        assertNoScratchLeft();
    }

    @Test
    void aDrillSlowerThanItsRtoPassesButRaisesAWarning() throws Exception {
        backups.backup("snap-slow", Trigger.manual("test"), new Progress());
        published.clear();

        DrillService.Outcome o = drills.drill("snap-slow", Trigger.manual("test"), new Progress());

        assertThat(o.ok()).isTrue();
        assertThat(o.slow()).isTrue();
        assertThat(o.verdict()).isEqualTo("SLOW");
        assertThat(o.report().rto()).isGreaterThan(java.time.Duration.ofSeconds(1));
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.get("fingerprint").asText()).isEqualTo("RestoreDrillSlow:snap-slow");
            assertThat(a.get("severity").asText()).isEqualTo("warning");
            assertThat(a.get("summary").asText()).contains("over its RTO of 1s");
        });
        assertThat(backups.states().state("snap-slow").get("lastDrill"))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("result", "SLOW");
    }

    @Test
    void anUnknownTargetIsABadArgument() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> drills.drill("nope", Trigger.manual("test"), new Progress()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown target 'nope'");
    }

    @Test
    void aPostgresDrillRunsItsQueriesOnAScratchDatabase() throws Exception {
        backups.backup("app-db", Trigger.manual("test"), new Progress());

        DrillService.Outcome o = drills.drill("app-db", Trigger.manual("test"), new Progress());

        assertThat(o.ok()).as(o.report().toMarkdown()).isTrue();
        assertThat(o.report().validations())
                .singleElement()
                .satisfies(v -> assertThat(v.value()).isEqualTo(10L));
        assertThat(o.report().rto()).isPositive();
    }

    private List<JsonNode> alerts() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String[] p : List.copyOf(published)) {
            if (p[0].equals("alerts")) {
                out.add(Json.MAPPER.readTree(p[1]));
            }
        }
        return out;
    }

    private void assertNoScratchLeft() throws Exception {
        Path restores = config.dataDir().resolve("restores");
        if (Files.exists(restores)) {
            try (Stream<Path> left = Files.list(restores)) {
                assertThat(left).as("scratch places left under " + restores).isEmpty();
            }
        }
        assertThat(RedisRestorerIT.serversUnder(work))
                .as("redis-servers left running")
                .isZero();
    }
}
