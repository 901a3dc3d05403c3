package io.lifeboat.domain;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class HealthEventTest {

    private static final Instant NOW = Instant.parse("2026-11-23T04:00:00Z");

    private static HealthEvent ok(String service, String payload) {
        HealthEvent.Parsed p = HealthEvent.parse(service, payload.getBytes(UTF_8), NOW);
        assertThat(p).isInstanceOf(HealthEvent.Ok.class);
        return ((HealthEvent.Ok) p).event();
    }

    private static HealthEvent.Rejected bad(String service, byte[] payload) {
        HealthEvent.Parsed p = HealthEvent.parse(service, payload, NOW);
        assertThat(p).isInstanceOf(HealthEvent.Bad.class);
        return ((HealthEvent.Bad) p).rejected();
    }

    @Test
    void readsTheJsonShapeAndPlainAvailability() {
        assertThat(
                        ok(
                                "app-db",
                                "{\"status\":\"integrity_failed\",\"detail\":\"checksum error\",\"ts\":\"2026-11-23T03:59:00Z\"}"))
                .isEqualTo(new HealthEvent(
                        "app-db", "integrity_failed", "checksum error", Instant.parse("2026-11-23T03:59:00Z")));
        assertThat(ok("cache", "{\"status\":\"down\"}")).isEqualTo(new HealthEvent("cache", "down", "", NOW));
        assertThat(ok("zigbee2mqtt", " offline\n").status()).isEqualTo("down");
        assertThat(ok("zigbee2mqtt", "ONLINE").status()).isEqualTo("up");
    }

    @Test
    void refusesWhatIsNotAHealthEventWithAReason() {
        assertThat(bad("app-db", "not json at all".getBytes(UTF_8)).reason()).isEqualTo("not_json");
        assertThat(bad("app-db", "[1,2]".getBytes(UTF_8)).reason()).isEqualTo("not_json");
        assertThat(bad("app-db", "{\"detail\":\"x\"}".getBytes(UTF_8)).reason()).isEqualTo("missing_field");
        assertThat(bad("app-db", "{\"status\":5}".getBytes(UTF_8)).reason()).isEqualTo("wrong_type");
        HealthEvent.Rejected unknown = bad("app-db", "{\"status\":\"on fire\\u0007\"}".getBytes(UTF_8));
        assertThat(unknown.reason()).isEqualTo("unknown_status");
        assertThat(unknown.detail()).startsWith("unknown status 'on fire?'");
        assertThat(bad("app-db", "{\"status\":\"up\",\"ts\":\"yesterday\"}".getBytes(UTF_8))
                        .reason())
                .isEqualTo("bad_field");
        assertThat(bad("app-db", "{\"status\":\"up\",\"detail\":{\"a\":1}}".getBytes(UTF_8))
                        .reason())
                .isEqualTo("wrong_type");
        assertThat(bad("app-db", new byte[0]).reason()).isEqualTo("empty");
        assertThat(bad("app-db", new byte[] {(byte) 0xff, (byte) 0xfe, 0x41}).reason())
                .isEqualTo("not_utf8");
        assertThat(bad(
                                "app-db",
                                ("{\"status\":\"up\",\"detail\":\"" + "x".repeat(HealthEvent.MAX_BYTES) + "\"}")
                                        .getBytes(UTF_8))
                        .reason())
                .isEqualTo("too_large");
        assertThat(bad("app-db", ("[".repeat(100) + "]".repeat(100)).getBytes(UTF_8))
                        .reason())
                .isEqualTo("not_json");
        assertThat(bad("../etc", "{\"status\":\"up\"}".getBytes(UTF_8)).reason())
                .isEqualTo("bad_service");
        assertThat(bad("+", "{\"status\":\"up\"}".getBytes(UTF_8)).reason()).isEqualTo("bad_service");
    }

    @Test
    void theServiceComesFromTheBodyWhenNoTopicNamesItAndTheLimitIsTheCallers() {
        HealthEvent.Parsed p =
                HealthEvent.parse(null, "{\"service\":\"nas\",\"status\":\"down\"}".getBytes(UTF_8), NOW, 1024);
        assertThat(((HealthEvent.Ok) p).event().service()).isEqualTo("nas");
        HealthEvent.Parsed none = HealthEvent.parse(null, "{\"status\":\"down\"}".getBytes(UTF_8), NOW, 1024);
        assertThat(((HealthEvent.Bad) none).rejected().reason()).isEqualTo("missing_field");
        HealthEvent.Parsed plain = HealthEvent.parse(null, "offline".getBytes(UTF_8), NOW, 1024);
        assertThat(((HealthEvent.Bad) plain).rejected().reason()).isEqualTo("missing_field");
        HealthEvent.Parsed badName =
                HealthEvent.parse(null, "{\"service\":\"../x\",\"status\":\"down\"}".getBytes(UTF_8), NOW, 1024);
        assertThat(((HealthEvent.Bad) badName).rejected().reason()).isEqualTo("bad_service");
        HealthEvent.Parsed big = HealthEvent.parse(
                "nas", ("{\"status\":\"up\",\"detail\":\"" + "x".repeat(300) + "\"}").getBytes(UTF_8), NOW, 256);
        assertThat(((HealthEvent.Bad) big).rejected().reason()).isEqualTo("too_large");
        HealthEvent.Parsed offset = HealthEvent.parse(
                "nas", "{\"status\":\"up\",\"ts\":\"2026-11-23T05:00:00+01:00\"}".getBytes(UTF_8), NOW, 1024);
        assertThat(((HealthEvent.Ok) offset).event().at()).isEqualTo(NOW);
    }
}
