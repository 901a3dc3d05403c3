package io.lifeboat.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

class CronScheduleTest {

    private final CronSchedule daily2am = new CronSchedule("0 0 2 * * ?", TimeZone.getTimeZone("UTC"));

    @Test
    void nextSlotFollowsTheCron() {
        assertThat(daily2am.next(Instant.parse("2026-11-23T01:00:00Z")))
                .contains(Instant.parse("2026-11-23T02:00:00Z"));
        assertThat(daily2am.next(Instant.parse("2026-11-23T02:00:00Z")))
                .contains(Instant.parse("2026-11-24T02:00:00Z"));
    }

    @Test
    void aSlotMissedDuringDowntimeIsCaughtUpOnce() {
        // last attempt three days ago: three slots were missed, and the answer is one run now
        Instant last = Instant.parse("2026-11-20T02:00:03Z");
        assertThat(daily2am.missedSince(Optional.of(last), Instant.parse("2026-11-23T12:00:00Z")))
                .isTrue();
        // after that run, nothing more is owed until the next slot
        Instant caughtUp = Instant.parse("2026-11-23T12:00:05Z");
        assertThat(daily2am.missedSince(Optional.of(caughtUp), Instant.parse("2026-11-23T12:01:00Z")))
                .isFalse();
    }

    @Test
    void nothingIsMissedWhenTheLastAttemptTookTheLatestSlot() {
        Instant last = Instant.parse("2026-11-23T02:00:01Z");
        assertThat(daily2am.missedSince(Optional.of(last), Instant.parse("2026-11-23T23:59:00Z")))
                .isFalse();
        assertThat(daily2am.missedSince(Optional.of(last), Instant.parse("2026-11-24T02:00:30Z")))
                .isTrue();
    }

    @Test
    void aTargetNeverBackedUpIsOwedARun() {
        assertThat(daily2am.missedSince(Optional.empty(), Instant.parse("2026-11-23T12:00:00Z")))
                .isTrue();
    }

    @Test
    void aBadExpressionIsRejectedWithItsText() {
        assertThatThrownBy(() -> new CronSchedule("0 0 25 * * ?", TimeZone.getTimeZone("UTC")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 0 25 * * ?");
    }
}
