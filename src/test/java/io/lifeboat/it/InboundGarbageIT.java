package io.lifeboat.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.MqttRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage on every inbound topic (random bytes, a 1 MiB payload, wrong JSON types, unknown
 * status/action/target, non-UTF-8, a bad service name): each is dead-lettered with its reason and
 * counted, the daemon keeps running, and a valid backup command afterwards still gives a verified backup.
 */
class InboundGarbageIT {

    @TempDir
    Path work;

    record Garbage(String topic, byte[] payload, String reason) {}

    @Test
    void garbageIsDeadLetteredAndCountedAndTheDaemonGoesOn() throws Exception {
        Random random = new Random(42);
        byte[] noise = new byte[300];
        random.nextBytes(noise);
        noise[0] = (byte) 0xff; // never valid UTF-8
        byte[] huge = new byte[1024 * 1024];
        Arrays.fill(huge, (byte) 'x');
        byte[] latin1 = "{\"status\":\"d\u00f6wn\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        List<Garbage> garbage = List.of(
                new Garbage("health/db", noise, "not_utf8"),
                new Garbage("health/db", huge, "too_large"),
                new Garbage("health/db", b("{\"status\":5}"), "wrong_type"),
                new Garbage("health/db", b("{\"status\":\"melting\"}"), "unknown_status"),
                new Garbage("health/db", b("not json at all"), "not_json"),
                new Garbage("health/db", latin1, "not_utf8"),
                new Garbage("health/bad name!", b("{\"status\":\"up\"}"), "bad_service"),
                new Garbage("cmd/backup", b("{\"target\":\"nope\"}"), "unknown_target"),
                new Garbage("cmd/backup", b("{\"target\":[\"files\"]}"), "wrong_type"),
                new Garbage("cmd/backup", b("{\"reason\":\"no target\"}"), "missing_field"),
                new Garbage("cmd/backup", noise, "not_utf8"),
                new Garbage("cmd/safe-mode", b("{\"action\":\"explode\"}"), "unknown_action"),
                new Garbage("cmd/safe-mode", huge, "too_large"),
                new Garbage(
                        "alerts/in",
                        b("{\"status\":\"firing\",\"severity\":\"apocalyptic\",\"summary\":\"x\"}"),
                        "unknown_severity"),
                new Garbage("alerts/in", b("{\"alerts\":\"many\"}"), "wrong_type"),
                new Garbage("alerts/in", b("[1,2,3]"), "not_json"),
                new Garbage("alerts/in", noise, "not_utf8"),
                new Garbage("cmd/silence", noise, "not_utf8"),
                new Garbage("cmd/silence", huge, "too_large"),
                new Garbage("cmd/silence", b("{\"matchers\":{},\"duration\":\"1h\"}"), "invalid"),
                new Garbage("cmd/silence", b("{\"matchers\":{\"target\":\"files\"},\"duration\":\"999d\"}"), "invalid"),
                new Garbage("cmd/silence", b("{\"action\":\"expire\"}"), "missing_field"),
                new Garbage("devices/nas/availability", b("maybe"), "unknown_status"),
                new Garbage("devices/nas/availability", noise, "not_utf8"));
        try (InboundFixture f = new InboundFixture(
                        work,
                        "garbage",
                        "",
                        ", subscriptions: [{topic: \"<prefix>/devices/+/availability\", service: nas}]");
                MqttRecorder mqtt = f.recorder()) {
            f.start(mqtt);
            for (Garbage g : garbage) {
                f.publish(g.topic(), g.payload());
            }
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < end && dlq(mqtt, f).size() < garbage.size()) {
                Thread.sleep(100);
            }
            List<JsonNode> dlq = dlq(mqtt, f);
            assertThat(dlq).as(f.daemon.output()).hasSize(garbage.size());
            Map<String, Integer> expected = new HashMap<>();
            for (Garbage g : garbage) {
                expected.merge(g.topic() + " " + g.reason(), 1, Integer::sum);
            }
            Map<String, Integer> got = new HashMap<>();
            for (JsonNode d : dlq) {
                String topic = d.get("topic").asText().substring(f.prefix.length() + 1);
                got.merge(topic + " " + d.get("reason").asText(), 1, Integer::sum);
                assertThat(d.get("detail").asText()).isNotBlank();
                assertThat(d.get("receivedAt").asText()).isNotBlank();
                assertThat(d.get("payloadBase64").asText().length()).isLessThanOrEqualTo(1368); // 1 KiB in base64
            }
            assertThat(got).isEqualTo(expected);
            JsonNode big = dlq.stream()
                    .filter(d -> d.get("reason").asText().equals("too_large"))
                    .findFirst()
                    .orElseThrow();
            assertThat(big.get("payloadBytes").asInt()).isEqualTo(huge.length);

            Map<String, Integer> perReason = new HashMap<>();
            garbage.forEach(g -> perReason.merge(g.reason(), 1, Integer::sum));
            for (Map.Entry<String, Integer> e : perReason.entrySet()) {
                assertThat(f.rejected(e.getKey()))
                        .as(e.getKey())
                        .isEqualTo(e.getValue().doubleValue());
            }
            assertThat(f.daemon.process().isAlive()).isTrue();

            // the extra subscription reads its own words as health
            f.publish("devices/nas/availability", "offline");
            assertThat(mqtt.await(
                            m -> m.topic().equals(f.prefix + "/events")
                                    && m.payload().contains("health.changed")
                                    && m.payload().contains("\"service\":\"nas\"")
                                    && m.payload().contains("\"status\":\"down\""),
                            Duration.ofSeconds(30)))
                    .as(f.daemon.output())
                    .isPresent();

            // a valid command afterwards still works, to a verified backup
            f.publish(
                    "cmd/backup",
                    "{\"target\":\"files\",\"reason\":\"after the garbage\",\"requestId\":\"garbage-1\"}");
            assertThat(mqtt.await(
                            m -> m.topic().equals(f.prefix + "/events")
                                    && m.payload().contains("backup.started")
                                    && m.payload().contains("after the garbage"),
                            Duration.ofSeconds(60)))
                    .as(f.daemon.output())
                    .isPresent();
            var started = mqtt.received().stream()
                    .filter(m -> m.topic().equals(f.prefix + "/events")
                            && m.payload().contains("backup.started")
                            && m.payload().contains("after the garbage"))
                    .findFirst()
                    .orElseThrow();
            String id = Json.MAPPER.readTree(started.payload()).get("backupId").asText();
            assertThat(mqtt.await(
                            m -> m.payload().contains("verify.verified")
                                    && m.payload().contains(id),
                            Duration.ofSeconds(60)))
                    .isPresent();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    private static List<JsonNode> dlq(MqttRecorder mqtt, InboundFixture f) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (var m : mqtt.received()) {
            if (m.topic().equals(f.prefix + "/dlq")) {
                out.add(Json.MAPPER.readTree(m.payload()));
            }
        }
        return out;
    }
}
