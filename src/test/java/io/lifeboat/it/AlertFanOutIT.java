package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.HomeAssistantApi;
import io.lifeboat.testsupport.MqttRecorder;
import io.lifeboat.testsupport.TelegramBotApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon end to end: alerts from MQTT and Lifeboat's own failed backup reach a Telegram Bot API
 * server and Home Assistant on loopback, routed, with a silence made over HTTP and one over MQTT.
 */
class AlertFanOutIT {

    private static final String TG_TOKEN = "123456:fake-token-for-tests-only-0123";
    private static final String HA_TOKEN = "ha-token-for-tests";
    private static final String API_TOKEN = "api-token-for-tests-0123456789";

    @TempDir
    Path work;

    private static void await(long millis, BooleanSupplier done, Object context) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("not within " + millis + " ms\n" + context);
            }
            Thread.sleep(100);
        }
    }

    private static String alert(String name, String severity, String status, String summary) {
        return """
                {"version":"4","status":"%s","alerts":[{"status":"%s",
                 "labels":{"alertname":"%s","target":"files","severity":"%s"},
                 "annotations":{"summary":"%s"},
                 "startsAt":"2026-11-24T01:00:00Z","endsAt":"%s"}]}""".formatted(
                        status,
                        status,
                        name,
                        severity,
                        summary,
                        status.equals("resolved") ? "2026-11-24T01:05:00Z" : "0001-01-01T00:00:00Z");
    }

    @Test
    void alertsReachTelegramAndHomeAssistantRoutedGroupedAndSilenced() throws Exception {
        int apiPort = InboundFixture.freePort();
        try (TelegramBotApi telegram = new TelegramBotApi(TG_TOKEN);
                HomeAssistantApi ha = new HomeAssistantApi(HA_TOKEN)) {
            String extra = """
                      broken: {kind: command, command: ["sh", "-c", "echo disk gone >&2; exit 3"], extension: bin, schedule: "0 0 3 1 1 ? 2099", rpo: 26h}
                    http: {port: %d, token: "%s"}
                    alerting:
                      receivers:
                        phone: {type: telegram, token: "%s", chats: ["111"], baseUri: "%s", perSecond: 5}
                        house: {type: homeassistant, url: "%s", token: "%s", notify: mobile_app_phone}
                      route:
                        receiver: phone
                        group_by: [alertname, target]
                        group_wait: 1s
                        group_interval: 3s
                        routes: [{match: {severity: critical}, receiver: house, continue: true, group_wait: 0s}]
                    """.formatted(apiPort, API_TOKEN, TG_TOKEN, telegram.baseUri(), ha.url(), HA_TOKEN);
            try (InboundFixture f = new InboundFixture(work, "fanout", extra);
                    MqttRecorder mqtt = f.recorder()) {
                f.start(mqtt);

                // a critical alert from a monitor: Home Assistant at once, Telegram too (continue)
                f.publish("alerts/in", alert("DiskFailing", "critical", "firing", "sda is failing"));
                await(30_000, () -> ha.accepted().size() >= 2, f.daemon.output());
                assertThat(ha.accepted())
                        .extracting(HomeAssistantApi.Call::service)
                        .startsWith("notify/mobile_app_phone", "persistent_notification/create");
                assertThat(ha.accepted().get(1).body().path("title").asText()).isEqualTo("CRITICAL sda is failing");
                await(
                        30_000,
                        () -> telegram.delivered().stream()
                                .anyMatch(r -> r.text().contains("sda is failing")),
                        f.daemon.output());

                // a silence over HTTP: its alert is held; the next alert goes out (and shows the first never did)
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> created = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/silences"))
                                .header("Authorization", "Bearer " + API_TOKEN)
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"matchers\":{\"alertname\":\"NoisyThing\"},\"duration\":\"1h\",\"createdBy\":\"it\",\"comment\":\"known\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
                String silenceId =
                        Json.MAPPER.readTree(created.body()).path("silenceId").asText();
                assertThat(silenceId).isNotBlank();
                HttpResponse<String> listed = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/api/silences"))
                                .header("Authorization", "Bearer " + API_TOKEN)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode silences = Json.MAPPER.readTree(listed.body()).path("silences");
                assertThat(silences).hasSize(1);
                assertThat(silences.get(0).path("matchers").get(0).asText()).isEqualTo("alertname=\"NoisyThing\"");
                assertThat(silences.get(0).path("createdBy").asText()).startsWith("it (http:");

                f.publish("alerts/in", alert("NoisyThing", "warning", "firing", "noise"));
                f.publish("alerts/in", alert("Marker", "warning", "firing", "marker after the noise"));
                await(
                        30_000,
                        () -> telegram.delivered().stream()
                                .anyMatch(r -> r.text().contains("marker after the noise")),
                        f.daemon.output());
                Thread.sleep(2000);
                assertThat(telegram.delivered())
                        .noneMatch(r -> r.text().contains("noise") && !r.text().contains("marker"));

                // a bad silence over MQTT is dead-lettered with its reason
                f.publish("cmd/silence", "{\"matchers\":{},\"duration\":\"1h\"}");
                assertThat(mqtt.await(
                                m -> m.topic().equals(f.prefix + "/dlq")
                                        && m.payload().contains("cmd/silence"),
                                Duration.ofSeconds(30)))
                        .as(f.daemon.output())
                        .isPresent();

                // Lifeboat's own alert: a failed backup reaches the phone with the command to run
                f.publish("cmd/backup", "{\"target\":\"broken\",\"reason\":\"it\",\"requestId\":\"fan-1\"}");
                await(
                        60_000,
                        () -> telegram.delivered().stream()
                                .anyMatch(r -> r.text().contains("run: ./lifeboat backup broken")),
                        f.daemon.output());

                // the critical alert resolves: Home Assistant's notice is dismissed
                f.publish("alerts/in", alert("DiskFailing", "critical", "resolved", "sda is failing"));
                await(
                        30_000,
                        () -> ha.accepted().stream()
                                .anyMatch(c -> c.service().equals("persistent_notification/dismiss")),
                        f.daemon.output());
                var daemon = f.daemon;
                f.stop();
                assertThat(daemon.output()).doesNotContain(TG_TOKEN).doesNotContain(HA_TOKEN);
            }
        }
    }
}
