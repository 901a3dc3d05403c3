package io.lifeboat.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertingConfigTest {

    private static final String BASE = "storage:\n  primary: {type: filesystem, path: store}\n"
            + "targets:\n  db: {kind: directory, path: files, schedule: \"0 0 2 * * ?\", rpo: 26h}\n";

    @TempDir
    Path dir;

    private LifeboatConfig load(String yaml) throws IOException {
        Path f = dir.resolve("lifeboat.yaml");
        Files.writeString(f, BASE + yaml);
        return ConfigLoader.load(f, Map.of("TG", "123456:fake-token-for-tests-only-0123", "HA", "ha-long-lived"));
    }

    private List<String> problems(String yaml) throws IOException {
        Path f = dir.resolve("lifeboat.yaml");
        Files.writeString(f, BASE + yaml);
        return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(f, Map.of()))
                .problems();
    }

    @Test
    void aFullAlertingSectionReadsAsWritten() throws IOException {
        LifeboatConfig c = load("""
                alerting:
                  receivers:
                    phone: {type: telegram, token: "${TG}", chats: ["123", "-100200", "@lifeboat_ops"], baseUri: "http://127.0.0.1:8081"}
                    house: {type: homeassistant, url: "http://ha:8123", token: "${HA}", notify: mobile_app_phone}
                    hook: {type: webhook, url: "https://example.invalid/hook", headers: {X-Team: ops}, perSecond: 5, timeout: 3s}
                    bus: {type: mqtt, topic: notify/all}
                  route:
                    receiver: phone
                    group_by: [alertname, target]
                    group_wait: 10s
                    groupInterval: 1m
                    repeat_interval: 2h
                    routes:
                      - {match: {severity: critical}, receiver: house, continue: true, group_wait: 0s}
                      - {match_re: {target: "app-.*"}, receiver: hook}
                  inhibit:
                    - {source_match: {alertname: HostDown}, target_match: {severity: warning}, equal: [host]}
                  silences:
                    - {matchers: {target: db}, endsAt: "2030-01-01T00:00:00Z", comment: moving racks}
                  flap: {changes: 6, window: 15m}
                  rpoCheck: 10s
                homeassistant: {discovery: true, prefix: ha, nodeId: home_lab, resumeTokenEntity: input_text.resume}
                """);
        var a = c.alerting();
        assertThat(a.routed()).isTrue();
        assertThat(a.receivers()).containsOnlyKeys("phone", "house", "hook", "bus");
        var phone = a.receivers().get("phone");
        assertThat(phone.type()).isEqualTo("telegram");
        assertThat(phone.url()).isEqualTo("http://127.0.0.1:8081");
        assertThat(phone.chats()).containsExactly("123", "-100200", "@lifeboat_ops");
        assertThat(phone.toString()).doesNotContain("fake-token");
        assertThat(a.receivers().get("house").persistent()).isTrue();
        assertThat(a.receivers().get("hook").headers()).containsEntry("X-Team", "ops");
        assertThat(a.receivers().get("hook").perSecond()).isEqualTo(5.0);
        assertThat(a.receivers().get("hook").timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(a.receivers().get("bus").topic()).isEqualTo("notify/all");
        assertThat(a.route().groupBy()).containsExactly("alertname", "target");
        assertThat(a.route().groupWait()).isEqualTo(Duration.ofSeconds(10));
        assertThat(a.route().groupInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(a.route().repeatInterval()).isEqualTo(Duration.ofHours(2));
        assertThat(a.route().routes()).hasSize(2);
        assertThat(a.route().routes().get(0).groupWait()).isEqualTo(Duration.ZERO);
        assertThat(a.route().routes().get(0).groupBy()).isNull(); // inherited
        assertThat(a.route().routes().get(1).matchRe()).containsEntry("target", "app-.*");
        assertThat(a.inhibit())
                .singleElement()
                .satisfies(r -> assertThat(r.equal()).containsExactly("host"));
        assertThat(a.silences())
                .singleElement()
                .satisfies(s -> assertThat(s.endsAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z")));
        assertThat(a.flap()).isEqualTo(new LifeboatConfig.FlapConfig(6, Duration.ofMinutes(15)));
        assertThat(a.rpoCheck()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.homeassistant())
                .isEqualTo(new LifeboatConfig.HomeAssistantConfig(true, "ha", "home_lab", "input_text.resume"));
    }

    @Test
    void withoutAnAlertingSectionAlertsOnlyGoToTheLogAndMqtt() throws IOException {
        LifeboatConfig c = load("");
        assertThat(c.alerting().routed()).isFalse();
        assertThat(c.homeassistant().discovery()).isFalse();
    }

    @Test
    void everyBadKeyIsNamedAtOnce() throws IOException {
        List<String> p = problems("""
                alerting:
                  receivers:
                    phone: {type: telegram, token: "not-a-token", chats: ["12ab"], colour: red}
                    pager: {type: sms}
                    house: {type: homeassistant, url: "ftp://ha"}
                    "bad name!": {type: mqtt}
                  route:
                    receiver: nobody
                    match: {severity: critical}
                    group_by: ["bad label"]
                    group_wait: soon
                    routes: [{match_re: {target: "("}, receiver: phone, extra: 1}]
                  inhibit: [{equal: [host]}]
                  silences: [{matchers: {}, endsAt: "someday"}]
                  flap: {changes: 1}
                  rpoCheck: 0s
                  colours: blue
                homeassistant: {prefix: "ha/#", nodeId: "a b", resumeTokenEntity: nope, color: x}
                """);
        assertThat(p)
                .anyMatch(s -> s.startsWith("alerting.receivers.phone.colour"))
                .anyMatch(s -> s.startsWith("alerting.receivers.phone.token") && s.contains("bot token"))
                .anyMatch(s -> s.startsWith("alerting.receivers.phone.chats") && s.contains("12ab"))
                .anyMatch(s -> s.startsWith("alerting.receivers.pager.type") && s.contains("sms"))
                .anyMatch(s -> s.startsWith("alerting.receivers.house.url") && s.contains("http"))
                .anyMatch(s -> s.startsWith("alerting.receivers.house.token") && s.contains("required"))
                .anyMatch(s -> s.contains("bad name!"))
                .anyMatch(s -> s.startsWith("alerting.route.receiver") && s.contains("nobody"))
                .anyMatch(s -> s.startsWith("alerting.route.match") && s.contains("root"))
                .anyMatch(s -> s.startsWith("alerting.route.group_by") && s.contains("bad label"))
                .anyMatch(s -> s.startsWith("alerting.route.group_wait"))
                .anyMatch(s -> s.startsWith("alerting.route.routes[0].matchRe"))
                .anyMatch(s -> s.startsWith("alerting.route.routes[0].extra"))
                .anyMatch(s -> s.startsWith("alerting.inhibit[0].sourceMatch"))
                .anyMatch(s -> s.startsWith("alerting.inhibit[0].targetMatch"))
                .anyMatch(s -> s.startsWith("alerting.silences[0].matchers"))
                .anyMatch(s -> s.startsWith("alerting.silences[0].endsAt"))
                .anyMatch(s -> s.startsWith("alerting.flap.changes"))
                .anyMatch(s -> s.startsWith("alerting.rpoCheck"))
                .anyMatch(s -> s.startsWith("alerting.colours"))
                .anyMatch(s -> s.startsWith("homeassistant.prefix"))
                .anyMatch(s -> s.startsWith("homeassistant.nodeId"))
                .anyMatch(s -> s.startsWith("homeassistant.resumeTokenEntity"))
                .anyMatch(s -> s.startsWith("homeassistant.color"));
    }

    @Test
    void aRouteWithoutReceiversAndReceiversWithoutARouteAreRefused() throws IOException {
        assertThat(problems("alerting: {route: {receiver: phone}}\n"))
                .anyMatch(s -> s.startsWith("alerting.receivers"));
        assertThat(problems("alerting: {receivers: {bus: {type: mqtt}}}\n"))
                .anyMatch(s -> s.startsWith("alerting.route"));
    }
}
