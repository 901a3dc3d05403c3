package io.lifeboat.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.domain.HealthTracker.Kind;
import io.lifeboat.domain.HealthTracker.Outcome;
import io.lifeboat.testsupport.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthTrackerTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T04:00:00Z"));
    private final HealthTracker tracker = new HealthTracker(3, Duration.ofMinutes(10), clock);

    @Test
    void aChangeIsReportedOnceWithTheStatusBeforeIt() {
        Outcome first = tracker.observe("db", "up").orElseThrow();
        assertThat(first.kind()).isEqualTo(Kind.CHANGED);
        assertThat(first.previous()).isNull();
        assertThat(tracker.observe("db", "up")).isEmpty();
        clock.advance(Duration.ofSeconds(5));
        Outcome down = tracker.observe("db", "down").orElseThrow();
        assertThat(down.kind()).isEqualTo(Kind.CHANGED);
        assertThat(down.status()).isEqualTo("down");
        assertThat(down.previous()).isEqualTo("up");
        assertThat(tracker.observe("db", "down")).isEmpty();
        assertThat(tracker.state("db").orElseThrow().since()).isEqualTo(clock.instant());
        assertThat(tracker.observe("cache", "down").orElseThrow().previous()).isNull();
    }

    @Test
    void moreChangesThanAllowedWithinTheWindowIsFlappingReportedOnceThenQuietUntilItSettles() {
        tracker.observe("db", "up");
        String[] statuses = {"down", "up", "down"};
        for (String s : statuses) {
            clock.advance(Duration.ofSeconds(10));
            assertThat(tracker.observe("db", s).orElseThrow().kind()).isEqualTo(Kind.CHANGED);
        }
        clock.advance(Duration.ofSeconds(10));
        Outcome flapping = tracker.observe("db", "up").orElseThrow();
        assertThat(flapping.kind()).isEqualTo(Kind.FLAPPING);
        assertThat(flapping.changes()).isEqualTo(4);
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofSeconds(10));
            assertThat(tracker.observe("db", i % 2 == 0 ? "down" : "up")).isEmpty();
        }
        assertThat(tracker.state("db").orElseThrow().flapping()).isTrue();
        // last status: up (i = 19). It holds for less than the window: still quiet
        clock.advance(Duration.ofMinutes(9));
        assertThat(tracker.observe("db", "up")).isEmpty();
        assertThat(tracker.tick()).isEmpty();
        clock.advance(Duration.ofMinutes(2));
        Optional<Outcome> settled = tracker.observe("db", "up");
        assertThat(settled).isPresent();
        assertThat(settled.get().kind()).isEqualTo(Kind.CHANGED);
        assertThat(settled.get().status()).isEqualTo("up");
        assertThat(settled.get().previous()).isEqualTo("down"); // the last status reported before the flapping
        assertThat(tracker.state("db").orElseThrow().flapping()).isFalse();
        // afterwards a change is a change again
        clock.advance(Duration.ofSeconds(1));
        assertThat(tracker.observe("db", "down").orElseThrow().kind()).isEqualTo(Kind.CHANGED);
    }

    @Test
    void aFlappingServiceThatGoesSilentSettlesOnTheTimer() {
        tracker.observe("db", "up");
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(1));
            tracker.observe("db", i % 2 == 0 ? "down" : "up");
        }
        assertThat(tracker.state("db").orElseThrow().flapping()).isTrue();
        clock.advance(Duration.ofMinutes(10));
        assertThat(tracker.tick())
                .singleElement()
                .satisfies(o -> assertThat(o.status()).isEqualTo("up"));
        assertThat(tracker.tick()).isEmpty();
    }

    @Test
    void changesSpreadWiderThanTheWindowAreNotFlapping() {
        tracker.observe("db", "up");
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofMinutes(4));
            assertThat(tracker.observe("db", i % 2 == 0 ? "down" : "up")
                            .orElseThrow()
                            .kind())
                    .isEqualTo(Kind.CHANGED);
        }
    }
}
