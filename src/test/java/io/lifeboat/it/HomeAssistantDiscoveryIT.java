package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.MqttRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery over real Mosquitto: retained configs at start, again after Home Assistant's birth message, and its button works. */
class HomeAssistantDiscoveryIT {

    @TempDir
    Path work;

    @Test
    void configsArePublishedResentWhenHomeAssistantComesOnlineAndTheButtonBacksUp() throws Exception {
        String ha = "ha-" + UUID.randomUUID().toString().substring(0, 8);
        try (InboundFixture f = new InboundFixture(
                        work, "ha", "homeassistant: {discovery: true, prefix: " + ha + ", nodeId: it}\n");
                MqttRecorder discovery = new MqttRecorder(InboundFixture.MQTT, ha + "/#");
                MqttRecorder mqtt = f.recorder()) {
            f.start(mqtt);
            int entities = 2 * 4 + 3;
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (configs(discovery, ha) < entities && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            assertThat(configs(discovery, ha)).as(f.daemon.output()).isEqualTo(entities);
            for (MqttRecorder.Received r : discovery.received()) {
                JsonNode p = Json.MAPPER.readTree(r.payload());
                assertThat(p.path("unique_id").asText()).startsWith("lifeboat_it_");
                assertThat(p.path("availability_topic").asText()).isEqualTo(f.prefix + "/status");
            }
            // a subscriber arriving later gets them retained
            try (MqttRecorder late = new MqttRecorder(InboundFixture.MQTT, ha + "/+/it/+/config")) {
                assertThat(late.await(m -> m.retained(), Duration.ofSeconds(10)))
                        .isPresent();
            }

            // garbage on the status topic is ignored; only online re-announces
            byte[] noise = new byte[4096];
            new Random(7).nextBytes(noise);
            publishAbsolute(ha + "/status", noise);
            publishAbsolute(ha + "/status", "offline".getBytes());
            Thread.sleep(1500);
            assertThat(configs(discovery, ha)).isEqualTo(entities);
            publishAbsolute(ha + "/status", "online".getBytes());
            end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (configs(discovery, ha) < 2 * entities && System.nanoTime() < end) {
                Thread.sleep(100);
            }
            assertThat(configs(discovery, ha)).as(f.daemon.output()).isEqualTo(2 * entities);

            // "Back up files now": what Home Assistant sends when the button is pressed
            MqttRecorder.Received buttonConfig = discovery.received().stream()
                    .filter(r -> r.topic().equals(ha + "/button/it/files_backup_now/config"))
                    .findFirst()
                    .orElseThrow();
            String template = Json.MAPPER
                    .readTree(buttonConfig.payload())
                    .path("command_template")
                    .asText();
            String pressed = template.replace("{{ now().timestamp() }}", "1764000000.5");
            f.publish("cmd/backup", pressed);
            assertThat(mqtt.await(
                            m -> m.payload().contains("backup.started")
                                    && m.payload().contains("Home Assistant button"),
                            Duration.ofSeconds(60)))
                    .as(f.daemon.output())
                    .isPresent();
            assertThat(mqtt.await(
                            m -> m.topic().equals(f.prefix + "/stats")
                                    && m.payload().contains("outboxDepth"),
                            Duration.ofSeconds(30)))
                    .isPresent();
            assertThat(f.daemon.process().isAlive()).isTrue();

            // leave no retained configs behind on the shared broker
            for (String topic : discovery.received().stream()
                    .map(MqttRecorder.Received::topic)
                    .distinct()
                    .toList()) {
                publishRetainedEmpty(topic);
            }
        }
    }

    private static long configs(MqttRecorder r, String ha) {
        return r.received().stream()
                .filter(m -> m.topic().endsWith("/config") && !m.payload().isEmpty())
                .count();
    }

    private static void publishAbsolute(String topic, byte[] payload) throws Exception {
        publish(topic, payload, false);
    }

    private static void publishRetainedEmpty(String topic) throws Exception {
        publish(topic, new byte[0], true);
    }

    private static void publish(String topic, byte[] payload, boolean retained) throws Exception {
        var c = new org.eclipse.paho.mqttv5.client.MqttClient(
                InboundFixture.MQTT,
                "it-ha-" + UUID.randomUUID(),
                new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        try {
            c.connect();
            c.publish(topic, payload, 1, retained);
            c.disconnect();
        } finally {
            c.close();
        }
    }
}
