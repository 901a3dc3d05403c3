package io.lifeboat.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast path for UTC times reads exactly what the formatter reads, and leaves every other shape to it. */
class PayloadsTimeTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-11-23T04:00:00Z",
                "2026-11-23T04:00:00.5Z",
                "2026-11-23T04:00:00.123Z",
                "2026-11-23T04:00:00.123456Z",
                "2026-11-23T04:00:00.123456789Z",
                "2024-02-29T23:59:59Z",
                "0001-01-01T00:00:00Z"
            })
    void utcTimesReadAsTheFormatterReadsThem(String text) {
        assertThat(Payloads.utcInstant(text))
                .isEqualTo(OffsetDateTime.parse(text).toInstant());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-11-23T04:00:00+01:00",
                "2026-11-23T04:00Z",
                "2026-11-23 04:00:00Z",
                "2026-11-23T04:00:00.Z",
                "2026-11-23T04:00:00,5Z",
                "2026-11-23T04:00:00.1234567890Z",
                "2026-1a-23T04:00:00Z",
                "+2026-11-23T04:00:00Z",
                "yesterday"
            })
    void otherShapesAreLeftToTheFormatter(String text) {
        assertThat(Payloads.utcInstant(text)).isNull();
    }

    @Test
    void outOfRangeFieldsAreRefusedAsTheFormatterRefusesThem() {
        assertThatThrownBy(() -> Payloads.utcInstant("2026-13-01T00:00:00Z"))
                .isInstanceOf(java.time.DateTimeException.class);
        assertThatThrownBy(() -> Payloads.utcInstant("2026-02-30T00:00:00Z"))
                .isInstanceOf(java.time.DateTimeException.class);
        assertThatThrownBy(() -> Payloads.utcInstant("2026-01-01T24:00:00Z"))
                .isInstanceOf(java.time.DateTimeException.class);
    }

    @Test
    void aHealthEventWithAnImpossibleTimeIsRejectedAsABadField() {
        HealthEvent.Parsed p = HealthEvent.parse(
                "db", "{\"status\":\"up\",\"ts\":\"2026-02-30T00:00:00Z\"}".getBytes(), java.time.Instant.EPOCH);
        assertThat(p).isInstanceOf(HealthEvent.Bad.class);
        assertThat(((HealthEvent.Bad) p).rejected().reason()).isEqualTo("bad_field");
    }
}
