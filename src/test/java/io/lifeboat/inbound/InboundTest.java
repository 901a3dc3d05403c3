package io.lifeboat.inbound;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.jobs.JobRequest;
import io.lifeboat.safemode.SafeModeService;
import io.lifeboat.testsupport.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inbound handling without Camel: what gets published (events, dead letters), counted and queued
 * for each kind of input, against a real embedded catalog.
 */
class InboundTest {

    static final String TOKEN = "resume-token-for-tests";

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T04:00:00Z"));
    final List<String[]> published = new CopyOnWriteArrayList<>();
    final EventSink sink =
            (topic, payload, retained) -> published.add(new String[] {topic, new String(payload, UTF_8)});
    final List<JobRequest> jobs = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Catalog catalog;
    SafeModeService safeMode;
    Inbound inbound;

    @BeforeEach
    void setUp() throws Exception {
        Path yaml = dir.resolve("lifeboat.yaml");
        Files.writeString(yaml, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                mqtt: {url: "tcp://127.0.0.1:1883", prefix: t, maxPayload: 4096,
                       subscriptions: [{topic: "zigbee2mqtt/nas/availability", service: nas}]}
                safeMode: {faults: 3, window: 5m, resumeToken: "%s"}
                health: {flapChanges: 3, flapWindow: 10m}
                alerting:
                  backupOn:
                    - {name: smart, match: {alertname: SmartWarning, host: nas}, targets: [files]}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 3 * * ?", rpo: 26h}
                  other: {kind: directory, path: files, schedule: "0 0 3 * * ?", rpo: 26h}
                """.formatted(TOKEN));
        LifeboatConfig config = ConfigLoader.load(yaml, Map.of());
        catalog = Catalog.open(config.catalog(), config.dataDir());
        safeMode = new SafeModeService(catalog, new Events(sink), sink, TOKEN, clock);
        inbound = new Inbound(config, safeMode, () -> jobs::add, new Rejections(registry, sink, clock), sink, clock);
    }

    @AfterEach
    void close() {
        catalog.close();
    }

    List<JsonNode> on(String topic) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String[] p : published) {
            if (p[0].equals(topic)) {
                out.add(Json.MAPPER.readTree(p[1]));
            }
        }
        return out;
    }

    double rejected(String reason) {
        return registry.get(Rejections.METER).tag("reason", reason).counter().count();
    }

    @Test
    void aHealthChangePublishesOneEventAndRepeatsPublishNothing() throws Exception {
        Inbound.Result r =
                inbound.health("{\"status\":\"down\",\"detail\":\"disk\"}".getBytes(UTF_8), "mqtt:t/health/db", "db");
        assertThat(r.ok()).isTrue();
        assertThat(r.body()).containsEntry("accepted", true);
        inbound.health("{\"status\":\"down\"}".getBytes(UTF_8), "mqtt:t/health/db", "db");
        inbound.health("online".getBytes(UTF_8), "http", "db");
        List<JsonNode> events = on("events");
        assertThat(events).hasSize(2);
        assertThat(events.get(1).get("type").asText()).isEqualTo("health.changed");
        assertThat(events.get(1).get("status").asText()).isEqualTo("up");
        assertThat(events.get(1).get("previous").asText()).isEqualTo("down");
        assertThat(events.get(1).get("receivedAt").asText())
                .isEqualTo(clock.instant().toString());
    }

    @Test
    void badInputIsDeadLetteredWithReasonAndCountedAndNeverThrown() throws Exception {
        byte[] big = new byte[5000];
        Inbound.Result tooBig = inbound.health(big, "mqtt:t/health/db", "db");
        assertThat(tooBig.rejected()).isEqualTo("too_large");
        assertThat(inbound.health("{\"status\":\"melting\"}".getBytes(UTF_8), "http", "db")
                        .rejected())
                .isEqualTo("unknown_status");
        assertThat(inbound.health("{\"status\":\"up\"}".getBytes(UTF_8), "http", "a/b")
                        .rejected())
                .isEqualTo("bad_service");
        assertThat(inbound.backup("{\"target\":\"nope\"}".getBytes(UTF_8), "mqtt:t/cmd/backup")
                        .rejected())
                .isEqualTo("unknown_target");
        assertThat(inbound.safeMode("{\"action\":\"dance\"}".getBytes(UTF_8), "mqtt:t/cmd/safe-mode", null)
                        .rejected())
                .isEqualTo("unknown_action");
        assertThat(inbound.alert(new byte[] {(byte) 0xff}, "artemis:lifeboat.alerts")
                        .rejected())
                .isEqualTo("not_utf8");
        assertThat(inbound.subscription(0, "maybe".getBytes(UTF_8), "mqtt:zigbee2mqtt/nas/availability")
                        .rejected())
                .isEqualTo("unknown_status");
        List<JsonNode> dlq = on("dlq");
        assertThat(dlq).hasSize(7);
        JsonNode first = dlq.get(0);
        assertThat(first.get("reason").asText()).isEqualTo("too_large");
        assertThat(first.get("source").asText()).isEqualTo("mqtt:t/health/db");
        assertThat(first.get("payloadBytes").asInt()).isEqualTo(5000);
        assertThat(Base64.getDecoder().decode(first.get("payloadBase64").asText()))
                .hasSize(1024);
        assertThat(first.get("receivedAt").asText()).isEqualTo(clock.instant().toString());
        assertThat(first.get("detail").asText()).contains("4096");
        assertThat(rejected("unknown_status")).isEqualTo(2.0);
        assertThat(rejected("unknown_target")).isEqualTo(1.0);
        assertThat(rejected("not_utf8")).isEqualTo(1.0);
        assertThat(dlq.get(5).get("reason").asText()).isEqualTo("not_utf8");
        assertThat(rejected("wrong_type")).as("known reasons exist at 0").isZero();
        assertThat(jobs).isEmpty();
        assertThat(on("events")).isEmpty();
    }

    @Test
    void threeServicesDownEnterSafeModeNamingThemAndAResumeNeedsTheToken() throws Exception {
        inbound.health("{\"status\":\"down\"}".getBytes(UTF_8), "mqtt:t/health/a", "a");
        inbound.subscription(0, "offline".getBytes(UTF_8), "mqtt:zigbee2mqtt/nas/availability");
        assertThat(safeMode.isOn()).isFalse();
        clock.advance(Duration.ofMinutes(1));
        inbound.health("{\"status\":\"integrity_failed\"}".getBytes(UTF_8), "mqtt:t/health/c", "c");
        assertThat(safeMode.isOn()).isTrue();
        assertThat(safeMode.state().orElseThrow().actor()).isEqualTo("rule: 3 services down: a, c, nas");

        Inbound.Result wrong = inbound.safeMode(
                ("{\"action\":\"resume\",\"token\":\"guess-" + TOKEN + "\",\"by\":\"mallory\"}").getBytes(UTF_8),
                "mqtt:t/cmd/safe-mode",
                null);
        assertThat(wrong.rejected()).isEqualTo("unauthorized");
        assertThat(rejected("unauthorized")).isEqualTo(1.0);
        String[] dlq =
                published.stream().filter(p -> p[0].equals("dlq")).findFirst().orElseThrow();
        JsonNode d = Json.MAPPER.readTree(dlq[1]);
        assertThat(new String(Base64.getDecoder().decode(d.get("payloadBase64").asText()), UTF_8))
                .doesNotContain(TOKEN)
                .contains("mallory");
        assertThat(dlq[1]).doesNotContain(TOKEN);
        assertThat(safeMode.isOn()).isTrue();

        Inbound.Result ok = inbound.safeMode(
                ("{\"action\":\"resume\",\"token\":\"" + TOKEN + "\",\"by\":\"alice\"}").getBytes(UTF_8),
                "mqtt:t/cmd/safe-mode",
                null);
        assertThat(ok.ok()).isTrue();
        assertThat(safeMode.isOn()).isFalse();
        assertThat(safeMode.state().orElseThrow().actor()).isEqualTo("mqtt (by alice)");

        Inbound.Result enter = inbound.safeMode(
                "{\"action\":\"enter\",\"reason\":\"maintenance\"}".getBytes(UTF_8), "http", "http:127.0.0.1");
        assertThat(enter.ok()).isTrue();
        assertThat(safeMode.state().orElseThrow().actor()).isEqualTo("http:127.0.0.1");
    }

    @Test
    void anIntegrityFailureIsHandedOnForTheRestorePath() {
        Inbound.Result r = inbound.health("{\"status\":\"integrity_failed\"}".getBytes(UTF_8), "http", "files");
        assertThat(r.integrity()).isNotNull();
        assertThat(r.integrity().service()).isEqualTo("files");
        assertThat(inbound.health("{\"status\":\"down\"}".getBytes(UTF_8), "http", "files")
                        .integrity())
                .isNull();
    }

    @Test
    void backupCommandsAndRepeatedAlertsMakeStableJobKeys() {
        inbound.backup("{\"target\":\"files\",\"requestId\":\"abc\"}".getBytes(UTF_8), "mqtt:t/cmd/backup");
        inbound.backup("{\"target\":\"files\",\"requestId\":\"abc\"}".getBytes(UTF_8), "mqtt:t/cmd/backup");
        inbound.backup("{\"target\":\"other\"}".getBytes(UTF_8), "http");
        assertThat(jobs).extracting(JobRequest::key).startsWith("cmd:abc", "cmd:abc");
        assertThat(jobs.get(2).key()).startsWith("manual:other:");
        jobs.clear();
        String alert = "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\","
                + "\"labels\":{\"alertname\":\"SmartWarning\",\"host\":\"nas\"},\"annotations\":{\"summary\":\"sda\"},"
                + "\"startsAt\":\"2026-11-23T03:00:00Z\",\"fingerprint\":\"abc123\"}]}";
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(1));
            Inbound.Result r = inbound.alert(alert.getBytes(UTF_8), "http");
            assertThat(r.ok()).isTrue();
        }
        assertThat(jobs).hasSize(3);
        assertThat(jobs).extracting(JobRequest::key).containsOnly("alert:abc123:2026-11-23T03:00:00Z:files");
        assertThat(jobs.get(0).trigger().type()).isEqualTo("alert");
        assertThat(jobs.get(0).trigger().detail()).isEqualTo("SmartWarning: sda");
        jobs.clear();
        inbound.alert(alert.replace("\"host\":\"nas\"", "\"host\":\"pi\"").getBytes(UTF_8), "http");
        inbound.alert(
                alert.replace("\"status\":\"firing\",\"labels\"", "\"status\":\"resolved\",\"labels\"")
                        .getBytes(UTF_8),
                "http");
        assertThat(jobs).isEmpty();
    }
}
