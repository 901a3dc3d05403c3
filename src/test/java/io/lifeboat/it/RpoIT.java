package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.MqttRecorder;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RPO dead man's switch in the daemon: a target whose backup ages past its RPO alerts once; a backup resolves it. */
class RpoIT {

    @TempDir
    Path work;

    private static boolean rpoAlert(MqttRecorder.Received m, String prefix, String status) {
        return m.topic().equals(prefix + "/alerts")
                && m.payload().contains("\"fingerprint\":\"RpoBreached:quick\"")
                && m.payload().contains("\"status\":\"" + status + "\"");
    }

    @Test
    void aBreachAlertsOnceAndTheNextVerifiedBackupResolvesIt() throws Exception {
        String extra = """
                  quick: {kind: directory, path: files, schedule: "0 0 3 1 1 ? 2099", rpo: 4s}
                alerting: {rpoCheck: 1s}
                """;
        try (InboundFixture f = new InboundFixture(work, "rpo", extra);
                MqttRecorder mqtt = f.recorder()) {
            f.start(mqtt);
            var firing = mqtt.await(m -> rpoAlert(m, f.prefix, "firing"), Duration.ofSeconds(60));
            assertThat(firing).as(f.daemon.output()).isPresent();
            JsonNode alert = Json.MAPPER.readTree(firing.get().payload());
            assertThat(alert.get("severity").asText()).isEqualTo("critical");
            assertThat(alert.get("summary").asText())
                    .isEqualTo("quick has no verified backup younger than its RPO (4s)");
            Thread.sleep(4000); // four more checks
            assertThat(mqtt.received().stream()
                            .filter(m -> rpoAlert(m, f.prefix, "firing"))
                            .count())
                    .isEqualTo(1);
            // the retained state says breached
            assertThat(mqtt.await(
                            m -> m.topic().equals(f.prefix + "/backup/quick/state")
                                    && m.payload().contains("\"rpoState\":\"breached\""),
                            Duration.ofSeconds(10)))
                    .isPresent();

            f.publish("cmd/backup", "{\"target\":\"quick\",\"reason\":\"rpo\",\"requestId\":\"rpo-1\"}");
            assertThat(mqtt.await(m -> rpoAlert(m, f.prefix, "resolved"), Duration.ofSeconds(60)))
                    .as(f.daemon.output())
                    .isPresent();
        }
    }
}
