package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.LifeboatCli.Result;
import io.lifeboat.testsupport.ScratchRedis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./lifeboat drill} and the drill in {@code status}, through the real launcher jar. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrillCommandIT {

    @TempDir
    static Path work;

    ScratchRedis redis;
    LifeboatCli cli;

    @BeforeAll
    void setUp() throws Exception {
        redis = ScratchRedis.start("--repl-diskless-sync-delay", "0");
        for (int i = 0; i < 20; i++) {
            redis.call("SET", "session:" + i, "s" + i);
        }
        Path folder = Files.createDirectories(work.resolve("app-config"));
        Files.writeString(folder.resolve("a.conf"), "a=1\n");
        Files.writeString(folder.resolve("b.conf"), "b=2\n");
        Path config = Files.writeString(work.resolve("lifeboat.yaml"), """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  app-config:
                    kind: directory
                    path: app-config
                    schedule: "0 30 2 * * ?"
                    rpo: 26h
                    drill: {rto: 15m, validate: [{files: "*.conf", min: 2}]}
                  strict:
                    kind: directory
                    path: app-config
                    schedule: "0 30 2 * * ?"
                    rpo: 26h
                    drill: {validate: [{files: "*.conf", min: 100}]}
                  cache:
                    kind: redis
                    url: "%s"
                    schedule: "0 0 */6 * * ?"
                    rpo: 7h
                    drill: {validate: [{keys: "session:*", min: 20}]}
                  never: {kind: directory, path: app-config, schedule: "0 30 2 * * ?", rpo: 26h}
                """.formatted(redis.url()));
        cli = new LifeboatCli(config);
    }

    @AfterAll
    void tearDown() throws Exception {
        if (redis != null) redis.close();
    }

    @Test
    void aDrillOfAGoodBackupExitsZeroAndStatusShowsIt() throws Exception {
        Result backup = cli.run("backup", "app-config");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        String id = backup.stdout().strip();

        Result drill = cli.run("drill", "app-config");

        assertThat(drill.exitCode()).as(drill.toString()).isZero();
        assertThat(drill.stdout())
                .contains("app-config: drill OK: backup " + id)
                .contains("validated in ")
                .contains("within the RTO objective of 15m")
                .contains("PASS files: *.conf >= 2: 2 files match")
                .contains("PASS files: checksums of unchanged files equal the live folder")
                .contains("report: app-config/" + id + "/reports/");
        String reportKey = drill.stdout()
                .lines()
                .filter(l -> l.startsWith("report: "))
                .findFirst()
                .orElseThrow()
                .substring("report: ".length());
        assertThat(work.resolve("store").resolve(reportKey)).content().startsWith("# Drill of app-config: OK");
        assertThat(work.resolve("data/restores")).isEmptyDirectory();

        Result status = cli.run("status");
        assertThat(status.exitCode()).isZero();
        assertThat(status.stdout()).containsPattern("last drill: OK at \\S+, RTO [0-9.]+s, backup " + id);
        Result json = cli.run("status", "--json");
        JsonNode target = null;
        for (JsonNode t : Json.MAPPER.readTree(json.stdout()).get("targets")) {
            if (t.get("target").asText().equals("app-config")) {
                target = t;
            }
        }
        assertThat(target).isNotNull();
        assertThat(target.get("lastDrill").get("result").asText()).isEqualTo("OK");
        assertThat(target.get("lastDrill").get("rtoSeconds").asDouble()).isPositive();
    }

    @Test
    void aFailingDrillExitsOneAndSaysWhy() throws Exception {
        assertThat(cli.run("backup", "strict").exitCode()).isZero();

        Result drill = cli.run("drill", "strict");

        assertThat(drill.exitCode()).as(drill.toString()).isEqualTo(1);
        assertThat(drill.stdout())
                .contains("strict: drill FAILED: ")
                .contains("validation failed")
                .contains("FAIL files: *.conf >= 100: 2 files match, outside the bounds");
        assertThat(cli.run("status").stdout()).contains("last drill: FAILED");
    }

    @Test
    void aRedisDrillLeavesNoServerRunning() throws Exception {
        assertThat(cli.run("backup", "cache").exitCode()).isZero();

        Result drill = cli.run("drill", "cache", "--json");

        assertThat(drill.exitCode()).as(drill.toString()).isZero();
        JsonNode report = Json.MAPPER.readTree(drill.stdout());
        assertThat(report.get("verdict").asText()).isEqualTo("OK");
        assertThat(report.get("validations").get(0).get("value").asLong()).isEqualTo(20);
        int port = Integer.parseInt(report.get("destination").asText().replaceAll(".*:", ""));
        assertThat(answers(port)).as("scratch redis-server stopped").isFalse();
        try (Stream<Path> left = Files.list(work.resolve("data/restores"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void noVerifiedBackupOrNoSuchTargetFailClearly() throws Exception {
        Result never = cli.run("drill", "never");
        Result unknown = cli.run("drill", "nope");

        assertThat(never.exitCode()).isEqualTo(1);
        assertThat(never.stdout())
                .contains(
                        "never: drill FAILED: no verified backup of never to drill: take one with ./lifeboat backup never");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown target 'nope'").doesNotContain("\tat ");
    }

    private static boolean answers(int port) {
        try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
