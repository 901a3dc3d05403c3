package io.lifeboat.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.MqttRecorder;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event pipeline end to end, through the real daemon: a health event posted to the API while MQTT
 * carries it out as {@code health.changed}; a backup command over HTTP becomes a verified backup; an
 * alert sent by a monitor to the Artemis address {@code lifeboat.alerts} backs up the rule's target once;
 * Safe Mode entered over HTTP is refused a wrong resume token and left with the right one.
 */
class EventPipelineIT {

    private static final String TOKEN = "it-api-token-0123456789";
    private static final String RESUME = "it-resume-token";

    @TempDir
    Path work;

    @Test
    void httpEventsCommandsArtemisAlertsAndSafeModeGoThroughTheRunningDaemon() throws Exception {
        int api = InboundFixture.freePort();
        int core = InboundFixture.freePort();
        String extra = """
                http: {port: %d, token: "%s"}
                broker: {port: %d}
                safeMode: {faults: 50, window: 5m, resumeToken: "%s"}
                alerting:
                  backupOn:
                    - {name: disk, match: {alertname: DiskSpaceLow}, targets: [other]}
                """.formatted(api, TOKEN, core, RESUME);
        try (InboundFixture f = new InboundFixture(work, "pipeline", extra);
                MqttRecorder mqtt = f.recorder()) {
            f.start(mqtt);
            for (String target : new String[] {"files", "other"}) { // the first start catches both up
                assertThat(mqtt.await(
                                m -> m.payload().contains("verify.verified")
                                        && m.payload().contains("\"target\":\"" + target + "\""),
                                Duration.ofSeconds(90)))
                        .as(f.daemon.output())
                        .isPresent();
            }

            // a health event over HTTP comes out on MQTT as health.changed
            HttpResponse<String> posted =
                    post(api, "/api/events", "{\"service\":\"nas\",\"status\":\"down\",\"detail\":\"disk\"}");
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            var changed = mqtt.await(
                    m -> m.topic().equals(f.prefix + "/events")
                            && m.payload().contains("health.changed")
                            && m.payload().contains("\"service\":\"nas\""),
                    Duration.ofSeconds(30));
            assertThat(changed).as(f.daemon.output()).isPresent();
            assertThat(Json.MAPPER
                            .readTree(changed.get().payload())
                            .get("status")
                            .asText())
                    .isEqualTo("down");
            // garbage over HTTP is refused with its reason, dead-lettered on MQTT
            HttpResponse<String> bad = post(api, "/api/events", "{\"service\":\"nas\",\"status\":\"exploded\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("unknown_status");
            assertThat(mqtt.await(
                            m -> m.topic().equals(f.prefix + "/dlq")
                                    && m.payload().contains("unknown_status"),
                            Duration.ofSeconds(30)))
                    .isPresent();

            // a backup command over HTTP: queued (202), then verified
            HttpResponse<String> queued = post(
                    api, "/api/backups", "{\"target\":\"files\",\"reason\":\"before upgrade\",\"requestId\":\"r-1\"}");
            assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
            assertThat(queued.body()).contains("cmd:r-1");
            var commanded = mqtt.await(
                    m -> m.payload().contains("backup.started") && m.payload().contains("before upgrade"),
                    Duration.ofSeconds(60));
            assertThat(commanded).as(f.daemon.output()).isPresent();
            String commandedId = Json.MAPPER
                    .readTree(commanded.get().payload())
                    .get("backupId")
                    .asText();
            assertThat(mqtt.await(
                            m -> m.payload().contains("verify.verified")
                                    && m.payload().contains(commandedId),
                            Duration.ofSeconds(60)))
                    .as(f.daemon.output())
                    .isPresent();

            // a monitor sends the same alert three times to lifeboat.alerts over the broker's core port
            String alert = """
                    {"fingerprint":"disk-nas","severity":"warning","status":"firing","summary":"/srv 95% full",
                     "labels":{"alertname":"DiskSpaceLow","host":"nas"},"startsAt":"2026-11-23T04:00:00Z"}""";
            try (ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + core);
                    Connection c = cf.createConnection()) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer p = s.createProducer(s.createQueue("lifeboat.alerts"));
                for (int i = 0; i < 3; i++) {
                    p.send(s.createTextMessage(alert));
                }
            }
            var alertBackup = mqtt.await(
                    m -> m.payload().contains("backup.started") && m.payload().contains("\"type\":\"alert\""),
                    Duration.ofSeconds(60));
            assertThat(alertBackup).as(f.daemon.output()).isPresent();
            JsonNode started = Json.MAPPER.readTree(alertBackup.get().payload());
            assertThat(started.get("target").asText()).isEqualTo("other");
            assertThat(mqtt.await(
                            m -> m.payload().contains("verify.verified")
                                    && m.payload()
                                            .contains(started.get("backupId").asText()),
                            Duration.ofSeconds(60)))
                    .isPresent();

            // Safe Mode over HTTP: entered, a wrong token refused (403), the right one resumes
            assertThat(post(api, "/api/safe-mode", "{\"action\":\"enter\",\"reason\":\"it drill\"}")
                            .statusCode())
                    .isEqualTo(202);
            assertThat(mqtt.await(
                            m -> m.topic().equals(f.prefix + "/safe_mode")
                                    && m.payload().equals("ON"),
                            Duration.ofSeconds(30)))
                    .isPresent();
            HttpResponse<String> wrong =
                    post(api, "/api/safe-mode", "{\"action\":\"resume\",\"token\":\"not-the-token\"}");
            assertThat(wrong.statusCode()).isEqualTo(403);
            assertThat(wrong.body()).doesNotContain("not-the-token");
            assertThat(post(api, "/api/safe-mode", "{\"action\":\"resume\",\"token\":\"" + RESUME + "\"}")
                            .statusCode())
                    .isEqualTo(202);
            assertThat(mqtt.await(
                            m -> m.topic().equals(f.prefix + "/safe_mode")
                                    && m.payload().equals("OFF"),
                            Duration.ofSeconds(30)))
                    .isPresent();
            JsonNode status = Json.MAPPER.readTree(get(api, "/api/status").body());
            assertThat(status.get("safeMode").get("on").asBoolean()).isFalse();
            assertThat(status.get("safeMode").toString()).contains("http:127.0.0.1");

            f.stop();
            int alertBackups = 0;
            for (JsonNode b : Json.MAPPER.readTree(f.cli.run("list", "--json").stdout())) {
                if (b.get("manifest").get("trigger").get("type").asText().equals("alert")) {
                    alertBackups++;
                }
            }
            assertThat(alertBackups).as("three identical alerts, one backup").isEqualTo(1);
        }
    }

    private static HttpResponse<String> post(int port, String path, String json) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .header("Authorization", "Bearer " + TOKEN)
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString(json, UTF_8))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .header("Authorization", "Bearer " + TOKEN)
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
