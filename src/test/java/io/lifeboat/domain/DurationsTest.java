package io.lifeboat.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void parsesTheConfigForms() {
        assertThat(Durations.parse("26h")).isEqualTo(Duration.ofHours(26));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("2w")).isEqualTo(Duration.ofDays(14));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void rejectsWhatIsNotADuration() {
        for (String bad : new String[] {"", "26", "h", "-5m", "5 m", "5y", "1.5h", null}) {
            assertThatThrownBy(() -> Durations.parse(bad))
                    .as(String.valueOf(bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void formatsForPeople() {
        assertThat(Durations.format(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(Durations.format(Duration.ofHours(51))).isEqualTo("2d3h");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    }
}
