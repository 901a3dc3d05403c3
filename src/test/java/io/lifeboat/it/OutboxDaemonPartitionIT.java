package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.outbox.PersistentSubscriber;
import io.lifeboat.outbox.Servers;
import io.lifeboat.testsupport.LifeboatCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/**
 * {@code ./lifeboat run} with targets backed up every second, Mosquitto stopped for several hundred
 * publications and started again: every event arrives once after de-duplication, per target in order.
 */
class OutboxDaemonPartitionIT {

    private static final List<String> TARGETS = List.of("t1", "t2", "t3", "t4");

    @TempDir
    Path work;

    @Test
    void everyEventOfAnOutageArrivesOnceAndInOrder() throws Exception {
        Path folder = Files.createDirectories(work.resolve("files"));
        Files.writeString(folder.resolve("a.txt"), "a");
        String prefix = "lifeboat-outbox-it-" + UUID.randomUUID().toString().substring(0, 8);
        try (Servers.Mosquitto mosquitto = new Servers.Mosquitto(work.resolve("mosquitto"));
                Servers.Redis redis = new Servers.Redis(work.resolve("redis"))) {
            mosquitto.start();
            redis.start();
            StringBuilder targets = new StringBuilder();
            for (String t : TARGETS) {
                targets.append(
                        "  %s: {kind: directory, path: files, schedule: \"* * * * * ?\", rpo: 1m}\n".formatted(t));
            }
            Path config = work.resolve("lifeboat.yaml");
            Files.writeString(config, """
                    dataDir: data
                    storage: {primary: {type: filesystem, path: store}}
                    mqtt: {url: "%s", prefix: "%s"}
                    redis: {url: "%s", stream: "lifeboat:outbox"}
                    management: {enabled: false}
                    http: {enabled: false}
                    targets:
                    %s""".formatted(mosquitto.url(), prefix, redis.url(), targets));
            LifeboatCli cli = new LifeboatCli(config);
            LifeboatCli.Started started = cli.start("run");
            Process daemon = started.process();
            try (PersistentSubscriber sub = new PersistentSubscriber(mosquitto.url(), prefix + "/#");
                    JedisPooled jedis = new JedisPooled(redis.url())) {
                await(
                        "online\n" + started.output(),
                        () -> sub.all().stream()
                                .anyMatch(m -> m.topic().equals(prefix + "/status")
                                        && m.payload().equals("online")));
                await("first backups verified", () -> count(sub, "verify.verified") >= 4);
                mosquitto.stop();
                await("several hundred publications buffered in Redis", () -> jedis.xlen("lifeboat:outbox") >= 300);
                mosquitto.start();
                await("the backlog drained", () -> jedis.xlen("lifeboat:outbox") < 20);
                int before = sub.all().size();
                await("live again", () -> sub.all().size() > before + 20);
                daemon.destroy(); // clean stop: the outbox flushes
                assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
                await("offline announced at a clean stop", () -> {
                    List<PersistentSubscriber.Received> status = sub.deduplicated().stream()
                            .filter(m -> m.topic().equals(prefix + "/status"))
                            .toList();
                    return !status.isEmpty()
                            && status.get(status.size() - 1).payload().equals("offline");
                });
                List<PersistentSubscriber.Received> events = sub.deduplicated().stream()
                        .filter(m -> m.topic().equals(prefix + "/events"))
                        .toList();
                assertThat(events).allMatch(m -> m.msgId() != null);
                checkOrderAndCompleteness(cli, events);
            } finally {
                if (daemon.isAlive()) {
                    daemon.destroyForcibly();
                }
            }
        }
    }

    private static void checkOrderAndCompleteness(LifeboatCli cli, List<PersistentSubscriber.Received> events)
            throws Exception {
        Map<String, List<String>> phasesByBackup = new HashMap<>();
        Map<String, List<String>> startedByTarget = new HashMap<>();
        for (PersistentSubscriber.Received r : events) {
            JsonNode e = Json.MAPPER.readTree(r.payload());
            if (!e.has("backupId")) {
                continue;
            }
            String id = e.get("backupId").asText();
            phasesByBackup
                    .computeIfAbsent(id, k -> new ArrayList<>())
                    .add(e.get("type").asText());
            if (e.get("type").asText().equals("backup.started")) {
                startedByTarget
                        .computeIfAbsent(e.get("target").asText(), k -> new ArrayList<>())
                        .add(id);
            }
        }
        int backups = 0;
        for (String target : TARGETS) {
            List<String> ids = startedByTarget.getOrDefault(target, List.of());
            // backup ids sort by their UTC second; the suffix after it is random (two in one second: catch-up)
            assertThat(ids.stream().map(id -> id.substring(0, id.indexOf('-'))).toList())
                    .as("backup ids of %s in arrival order", target)
                    .isSorted();
            JsonNode list =
                    Json.MAPPER.readTree(cli.run("list", target, "--json").stdout());
            Set<String> stored = new HashSet<>();
            for (JsonNode b : list) {
                stored.add(b.get("manifest").get("id").asText());
            }
            backups += stored.size();
            for (String id : stored) {
                assertThat(phasesByBackup.get(id))
                        .as("events of %s", id)
                        .containsSubsequence("backup.started", "backup.finished", "verify.verified")
                        .doesNotHaveDuplicates();
            }
        }
        assertThat(backups).as("backups during the test").isGreaterThanOrEqualTo(60);
    }

    private static long count(PersistentSubscriber sub, String type) {
        return sub.deduplicated().stream()
                .filter(m -> m.payload().contains("\"type\":\"" + type + "\""))
                .count();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }
}
