package io.lifeboat.domain.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SilenceRequestTest {

    private static final Instant NOW = Instant.parse("2026-11-24T00:00:00Z");

    private static SilenceRequest.Parsed parse(String json) {
        return SilenceRequest.parse(
                json.getBytes(StandardCharsets.UTF_8), SilenceRequest.MAX_BYTES, NOW, "http:127.0.0.1");
    }

    @Test
    void lifeboatsShapeCreatesASilenceForTheDuration() {
        var p = parse(
                "{\"matchers\":{\"target\":\"app-db\"},\"duration\":\"2h\",\"comment\":\"migration\",\"createdBy\":\"ana\"}");
        assertThat(p).isInstanceOf(SilenceRequest.Create.class);
        Silence s = ((SilenceRequest.Create) p).silence();
        assertThat(s.matchers()).containsExactly(Matcher.eq("target", "app-db"));
        assertThat(s.startsAt()).isEqualTo(NOW);
        assertThat(s.endsAt()).isEqualTo(NOW.plus(Duration.ofHours(2)));
        assertThat(s.comment()).isEqualTo("migration");
        assertThat(s.createdBy()).isEqualTo("ana (http:127.0.0.1)");
    }

    @Test
    void alertmanagersShapeWithRegexAndNegation() {
        var p = parse(
                "{\"matchers\":[{\"name\":\"target\",\"value\":\"app-.*\",\"isRegex\":true,\"isEqual\":true},"
                        + "{\"name\":\"severity\",\"value\":\"critical\",\"isRegex\":false,\"isEqual\":false}],"
                        + "\"startsAt\":\"2026-11-24T01:00:00Z\",\"endsAt\":\"2026-11-24T03:00:00Z\",\"createdBy\":\"am\",\"comment\":\"x\"}");
        Silence s = ((SilenceRequest.Create) p).silence();
        assertThat(s.matchers())
                .containsExactly(Matcher.re("target", "app-.*"), new Matcher("severity", Matcher.Op.NE, "critical"));
        assertThat(s.startsAt()).isEqualTo(Instant.parse("2026-11-24T01:00:00Z"));
        assertThat(s.endsAt()).isEqualTo(Instant.parse("2026-11-24T03:00:00Z"));
    }

    @Test
    void expireNamesTheSilence() {
        assertThat(parse("{\"action\":\"expire\",\"id\":\"4b1c-9\"}")).isEqualTo(new SilenceRequest.Expire("4b1c-9"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "not json at all | not_json",
                "[1,2] | not_json",
                "{\"duration\":\"2h\"} | missing_field",
                "{\"matchers\":{},\"duration\":\"2h\"} | invalid",
                "{\"matchers\":{\"target\":\"\"},\"duration\":\"2h\"} | invalid",
                "{\"matchers\":{\"target\":\"db\"}} | missing_field",
                "{\"matchers\":{\"target\":\"db\"},\"duration\":\"soon\"} | invalid",
                "{\"matchers\":{\"target\":\"db\"},\"duration\":\"91d\"} | invalid",
                "{\"matchers\":{\"target\":\"db\"},\"endsAt\":\"2026-11-23T00:00:00Z\"} | invalid",
                "{\"matchers\":{\"target\":\"db\"},\"endsAt\":\"tomorrow\"} | bad_field",
                "{\"matchers\":{\"target\":5},\"duration\":\"2h\"} | bad_field",
                "{\"matchers\":{\"bad label!\":\"x\"},\"duration\":\"2h\"} | bad_field",
                "{\"matchers\":[{\"name\":\"t\",\"value\":\"(\",\"isRegex\":true}],\"duration\":\"2h\"} | invalid",
                "{\"matchers\":[{\"name\":\"t\",\"value\":\".*\",\"isRegex\":true}],\"duration\":\"2h\"} | invalid",
                "{\"matchers\":\"target=db\",\"duration\":\"2h\"} | bad_field",
                "{\"action\":\"expire\"} | missing_field",
                "{\"action\":\"expire\",\"id\":\"../../etc\"} | invalid",
                "{\"action\":\"delete\",\"id\":\"x\"} | invalid"
            })
    void hostileAndMalformedRequestsAreRefusedWithAReason(String json, String reason) {
        var p = parse(json);
        assertThat(p).isInstanceOf(SilenceRequest.Bad.class);
        assertThat(((SilenceRequest.Bad) p).rejected().reason()).isEqualTo(reason);
    }

    @Test
    void anOversizedRequestIsRefusedBeforeItIsRead() {
        String big = "{\"matchers\":{\"target\":\"" + "x".repeat(SilenceRequest.MAX_BYTES) + "\"},\"duration\":\"2h\"}";
        var p = parse(big);
        assertThat(p).isInstanceOf(SilenceRequest.Bad.class);
        assertThat(((SilenceRequest.Bad) p).rejected().reason()).isEqualTo("too_large");
    }
}
