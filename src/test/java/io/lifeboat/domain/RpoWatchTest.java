package io.lifeboat.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RpoWatchTest {

    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");
    private static final Duration RPO = Duration.ofHours(26);

    @Test
    void aBreachFiresOnceAndTheNextVerifiedBackupResolvesIt() {
        RpoWatch w = new RpoWatch(T0);
        Instant verified = T0.minus(Duration.ofHours(20));
        List<RpoWatch.Target> db = List.of(new RpoWatch.Target("db", RPO, Optional.of(verified)));
        assertThat(w.check(db, T0)).isEmpty();
        assertThat(w.check(db, T0.plus(Duration.ofHours(6)))).isEmpty(); // exactly at the RPO: not late yet
        List<Alert> fired = w.check(db, T0.plus(Duration.ofHours(6)).plusSeconds(1));
        assertThat(fired).singleElement().satisfies(a -> {
            assertThat(a.fingerprint()).isEqualTo("RpoBreached:db");
            assertThat(a.status()).isEqualTo("firing");
            assertThat(a.severity()).isEqualTo("critical");
            assertThat(a.summary()).isEqualTo("db has no verified backup younger than its RPO (1d2h)");
            assertThat(a.detail()).isEqualTo("the newest verified backup finished 1d2h ago");
            assertThat(a.startsAt()).isEqualTo(verified.plus(RPO));
            assertThat(a.labels()).containsEntry("target", "db").containsEntry("alertname", "RpoBreached");
        });
        for (int h = 7; h < 30; h++) {
            assertThat(w.check(db, T0.plus(Duration.ofHours(h)))).isEmpty(); // no repeat per check
        }
        assertThat(w.breached("db")).isTrue();
        Instant fresh = T0.plus(Duration.ofHours(30));
        List<Alert> resolved =
                w.check(List.of(new RpoWatch.Target("db", RPO, Optional.of(fresh))), fresh.plusSeconds(5));
        assertThat(resolved).singleElement().satisfies(a -> {
            assertThat(a.status()).isEqualTo("resolved");
            assertThat(a.fingerprint()).isEqualTo("RpoBreached:db");
            assertThat(a.endsAt()).isEqualTo(fresh.plusSeconds(5));
        });
        assertThat(w.breached("db")).isFalse();
    }

    @Test
    void aTargetNeverBackedUpIsLateOneRpoAfterWatchingBegan() {
        RpoWatch w = new RpoWatch(T0);
        List<RpoWatch.Target> t = List.of(new RpoWatch.Target("new", Duration.ofHours(1), Optional.empty()));
        assertThat(w.check(t, T0.plus(Duration.ofMinutes(59)))).isEmpty();
        assertThat(w.check(t, T0.plus(Duration.ofMinutes(61))))
                .singleElement()
                .satisfies(a -> assertThat(a.detail()).isEqualTo("no verified backup since Lifeboat began watching"));
    }

    @Test
    void theSameBreachAfterARestartIsTheSameAlert() {
        Instant verified = T0.minus(Duration.ofDays(3));
        List<RpoWatch.Target> db = List.of(new RpoWatch.Target("db", RPO, Optional.of(verified)));
        Alert before = new RpoWatch(T0).check(db, T0).get(0);
        Alert after = new RpoWatch(T0.plus(Duration.ofHours(1)))
                .check(db, T0.plus(Duration.ofHours(1)))
                .get(0);
        assertThat(after.fingerprint()).isEqualTo(before.fingerprint());
        assertThat(after.startsAt()).isEqualTo(before.startsAt());
    }
}
