package io.lifeboat.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.testsupport.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultWindowTest {

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T04:00:00Z"));
    private final FaultWindow rule = new FaultWindow(3, Duration.ofMinutes(5), clock);

    @Test
    void threeDistinctServicesDownWithinTheWindowFireOnceWithTheirNames() {
        assertThat(rule.report("b", "down")).isEmpty();
        assertThat(rule.report("b", "down")).as("the same service twice is one").isEmpty();
        assertThat(rule.report("a", "integrity_failed")).isEmpty();
        assertThat(rule.report("c", "degraded")).as("degraded is no fault").isEmpty();
        assertThat(rule.report("c", "down")).contains(List.of("a", "b", "c"));
        assertThat(rule.report("d", "down")).as("the window starts empty again").isEmpty();
    }

    @Test
    void faultsOlderThanTheWindowAndServicesBackUpDoNotCount() {
        rule.report("a", "down");
        clock.advance(Duration.ofMinutes(4));
        rule.report("b", "down");
        clock.advance(Duration.ofMinutes(2));
        assertThat(rule.report("c", "down")).as("a is older than 5 minutes").isEmpty();
        rule.report("b", "up");
        assertThat(rule.report("d", "down")).as("b is back").isEmpty();
        assertThat(rule.report("e", "down")).contains(List.of("c", "d", "e"));
    }
}
