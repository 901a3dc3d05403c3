package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.domain.RecoverySet;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.RecoverySets;
import io.lifeboat.store.StoredBackups;
import io.lifeboat.store.Stores;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.LifeboatCli.Result;
import io.lifeboat.testsupport.MqttRecorder;
import io.lifeboat.testsupport.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Off-site copies and recovery sets as a user drives them: the real launcher jar, a folder as the
 * primary store, a real S3 API server as the off-site store (stopped to play an outage), real Mosquitto
 * for the alerts. The tests run in order: each builds on the storage the previous one left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OffsiteCopyIT {

    static final String MQTT = "tcp://127.0.0.1:1883";
    static final String BUCKET = "offsite";

    @TempDir
    static Path work;

    S3ProxyServer s3;
    BackupStore offsite;
    LifeboatCli cli;
    Path config;
    String prefix;
    String firstId;
    String missedId;

    @BeforeAll
    void start() throws Exception {
        s3 = S3ProxyServer.launch();
        offsite = Stores.open(s3.storeConfig(BUCKET));
        for (String name : new String[] {"a", "b", "c"}) {
            Path folder = Files.createDirectories(work.resolve("folders").resolve(name));
            byte[] random = new byte[200_000];
            new Random(name.hashCode()).nextBytes(random);
            Files.write(folder.resolve("blob.bin"), random);
            Files.writeString(folder.resolve("name.txt"), name + "\n");
        }
        prefix = "lifeboat-offsite-it-" + UUID.randomUUID().toString().substring(0, 8);
        config = work.resolve("lifeboat.yaml");
        Files.writeString(config, configText("a", "b", "c"));
        cli = env(new LifeboatCli(config));
    }

    String configText(String... targets) {
        StringBuilder t = new StringBuilder();
        for (String name : targets) {
            t.append("  ")
                    .append(name)
                    .append(": {kind: directory, path: folders/")
                    .append(name)
                    .append(", schedule: \"0 0 2 * * ?\", rpo: 26h}\n");
        }
        return """
                dataDir: data
                storage:
                  primary: {type: filesystem, path: store}
                  offsite: {type: s3, endpoint: "%s", bucket: %s, accessKey: "${IT_S3_KEY}", secretKey: "${IT_S3_SECRET}"}
                mqtt: {url: "%s", prefix: "%s"}
                targets:
                """.formatted(s3.endpoint(), BUCKET, MQTT, prefix) + t;
    }

    LifeboatCli env(LifeboatCli c) {
        return c.env("IT_S3_KEY", s3.accessKey()).env("IT_S3_SECRET", s3.secretKey());
    }

    @AfterAll
    void stop() throws Exception {
        if (offsite != null) offsite.close();
        if (s3 != null) s3.close();
    }

    Result ok(String... args) throws Exception {
        Result r = cli.run(args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r).isZero();
        return r;
    }

    /** The OFFSITE column of backup {@code id} in {@code ./lifeboat list}. */
    static String offsiteColumn(Result list, String id) {
        var m = Pattern.compile("(?m)^" + id + " .* (yes|no|FAILED)\\s+(yes|no|FAILED|-)\\s+manual")
                .matcher(list.stdout());
        assertThat(m.find()).as("a line for " + id + " in\n" + list).isTrue();
        return m.group(2);
    }

    static JsonNode row(Result listJson, String id) throws Exception {
        for (JsonNode row : Json.MAPPER.readTree(listJson.stdout())) {
            if (row.get("manifest").get("id").asText().equals(id)) {
                return row;
            }
        }
        throw new AssertionError("no " + id + " in " + listJson);
    }

    static JsonNode target(Result statusJson, String name) throws Exception {
        for (JsonNode t : Json.MAPPER.readTree(statusJson.stdout()).get("targets")) {
            if (t.get("target").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no target " + name + " in " + statusJson);
    }

    @Test
    @Order(1)
    void aBackupLandsInBothStoresVerifiedInBothAndRestoresByHandFromTheOffsiteCopy() throws Exception {
        Result r = ok("backup", "a");
        firstId = r.stdout().strip();
        assertThat(r.stderr()).contains("a: off-site copy verified in s3 " + s3.endpoint() + "/" + BUCKET);

        assertThat(new StoredBackups(offsite).scan("a")).singleElement().satisfies(f -> {
            assertThat(f.manifest().id()).isEqualTo(firstId);
            assertThat(f.verified()).as("read back off-site and matched").isTrue();
        });
        String key = "a/" + firstId + "/data.tar.zst";
        assertThat(offsite.getBytes(key))
                .isEqualTo(Files.readAllBytes(work.resolve("store").resolve(key)));

        Result list = ok("list");
        assertThat(list.stdout().lines().findFirst().orElseThrow())
                .contains("VERIFIED")
                .contains("OFFSITE");
        assertThat(offsiteColumn(list, firstId)).isEqualTo("yes");
        JsonNode json = row(ok("list", "--json"), firstId).get("offsite");
        assertThat(json.get("state").asText()).isEqualTo("copied");
        assertThat(json.get("artifactKey").asText()).isEqualTo(key);

        JsonNode status = target(ok("status", "--json"), "a").get("offsite");
        assertThat(status.get("newestCopyId").asText()).isEqualTo(firstId);
        assertThat(status.get("lagging").asBoolean()).isFalse();
        assertThat(ok("status").stdout())
                .contains("off-site: newest " + firstId)
                .contains("up to date");

        // by hand, as the README says: fetch from the off-site bucket, check the SHA-256, unpack with stock tools
        Path zst = work.resolve("offsite-copy.tar.zst");
        Files.write(zst, offsite.getBytes(key));
        JsonNode manifest = Json.MAPPER.readTree(offsite.getBytes("a/" + firstId + "/manifest.json"));
        assertThat(sh("sha256sum '" + zst + "' | cut -d' ' -f1").strip())
                .isEqualTo(manifest.get("sha256").asText());
        Path out = Files.createDirectories(work.resolve("restored-from-offsite"));
        sh("zstd -q -d --stdout '" + zst + "' | tar -x -C '" + out + "'");
        assertThat(out.resolve("blob.bin")).hasSameBinaryContentAs(work.resolve("folders/a/blob.bin"));
    }

    @Test
    @Order(2)
    void withTheOffsiteStoreDownTheBackupSucceedsTheCopyIsRecordedFailedAndAlerts() throws Exception {
        s3.stop();
        try (MqttRecorder alerts = new MqttRecorder(MQTT, prefix + "/alerts")) {
            Result r = ok("backup", "a");
            missedId = r.stdout().strip();
            assertThat(r.stderr())
                    .contains("a: verified backup " + missedId)
                    .contains("a: off-site copy FAILED")
                    .contains("./lifeboat copy " + missedId);
            var alert = alerts.await(m -> m.payload().contains("OffsiteCopyFailed:a"), Duration.ofSeconds(10));
            assertThat(alert).as("an OffsiteCopyFailed alert on MQTT").isPresent();
            assertThat(alert.get().payload()).contains("\"status\":\"firing\"").contains(missedId);
        }

        Result list = ok("list");
        assertThat(offsiteColumn(list, missedId)).isEqualTo("FAILED");
        assertThat(offsiteColumn(list, firstId))
                .as("from the copy record while the store is down")
                .isEqualTo("yes");
        assertThat(list.stderr()).contains("off-site store is unreachable");
        JsonNode json = row(ok("list", "--json"), missedId).get("offsite");
        assertThat(json.get("state").asText()).isEqualTo("failed");
        assertThat(json.get("detail").asText()).contains("s3 " + s3.endpoint());

        Result copy = cli.run("copy", "--all-missing");
        assertThat(copy.exitCode()).as(copy.toString()).isEqualTo(1);
        assertThat(copy.stderr()).contains("off-site store is unreachable");
    }

    @Test
    @Order(3)
    void copyAllMissingCopiesWhatWasMissedOnceTheStoreIsBack() throws Exception {
        s3.start();
        Result copy = ok("copy", "--all-missing");
        assertThat(copy.stdout()).contains(missedId + " a: copied and verified off-site");
        assertThat(copy.stdout()).doesNotContain(firstId);
        assertThat(copy.stderr()).contains("1 of 1 copied and verified");

        Result list = ok("list");
        assertThat(offsiteColumn(list, missedId)).isEqualTo("yes");
        assertThat(offsiteColumn(list, firstId)).isEqualTo("yes");
        assertThat(list.stderr()).doesNotContain("unreachable");
        assertThat(ok("copy", "--all-missing").stderr()).contains("nothing to copy");
        assertThat(ok("copy", "latest:a").stdout()).contains(missedId).contains("already copied and verified");
        assertThat(ok("copy", missedId, "--force").stdout()).contains(missedId + " a: copied and verified off-site");
        assertThat(new StoredBackups(offsite).scan("a"))
                .hasSize(2)
                .allSatisfy(f -> assertThat(f.verified()).isTrue());
    }

    @Test
    @Order(4)
    void backupAllTakesOneSetOfEveryTargetAndCopiesItOffsite() throws Exception {
        Result r = ok("backup", "--all", "--reason", "before the upgrade");
        String setId = r.stdout().strip();
        assertThat(setId).matches("\\d{8}T\\d{6}Z-[0-9a-f]{6}");
        assertThat(r.stderr()).contains("recovery set " + setId + ": 3 of 3 verified");

        RecoverySet set = RecoverySets.readSet(offsite, setId);
        assertThat(set.complete()).isTrue();
        assertThat(set.members()).extracting(RecoverySet.Member::target).containsExactly("a", "b", "c");
        Result listJson = ok("list", "--json");
        for (RecoverySet.Member m : set.members()) {
            JsonNode row = row(listJson, m.backupId());
            assertThat(row.get("verified").asBoolean()).isTrue();
            assertThat(row.get("offsite").get("state").asText()).isEqualTo("copied");
        }
        Result sets = ok("sets");
        assertThat(sets.stdout())
                .containsPattern(setId + "\\s+\\S+\\s+3/3 verified\\s+yes")
                .contains(set.members().get(1).backupId());
        JsonNode setsJson = Json.MAPPER.readTree(ok("list", "--sets", "--json").stdout());
        assertThat(setsJson.get(0).get("set").get("id").asText()).isEqualTo(setId);
        assertThat(setsJson.get(0).get("complete").asBoolean()).isTrue();
        assertThat(setsJson.get(0).get("offsite").asText()).isEqualTo("copied");
    }

    @Test
    @Order(5)
    void aSetWithAFailingTargetRecordsTheFailureAndExitsNonZero() throws Exception {
        Path broken = work.resolve("broken.yaml");
        Files.writeString(broken, configText("a", "gone", "c"));
        LifeboatCli brokenCli = env(new LifeboatCli(broken));

        Result r = brokenCli.run("backup", "--all");

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        String setId = r.stdout().strip();
        assertThat(r.stderr()).contains("gone: backup FAILED").contains("2 of 3 verified - INCOMPLETE");
        JsonNode set =
                Json.MAPPER.readTree(brokenCli.run("sets", "--json").stdout()).get(0);
        assertThat(set.get("set").get("id").asText()).isEqualTo(setId);
        assertThat(set.get("complete").asBoolean()).isFalse();
        JsonNode gone = set.get("set").get("members").get(1);
        assertThat(gone.get("target").asText()).isEqualTo("gone");
        assertThat(gone.has("backupId")).isFalse();
        assertThat(gone.get("error").asText()).contains("folders/gone");
        assertThat(brokenCli.run("sets").stdout()).containsPattern(setId + "\\s+\\S+\\s+2/3 FAILED");
    }

    @Test
    @Order(6)
    void badUsageIsAClearErrorWithExitCode2() throws Exception {
        assertUsage(cli.run("copy"), "give one backup");
        assertUsage(cli.run("copy", "../etc"), "neither a backup id");
        assertUsage(cli.run("copy", "latest:nothing"), "no backup of 'nothing'");
        assertUsage(cli.run("copy", firstId, "--all-missing"), "give one backup");
        assertUsage(cli.run("backup"), "give a TARGET or --all");
        assertUsage(cli.run("backup", "a", "--all"), "give a TARGET or --all");

        Path noOffsite = work.resolve("no-offsite.yaml");
        Files.writeString(noOffsite, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  a: {kind: directory, path: folders/a, schedule: "0 0 2 * * ?", rpo: 26h}
                """);
        LifeboatCli plain = new LifeboatCli(noOffsite);
        assertUsage(plain.run("copy", "--all-missing"), "no off-site store is configured");
        Result list = plain.run("list");
        assertThat(list.exitCode()).isZero();
        assertThat(offsiteColumn(list, firstId))
                .as("no off-site store configured")
                .isEqualTo("-");
    }

    static void assertUsage(Result r, String message) {
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).contains(message).doesNotContain("\tat ");
    }

    static String sh(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(command + "\n" + out).isZero();
        return out;
    }
}
