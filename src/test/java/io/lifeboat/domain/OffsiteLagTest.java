package io.lifeboat.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.domain.OffsiteLag.Point;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OffsiteLagTest {

    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    static final Duration RPO = Duration.ofHours(26);

    static Point at(Instant finished) {
        return new Point(BackupId.at(finished.minusSeconds(60)).value(), finished);
    }

    static Point hoursAgo(double hours) {
        return at(NOW.minusSeconds((long) (hours * 3600)));
    }

    @Test
    void anUpToDateOffsiteStoreDoesNotLagHoweverOldItsCopyIs() {
        Point only = hoursAgo(50);
        OffsiteLag lag = OffsiteLag.assess("db", RPO, NOW, List.of(only), List.of(only));
        assertThat(lag.lagging()).isFalse();
        assertThat(lag.missing()).isZero();
        assertThat(lag.newestCopyId()).isEqualTo(only.id());
        assertThat(lag.reason()).contains("newest backup is copied");
    }

    @Test
    void aCopyOlderThanTheRpoLagsWhenThePrimaryHasANewerBackup() {
        Point copied = hoursAgo(27);
        Point newer = hoursAgo(3);
        OffsiteLag lag = OffsiteLag.assess("db", RPO, NOW, List.of(copied, newer), List.of(copied));
        assertThat(lag.lagging()).isTrue();
        assertThat(lag.missing()).isEqualTo(1);
        assertThat(lag.newestPrimaryId()).isEqualTo(newer.id());
        assertThat(lag.behindSince()).isEqualTo(copied.finishedAt());
        assertThat(lag.reason()).contains("1d3h").contains("RPO 1d2h").contains("1 newer");
    }

    @Test
    void aCopyWithinTheRpoDoesNotLagWhileTheNewestIsStillBeingCopied() {
        Point copied = hoursAgo(25);
        Point newer = hoursAgo(0.01);
        OffsiteLag lag = OffsiteLag.assess("db", RPO, NOW, List.of(copied, newer), List.of(copied));
        assertThat(lag.lagging()).isFalse();
        assertThat(lag.missing()).isEqualTo(1);
    }

    @Test
    void exactlyTheRpoIsNotYetLagging() {
        Point copied = at(NOW.minus(RPO));
        OffsiteLag lag = OffsiteLag.assess("db", RPO, NOW, List.of(copied, hoursAgo(1)), List.of(copied));
        assertThat(lag.lagging()).isFalse();
        OffsiteLag later =
                OffsiteLag.assess("db", RPO, NOW.plusSeconds(1), List.of(copied, hoursAgo(1)), List.of(copied));
        assertThat(later.lagging()).isTrue();
    }

    @Test
    void withNoCopyAtAllTheOffsiteStoreIsBehindSinceTheOldestVerifiedBackup() {
        OffsiteLag fresh = OffsiteLag.assess("db", RPO, NOW, List.of(hoursAgo(0.1)), List.of());
        assertThat(fresh.lagging()).as("a first backup whose copy is under way").isFalse();
        assertThat(fresh.newestCopyId()).isNull();

        Point old = hoursAgo(30);
        OffsiteLag stale = OffsiteLag.assess("db", RPO, NOW, List.of(hoursAgo(2), old), List.of());
        assertThat(stale.lagging()).isTrue();
        assertThat(stale.behindSince()).isEqualTo(old.finishedAt());
        assertThat(stale.missing()).isEqualTo(2);
        assertThat(stale.reason()).contains("no verified off-site copy");
    }

    @Test
    void nothingVerifiedOnThePrimaryIsNotAnOffsiteLag() {
        OffsiteLag lag = OffsiteLag.assess("db", RPO, NOW, List.of(), List.of(hoursAgo(100)));
        assertThat(lag.lagging()).isFalse();
        assertThat(lag.reason()).contains("no verified backup on the primary");
    }

    @Test
    void copiesKeptOffsiteAfterThePrimaryPrunedThemStillCount() {
        Point prunedFromPrimary = hoursAgo(10);
        Point onPrimary = hoursAgo(40);
        OffsiteLag lag = OffsiteLag.assess("db", RPO, NOW, List.of(onPrimary), List.of(prunedFromPrimary));
        assertThat(lag.lagging()).isFalse();
        assertThat(lag.missing()).isZero();
    }

    @Test
    void theResultDoesNotDependOnTheOrderTheBackupsAreListedIn() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<Point> primary = new ArrayList<>();
            List<Point> offsite = new ArrayList<>();
            int n = 1 + random.nextInt(8);
            for (int i = 0; i < n; i++) {
                Point p = hoursAgo(random.nextInt(100) + random.nextDouble());
                primary.add(p);
                if (random.nextBoolean()) {
                    offsite.add(p);
                }
            }
            OffsiteLag expected = OffsiteLag.assess("db", RPO, NOW, primary, offsite);
            Collections.shuffle(primary, random);
            Collections.shuffle(offsite, random);
            assertThat(OffsiteLag.assess("db", RPO, NOW, primary, offsite)).isEqualTo(expected);
            if (offsite.containsAll(primary)) {
                assertThat(expected.lagging()).isFalse();
            }
        }
    }
}
