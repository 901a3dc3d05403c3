package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.MqttRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./lifeboat run}: schedules fire, a missed schedule is caught up once, events reach real Mosquitto. */
class DaemonIT {

    @TempDir
    Path work;

    @Test
    void aMissedScheduleRunsOnceAtStartAndCronSlotsFireAfterwards() throws Exception {
        Path folder = Files.createDirectories(work.resolve("files"));
        Files.writeString(folder.resolve("a.txt"), "a");
        String prefix = "lifeboat-daemon-it-" + UUID.randomUUID().toString().substring(0, 8);
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                broker: {port: 0}
                management: {enabled: false}
                http: {enabled: false}
                mqtt: {url: "tcp://127.0.0.1:1883", prefix: "%s"}
                targets:
                  nightly: {kind: directory, path: files, schedule: "0 0 3 1 1 ?", rpo: 26h}
                  frequent: {kind: directory, path: files, schedule: "0/5 * * * * ?", rpo: 1m}
                """.formatted(prefix));
        LifeboatCli cli = new LifeboatCli(config);
        Process daemon = cli.start("run").process();
        try (MqttRecorder mqtt = new MqttRecorder("tcp://127.0.0.1:1883", prefix + "/#")) {
            assertThat(mqtt.await(
                            m -> m.topic().equals(prefix + "/status")
                                    && m.payload().equals("online"),
                            Duration.ofSeconds(60)))
                    .as("daemon announces itself")
                    .isPresent();
            // the nightly target never ran: one catch-up backup at start, and only one
            assertThat(mqtt.await(
                            m -> m.payload().contains("verify.verified")
                                    && m.payload().contains("\"nightly\""),
                            Duration.ofSeconds(60)))
                    .isPresent();
            // the frequent target fires on its cron several times
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (System.nanoTime() < end && verifiedCount(mqtt, "frequent") < 3) {
                Thread.sleep(200);
            }
            assertThat(verifiedCount(mqtt, "frequent")).isGreaterThanOrEqualTo(3);
            assertThat(verifiedCount(mqtt, "nightly")).isEqualTo(1);
        } finally {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
            if (daemon.isAlive()) {
                daemon.destroyForcibly();
            }
        }
        JsonNode list =
                Json.MAPPER.readTree(cli.run("list", "nightly", "--json").stdout());
        assertThat(list.size()).isEqualTo(1);
        assertThat(list.get(0).get("manifest").get("trigger").get("detail").asText())
                .contains("catch-up");

        // a restart on a machine that lost its catalog: the index comes back from storage, the retained
        // state is published at once, and the nightly backup on record means no second catch-up
        deleteTree(work.resolve("data/catalog"));
        LifeboatCli.Started secondRun = cli.start("run");
        Process again = secondRun.process();
        try (MqttRecorder mqtt = new MqttRecorder("tcp://127.0.0.1:1883", prefix + "/#")) {
            // live (not the retained copy from the first run): published by this start, from the rebuilt index
            var state = mqtt.await(
                    m -> m.topic().equals(prefix + "/backup/nightly/state")
                            && !m.retained()
                            && m.payload()
                                    .contains(list.get(0)
                                            .get("manifest")
                                            .get("id")
                                            .asText()),
                    Duration.ofSeconds(60));
            assertThat(state)
                    .as("state of nightly from the rebuilt catalog\n" + secondRun.output())
                    .isPresent();
            assertThat(Json.MAPPER
                            .readTree(state.get().payload())
                            .get("rpoState")
                            .asText())
                    .isEqualTo("ok");
            assertThat(mqtt.await(
                            m -> m.payload().contains("verify.verified")
                                    && m.payload().contains("\"frequent\""),
                            Duration.ofSeconds(60)))
                    .isPresent();
            Thread.sleep(3000);
            assertThat(verifiedCount(mqtt, "nightly")).isZero();
        } finally {
            again.destroy();
            again.waitFor(30, TimeUnit.SECONDS);
            if (again.isAlive()) {
                again.destroyForcibly();
            }
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static long verifiedCount(MqttRecorder mqtt, String target) {
        List<MqttRecorder.Received> all = new ArrayList<>(mqtt.received());
        return all.stream()
                .filter(m -> m.topic().endsWith("/events")
                        && m.payload().contains("verify.verified")
                        && m.payload().contains("\"target\":\"" + target + "\""))
                .count();
    }
}
