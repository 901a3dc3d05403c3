package io.lifeboat.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.config.LifeboatConfig.AlertRule;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InboundAlertTest {

    private static final Instant NOW = Instant.parse("2026-11-23T04:00:00Z");

    private static InboundAlert.Ok ok(String json) {
        InboundAlert.Parsed p = InboundAlert.parse(json.getBytes(UTF_8), 64 * 1024, NOW);
        assertThat(p).as(String.valueOf(p)).isInstanceOf(InboundAlert.Ok.class);
        return (InboundAlert.Ok) p;
    }

    private static String reason(String json) {
        return ((InboundAlert.Bad) InboundAlert.parse(json.getBytes(UTF_8), 64 * 1024, NOW))
                .rejected()
                .reason();
    }

    @Test
    void aLifeboatAlertIsReadAsIs() {
        InboundAlert.Ok ok = ok(
                "{\"fingerprint\":\"smart:nas\",\"severity\":\"warning\",\"status\":\"firing\","
                        + "\"summary\":\"SMART warning\",\"detail\":\"sda reallocated sectors\","
                        + "\"labels\":{\"alertname\":\"SmartWarning\",\"host\":\"nas\"},\"startsAt\":\"2026-11-23T03:00:00Z\"}");
        Alert a = ok.alerts().get(0);
        assertThat(a.fingerprint()).isEqualTo("smart:nas");
        assertThat(a.labels()).containsEntry("host", "nas");
        assertThat(a.startsAt()).isEqualTo(Instant.parse("2026-11-23T03:00:00Z"));
        assertThat(ok.startsAtGiven()).containsExactly(true);
    }

    @Test
    void anAlertmanagerWebhookGivesEachAlertWithAStableFingerprint() {
        String body = "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":["
                + "{\"status\":\"firing\",\"labels\":{\"alertname\":\"DiskFull\",\"host\":\"nas\",\"severity\":\"critical\"},"
                + "\"annotations\":{\"summary\":\"disk 95% full\"},\"startsAt\":\"2026-11-23T04:59:00.123+01:00\","
                + "\"endsAt\":\"0001-01-01T00:00:00Z\"},"
                + "{\"status\":\"resolved\",\"labels\":{\"host\":\"nas\",\"alertname\":\"Other\"},\"startsAt\":\"2026-11-23T01:00:00Z\"}]}";
        InboundAlert.Ok ok = ok(body);
        assertThat(ok.alerts()).hasSize(2);
        Alert disk = ok.alerts().get(0);
        assertThat(disk.severity()).isEqualTo("critical");
        assertThat(disk.summary()).isEqualTo("disk 95% full");
        assertThat(disk.startsAt()).isEqualTo(Instant.parse("2026-11-23T03:59:00.123Z"));
        assertThat(disk.endsAt()).isNull();
        assertThat(ok(body).alerts().get(0).fingerprint()).isEqualTo(disk.fingerprint());
        assertThat(ok.alerts().get(1).severity()).isEqualTo("warning");
        assertThat(ok.alerts().get(1).fingerprint()).isNotEqualTo(disk.fingerprint());
    }

    @Test
    void badAlertsSayWhy() {
        assertThat(reason("{\"status\":\"firing\",\"severity\":\"huge\",\"summary\":\"x\"}"))
                .isEqualTo("unknown_severity");
        assertThat(reason("{\"status\":\"burning\",\"severity\":\"info\",\"summary\":\"x\"}"))
                .isEqualTo("unknown_status");
        assertThat(reason("{\"status\":\"firing\",\"severity\":\"info\"}")).isEqualTo("missing_field");
        assertThat(reason("{\"status\":\"firing\",\"severity\":\"info\",\"summary\":\"x\",\"labels\":[1]}"))
                .isEqualTo("wrong_type");
        assertThat(reason("{\"status\":\"firing\",\"severity\":\"info\",\"summary\":\"x\",\"labels\":{\"a\":1}}"))
                .isEqualTo("wrong_type");
        assertThat(reason("{\"status\":\"firing\",\"severity\":\"info\",\"summary\":\"x\",\"startsAt\":\"soon\"}"))
                .isEqualTo("bad_field");
        assertThat(reason("{\"alerts\":{}}")).isEqualTo("wrong_type");
        assertThat(reason("{\"alerts\":[]}")).isEqualTo("missing_field");
        assertThat(reason("{\"alerts\":[{\"status\":\"firing\"}]}")).isEqualTo("missing_field");
        assertThat(reason("{\"alerts\":[" + "{\"status\":\"firing\",\"labels\":{}},".repeat(100)
                        + "{\"status\":\"firing\",\"labels\":{}}]}"))
                .isEqualTo("too_large");
    }

    @Test
    void rulesMapLabelsToTargets() {
        AlertRules rules = new AlertRules(
                List.of(
                        new AlertRule(
                                "smart", Map.of("alertname", "SmartWarning", "host", "nas"), List.of("app-db"), false),
                        new AlertRule("disk", Map.of("alertname", "DiskFull"), List.of(), true)),
                List.of("app-db", "files", "cache"));
        Alert smart = new Alert(
                "f",
                "warning",
                "firing",
                "s",
                null,
                Map.of("alertname", "SmartWarning", "host", "nas", "x", "y"),
                NOW,
                null);
        assertThat(rules.targetsFor(smart)).containsExactly("app-db");
        Alert otherHost = new Alert(
                "f", "warning", "firing", "s", null, Map.of("alertname", "SmartWarning", "host", "pi"), NOW, null);
        assertThat(rules.targetsFor(otherHost)).isEmpty();
        Alert disk = new Alert("f", "warning", "firing", "s", null, Map.of("alertname", "DiskFull"), NOW, null);
        assertThat(rules.targetsFor(disk)).containsExactly("app-db", "cache", "files");
        Alert resolved = new Alert("f", "warning", "resolved", "s", null, Map.of("alertname", "DiskFull"), NOW, null);
        assertThat(rules.targetsFor(resolved)).isEmpty();
    }
}
