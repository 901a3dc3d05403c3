package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.MqttRecorder;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An alert that matches an {@code alerting.backupOn} rule, sent ten times on MQTT, backs up its target once. */
class AlertBackupIT {

    @TempDir
    Path work;

    @Test
    void anAlertRepeatedTenTimesTriggersExactlyOneBackupOfTheRulesTarget() throws Exception {
        String rule = """
                alerting:
                  backupOn:
                    - {name: smart-nas, match: {alertname: SmartWarning, host: nas}, targets: [files]}
                """;
        try (InboundFixture f = new InboundFixture(work, "alert", rule);
                MqttRecorder mqtt = f.recorder()) {
            f.start(mqtt);
            // the first start catches up both targets once; let that finish first
            for (String target : new String[] {"files", "other"}) {
                assertThat(mqtt.await(
                                m -> m.payload().contains("verify.verified")
                                        && m.payload().contains("\"target\":\"" + target + "\""),
                                Duration.ofSeconds(90)))
                        .as(f.daemon.output())
                        .isPresent();
            }
            String alert = """
                    {"version":"4","status":"firing","alerts":[{"status":"firing",
                     "labels":{"alertname":"SmartWarning","host":"nas","severity":"warning"},
                     "annotations":{"summary":"sda: reallocated sectors"},
                     "startsAt":"2026-11-23T03:00:00Z","endsAt":"0001-01-01T00:00:00Z"}]}""";
            for (int i = 0; i < 10; i++) {
                f.publish("alerts/in", alert);
            }
            // a bad alert behind them on the same topic: once it is dead-lettered, all ten were handled
            f.publish("alerts/in", "{\"alerts\":\"marker\"}");
            assertThat(mqtt.await(m -> m.topic().equals(f.prefix + "/dlq"), Duration.ofSeconds(60)))
                    .as(f.daemon.output())
                    .isPresent();
            var started = mqtt.await(
                    m -> m.payload().contains("backup.started") && m.payload().contains("\"type\":\"alert\""),
                    Duration.ofSeconds(60));
            assertThat(started).as(f.daemon.output()).isPresent();
            JsonNode event = Json.MAPPER.readTree(started.get().payload());
            assertThat(event.get("target").asText()).isEqualTo("files");
            assertThat(event.get("trigger").get("detail").asText()).isEqualTo("SmartWarning: sda: reallocated sectors");
            String id = event.get("backupId").asText();
            assertThat(mqtt.await(
                            m -> m.payload().contains("verify.verified")
                                    && m.payload().contains(id),
                            Duration.ofSeconds(60)))
                    .isPresent();
            f.stop();
            JsonNode list = Json.MAPPER.readTree(f.cli.run("list", "--json").stdout());
            int alertBackups = 0;
            for (JsonNode b : list) {
                if (b.get("manifest").get("trigger").get("type").asText().equals("alert")) {
                    alertBackups++;
                    assertThat(b.get("manifest").get("target").asText()).isEqualTo("files");
                }
            }
            assertThat(alertBackups).as(list.toPrettyString()).isEqualTo(1);
        }
    }
}
