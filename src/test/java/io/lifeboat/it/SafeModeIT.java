package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.LifeboatCli.Result;
import io.lifeboat.testsupport.MqttRecorder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safe Mode through the real daemon and Mosquitto: three services down within the window turn it on
 * (retained ON, shown by status); a resume without the token or with a wrong one is refused
 * (dead-lettered, counted); with the token it goes off and the audit says who; the state survives a
 * restart; a local shell user resumes with the CLI.
 */
class SafeModeIT {

    @TempDir
    Path work;

    @Test
    void threeServicesDownEnterSafeModeAndOnlyTheTokenResumesIt() throws Exception {
        String token = "it-token-" + UUID.randomUUID();
        try (InboundFixture f = new InboundFixture(
                work, "safemode", "safeMode: {faults: 3, window: 5m, resumeToken: \"${LIFEBOAT_RESUME_TOKEN}\"}\n")) {
            f.cli.env("LIFEBOAT_RESUME_TOKEN", token);
            try (MqttRecorder mqtt = f.recorder()) {
                f.start(mqtt);
                assertThat(mqtt.await(
                                m -> m.topic().equals(f.prefix + "/safe_mode")
                                        && m.payload().equals("OFF"),
                                Duration.ofSeconds(30)))
                        .isPresent();
                f.publish("health/db", "{\"status\":\"down\"}");
                f.publish("health/cache", "offline");
                f.publish("health/db", "{\"status\":\"down\"}"); // the same service again is still one
                assertThat(mqtt.await(
                                m -> m.topic().equals(f.prefix + "/safe_mode")
                                        && m.payload().equals("ON"),
                                Duration.ofSeconds(5)))
                        .as("two services are not three")
                        .isEmpty();
                f.publish("health/nas", "{\"status\":\"integrity_failed\",\"detail\":\"checksums\"}");
                assertThat(mqtt.await(
                                m -> m.topic().equals(f.prefix + "/safe_mode")
                                        && m.payload().equals("ON"),
                                Duration.ofSeconds(30)))
                        .as(f.daemon.output())
                        .isPresent();
                assertThat(mqtt.await(
                                m -> m.topic().equals(f.prefix + "/alerts")
                                        && m.payload().contains("SafeModeEntered"),
                                Duration.ofSeconds(30)))
                        .isPresent();
            }
            // a new subscriber sees the retained state
            try (MqttRecorder late = new MqttRecorder(InboundFixture.MQTT, f.prefix + "/safe_mode")) {
                var retained = late.await(m -> m.retained(), Duration.ofSeconds(10));
                assertThat(retained).isPresent();
                assertThat(retained.get().payload()).isEqualTo("ON");
            }
            Result status = f.cli.run("status");
            assertThat(status.stdout()).contains("Safe Mode: ON").contains("rule: 3 services down: cache, db, nas");

            try (MqttRecorder mqtt = f.recorder()) {
                f.publish("cmd/safe-mode", "{\"action\":\"resume\",\"by\":\"mallory\"}");
                f.publish(
                        "cmd/safe-mode",
                        "{\"action\":\"resume\",\"token\":\"guess-" + token + "\",\"by\":\"mallory\"}");
                long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < end
                        && mqtt.received().stream()
                                        .filter(m -> m.topic().equals(f.prefix + "/dlq"))
                                        .count()
                                < 2) {
                    Thread.sleep(100);
                }
                var dlq = mqtt.received().stream()
                        .filter(m -> m.topic().equals(f.prefix + "/dlq"))
                        .toList();
                assertThat(dlq).hasSize(2);
                for (var m : dlq) {
                    JsonNode d = Json.MAPPER.readTree(m.payload());
                    assertThat(d.get("reason").asText()).isEqualTo("unauthorized");
                    assertThat(d.get("detail").asText()).contains("resume refused");
                    assertThat(m.payload()).doesNotContain(token);
                }
                assertThat(f.rejected("unauthorized")).isEqualTo(2.0);
                assertThat(f.cli.run("status").stdout()).contains("Safe Mode: ON");

                f.publish(
                        "cmd/safe-mode",
                        "{\"action\":\"resume\",\"token\":\"" + token
                                + "\",\"by\":\"alice\",\"reason\":\"disks replaced\"}");
                assertThat(mqtt.await(
                                m -> m.topic().equals(f.prefix + "/safe_mode")
                                        && m.payload().equals("OFF"),
                                Duration.ofSeconds(30)))
                        .as(f.daemon.output())
                        .isPresent();
            }
            JsonNode json = Json.MAPPER.readTree(f.cli.run("status", "--json").stdout());
            assertThat(json.get("safeMode").get("on").asBoolean()).isFalse();
            assertThat(json.get("safeMode").get("actor").asText()).isEqualTo("mqtt (by alice)");
            assertThat(json.get("safeMode").get("reason").asText()).isEqualTo("disks replaced");

            // entered by command; the state survives a restart of the daemon
            try (MqttRecorder mqtt = f.recorder()) {
                f.publish("cmd/safe-mode", "{\"action\":\"enter\",\"reason\":\"going on holiday\",\"by\":\"bob\"}");
                assertThat(mqtt.await(
                                m -> m.topic().equals(f.prefix + "/safe_mode")
                                        && m.payload().equals("ON"),
                                Duration.ofSeconds(30)))
                        .isPresent();
            }
            f.stop();
            try (MqttRecorder mqtt = f.recorder()) {
                f.start(mqtt);
                assertThat(mqtt.await(
                                m -> m.topic().equals(f.prefix + "/safe_mode")
                                        && !m.retained()
                                        && m.payload().equals("ON"),
                                Duration.ofSeconds(30)))
                        .as("announced again by the new process\n" + f.daemon.output())
                        .isPresent();
            }
            Result history = f.cli.run("safe-mode", "status", "--json");
            JsonNode h = Json.MAPPER.readTree(history.stdout());
            assertThat(h.get("on").asBoolean()).isTrue();
            assertThat(h.get("history").get(0).get("actor").asText()).isEqualTo("mqtt (by bob)");
            assertThat(h.get("history").get(1).get("actor").asText()).isEqualTo("mqtt (by alice)");

            // the local shell user may resume without a token; audited as cli:<user>
            try (MqttRecorder mqtt = f.recorder()) {
                Result resume = f.cli.run("safe-mode", "resume", "--reason", "back home");
                assertThat(resume.exitCode()).as(resume.toString()).isZero();
                assertThat(resume.stdout()).contains("Safe Mode is off");
                assertThat(f.cli.run("safe-mode").stdout())
                        .contains("Safe Mode: OFF")
                        .contains("by cli:" + System.getProperty("user.name"));
                // the daemon goes on reading health events
                f.publish("health/nas", "{\"status\":\"up\"}");
                assertThat(mqtt.await(m -> m.payload().contains("\"nas\""), Duration.ofSeconds(30)))
                        .isPresent();
            }
        }
    }
}
