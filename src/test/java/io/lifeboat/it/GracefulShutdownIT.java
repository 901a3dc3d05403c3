package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.MqttRecorder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a daemon in the middle of a backup: within {@code camel.main.shutdown-timeout} the backup
 * finishes and is verified; past it the backup is aborted cleanly (no partial object, the run recorded
 * as aborted, no BackupFailed alert) and its job runs again after the restart. Either way {@code
 * offline} is published before the process ends.
 */
class GracefulShutdownIT {

    private static final String TOKEN = "shutdown-it-token-0123456789";

    @TempDir
    Path work;

    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private String prefix;
    private int apiPort;

    private LifeboatCli configure() throws Exception {
        prefix = "lifeboat-shutdown-" + UUID.randomUUID().toString().substring(0, 8);
        apiPort = InboundFixture.freePort();
        Files.writeString(work.resolve("delay"), "0");
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                broker: {port: 0}
                mqtt: {url: "tcp://127.0.0.1:1883", prefix: "%s", clientId: "it-%s"}
                management: {port: %d}
                http: {port: %d, token: "%s"}
                targets:
                  slow:
                    kind: command
                    command: ["sh", "-c", "sleep $(cat %s); echo slow-data"]
                    schedule: "0 0 3 1 1 ? 2099"
                    rpo: 26h
                """.formatted(
                        prefix, prefix, InboundFixture.freePort(), apiPort, TOKEN, work.resolve("delay")));
        return new LifeboatCli(config);
    }

    @Test
    void aBackupRunningAtSigtermFinishesWithinTheShutdownTimeout() throws Exception {
        LifeboatCli cli = configure();
        try (MqttRecorder mqtt = new MqttRecorder(InboundFixture.MQTT, prefix + "/#")) {
            LifeboatCli.Started daemon = cli.start("run");
            try {
                awaitIdle(daemon, mqtt);
                Files.writeString(work.resolve("delay"), "4");
                requestBackup("finish-me");
                awaitStarted(mqtt, daemon, "finish-me");
                long t0 = System.nanoTime();
                daemon.process().destroy(); // SIGTERM
                assertThat(daemon.process().waitFor(90, TimeUnit.SECONDS))
                        .as(daemon.output())
                        .isTrue();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(90));
            } finally {
                daemon.process().destroyForcibly();
            }
            assertThat(daemon.output()).contains("JVM shutdown hook triggered by SIGTERM");
            List<JsonNode> backups = list(cli);
            assertThat(backups).anySatisfy(b -> {
                assertThat(b.path("manifest").path("trigger").path("detail").asText())
                        .contains("finish-me");
                assertThat(b.path("verified").asBoolean()).isTrue();
            });
            assertThat(mqtt.await(
                            r -> r.topic().equals(prefix + "/status")
                                    && r.payload().equals("offline"),
                            Duration.ofSeconds(10)))
                    .as("offline published at the clean stop")
                    .isPresent();
            assertThat(partials()).isEmpty();
        }
    }

    @Test
    void aBackupStillRunningAtTheTimeoutIsAbortedCleanlyAndItsJobRunsAfterRestart() throws Exception {
        LifeboatCli cli = configure().env("CAMEL_MAIN_SHUTDOWNTIMEOUT", "2"); // camel.main.shutdown-timeout
        try (MqttRecorder mqtt = new MqttRecorder(InboundFixture.MQTT, prefix + "/#")) {
            LifeboatCli.Started daemon = cli.start("run");
            try {
                awaitIdle(daemon, mqtt);
                Files.writeString(work.resolve("delay"), "60");
                requestBackup("cut-short");
                awaitStarted(mqtt, daemon, "cut-short");
                Thread.sleep(1000); // some bytes in flight, a partial object open
                daemon.process().destroy(); // SIGTERM
                assertThat(daemon.process().waitFor(60, TimeUnit.SECONDS))
                        .as(daemon.output())
                        .isTrue();
            } finally {
                daemon.process().destroyForcibly();
            }
            String output = daemon.output();
            assertThat(output).contains("1 running backup(s) aborted: Lifeboat was stopped");
            assertThat(partials()).as("no partial object left in the store").isEmpty();
            assertThat(list(cli))
                    .noneSatisfy(b -> assertThat(b.path("manifest")
                                    .path("trigger")
                                    .path("detail")
                                    .asText())
                            .contains("cut-short"));
            LifeboatCli.Result status = cli.run("status", "--json");
            assertThat(status.stdout()).contains("aborted: Lifeboat was stopped before the backup finished");
            assertThat(mqtt.received())
                    .as("the abort is an event, not an alert")
                    .anyMatch(r ->
                            r.topic().equals(prefix + "/events") && r.payload().contains("aborted"))
                    .noneMatch(r ->
                            r.topic().equals(prefix + "/alerts") && r.payload().contains("BackupFailed"));
            assertThat(mqtt.await(
                            r -> r.topic().equals(prefix + "/status")
                                    && r.payload().equals("offline"),
                            Duration.ofSeconds(10)))
                    .isPresent();

            // the job was left on the queue: after a restart it runs again and this time finishes
            Files.writeString(work.resolve("delay"), "0");
            LifeboatCli.Started again = cli.start("run");
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (System.nanoTime() < end
                        && list(cli).stream()
                                .noneMatch(b -> b.path("manifest")
                                        .path("trigger")
                                        .path("detail")
                                        .asText()
                                        .contains("cut-short"))) {
                    assertThat(again.process().isAlive()).as(again.output()).isTrue();
                    Thread.sleep(500);
                }
                assertThat(list(cli))
                        .anySatisfy(b -> assertThat(b.path("manifest")
                                        .path("trigger")
                                        .path("detail")
                                        .asText())
                                .contains("cut-short"));
            } finally {
                again.process().destroy();
                again.process().waitFor(60, TimeUnit.SECONDS);
                again.process().destroyForcibly();
            }
        }
    }

    /** Running, and the catch-up backup of the never-backed-up target done. */
    private void awaitIdle(LifeboatCli.Started daemon, MqttRecorder mqtt) throws Exception {
        assertThat(mqtt.await(
                        r -> r.topic().equals(prefix + "/events") && r.payload().contains("verify.verified"),
                        Duration.ofSeconds(120)))
                .as(daemon.output())
                .isPresent();
    }

    private void awaitStarted(MqttRecorder mqtt, LifeboatCli.Started daemon, String reason) throws Exception {
        assertThat(mqtt.await(
                        r -> r.topic().equals(prefix + "/events")
                                && r.payload().contains("backup.started")
                                && r.payload().contains(reason),
                        Duration.ofSeconds(60)))
                .as(daemon.output())
                .isPresent();
    }

    private void requestBackup(String reason) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/backups"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"target\":\"slow\",\"reason\":\"" + reason + "\",\"requestId\":\"" + reason + "\"}"))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    private List<JsonNode> list(LifeboatCli cli) throws Exception {
        LifeboatCli.Result r = cli.run("list", "slow", "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<JsonNode> out = new java.util.ArrayList<>();
        Json.MAPPER.readTree(r.stdout()).forEach(out::add);
        return out;
    }

    private List<Path> partials() throws Exception {
        Path store = work.resolve("store");
        if (!Files.exists(store)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(store)) {
            return files.filter(p -> p.getFileName().toString().contains(".partial"))
                    .toList();
        }
    }
}
