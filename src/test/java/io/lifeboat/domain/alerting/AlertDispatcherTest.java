package io.lifeboat.domain.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.config.LifeboatConfig.FlapConfig;
import io.lifeboat.config.LifeboatConfig.InhibitRule;
import io.lifeboat.config.LifeboatConfig.RouteConfig;
import io.lifeboat.domain.Alert;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The routing table: alerts in at given seconds, the ticks in between (every second, as the daemon
 * ticks), and exactly the notices that come out, with receiver, kind, alerts and time.
 */
class AlertDispatcherTest {

    private static final Instant T0 = Instant.parse("2026-11-24T00:00:00Z");

    private static RouteConfig route(
            String receiver, List<String> groupBy, long wait, long interval, long repeat, RouteConfig... children) {
        return new RouteConfig(
                receiver,
                Map.of(),
                Map.of(),
                false,
                groupBy,
                Duration.ofSeconds(wait),
                Duration.ofSeconds(interval),
                Duration.ofSeconds(repeat),
                List.of(children));
    }

    private static Alert firing(String name, String target, String severity) {
        return new Alert(
                name + ":" + target,
                severity,
                "firing",
                name + " on " + target,
                "",
                Map.of("alertname", name, "target", target),
                T0,
                null);
    }

    private static Alert resolved(String name, String target, String severity) {
        return new Alert(
                name + ":" + target,
                severity,
                "resolved",
                name + " on " + target,
                "",
                Map.of("alertname", name, "target", target),
                T0,
                T0);
    }

    /** Runs a script: at second s, the alerts given; ticks every second up to {@code until}. */
    private static final class Run {
        final AlertDispatcher d;
        final List<String> log = new ArrayList<>();
        final List<Notice> notices = new ArrayList<>();
        int second;

        Run(RouteConfig root, List<InhibitRule> inhibit, FlapConfig flap) {
            d = new AlertDispatcher(root, inhibit, flap, new Silences(new SilenceStore.InMemory(), T0));
        }

        Run(RouteConfig root) {
            this(root, List.of(), FlapConfig.DEFAULT);
        }

        Run until(int s) {
            while (second < s) {
                second++;
                record(d.tick(T0.plusSeconds(second)));
            }
            return this;
        }

        Run at(int s, Alert... alerts) {
            until(s);
            for (Alert a : alerts) {
                record(d.accept(a, T0.plusSeconds(s)));
            }
            return this;
        }

        void record(List<Notice> out) {
            for (Notice n : out) {
                notices.add(n);
                log.add(second + " " + n.receiver() + " " + n.kind() + " "
                        + n.alerts().stream()
                                .map(a -> a.fingerprint() + "/" + a.status())
                                .toList());
            }
        }
    }

    @Test
    void groupWaitCollectsAlertsOfOneGroupIntoOneNotice() {
        Run r = new Run(route("phone", List.of("target"), 30, 300, 14400))
                .at(0, firing("BackupFailed", "db", "warning"))
                .at(10, firing("VerifyFailed", "db", "warning"))
                .at(12, firing("BackupFailed", "cache", "warning"))
                .until(60);
        assertThat(r.log)
                .containsExactly(
                        "30 phone FIRING [BackupFailed:db/firing, VerifyFailed:db/firing]",
                        "42 phone FIRING [BackupFailed:cache/firing]");
    }

    @Test
    void aChangeWaitsForTheGroupIntervalAndRepeatsComeAfterTheRepeatInterval() {
        Run r = new Run(route("phone", List.of("target"), 5, 60, 600))
                .at(0, firing("BackupFailed", "db", "warning"))
                .at(20, firing("VerifyFailed", "db", "warning"))
                .until(700);
        assertThat(r.log)
                .containsExactly(
                        "5 phone FIRING [BackupFailed:db/firing]",
                        "65 phone FIRING [BackupFailed:db/firing, VerifyFailed:db/firing]",
                        "665 phone REPEAT [BackupFailed:db/firing, VerifyFailed:db/firing]");
    }

    @Test
    void resolvingEveryAlertSendsOneResolvedNoticeAndEndsTheGroup() {
        Run r = new Run(route("phone", List.of("target"), 0, 10, 3600))
                .at(0, firing("BackupFailed", "db", "warning"))
                .at(3, resolved("BackupFailed", "db", "warning"))
                .at(4, resolved("BackupFailed", "db", "warning"))
                .until(60);
        assertThat(r.log)
                .containsExactly(
                        "0 phone FIRING [BackupFailed:db/firing]", "10 phone RESOLVED [BackupFailed:db/resolved]");
        assertThat(r.d.openGroups()).isZero();
    }

    @Test
    void theSameAlertTenTimesIsOneNotice() {
        Run r = new Run(route("phone", List.of("alertname"), 0, 60, 3600));
        for (int i = 0; i < 10; i++) {
            r.at(i * 3, firing("DiskSmartWarning", "nas", "warning"));
        }
        r.until(120);
        assertThat(r.log).containsExactly("0 phone FIRING [DiskSmartWarning:nas/firing]");
    }

    @Test
    void aResolvedAlertNeverNotifiedSendsNothing() {
        Run r = new Run(route("phone", List.of("target"), 30, 60, 3600))
                .at(0, firing("BackupFailed", "db", "warning"))
                .at(10, resolved("BackupFailed", "db", "warning"))
                .at(11, resolved("Unknown", "x", "warning"))
                .until(100);
        assertThat(r.log).isEmpty();
    }

    @Test
    void continueSendsToTwoReceiversAndAChildTakesWhatItMatches() {
        RouteConfig critical = new RouteConfig(
                "house", Map.of("severity", "critical"), Map.of(), true, null, Duration.ZERO, null, null, List.of());
        RouteConfig root = route("phone", List.of("target"), 0, 60, 3600, critical);
        Run r = new Run(root)
                .at(0, firing("BackupFailed", "db", "critical"))
                .at(1, firing("VerifyFailed", "cache", "warning"))
                .until(5);
        assertThat(r.log)
                .containsExactly(
                        "0 house FIRING [BackupFailed:db/firing]",
                        "0 phone FIRING [BackupFailed:db/firing]",
                        "1 phone FIRING [VerifyFailed:cache/firing]");
        assertThat(r.notices.get(0).critical()).isTrue();
        assertThat(r.notices.get(2).critical()).isFalse();
    }

    @Test
    void aSilenceHoldsANoticeAndItsEndLetsTheStillFiringAlertOut() {
        Run r = new Run(route("phone", List.of("target"), 0, 60, 3600));
        r.d.silences()
                .add(new Silence(
                        "s1", List.of(Matcher.eq("target", "db")), T0, T0.plusSeconds(100), "me", "maintenance"));
        r.at(0, firing("BackupFailed", "db", "warning"), firing("BackupFailed", "cache", "warning"))
                .until(200);
        assertThat(r.log)
                .containsExactly(
                        "0 phone FIRING [BackupFailed:cache/firing]", "100 phone FIRING [BackupFailed:db/firing]");
    }

    @Test
    void anExpiredSilenceNoLongerHolds() {
        Run r = new Run(route("phone", List.of("target"), 0, 60, 3600));
        r.d.silences().add(new Silence("s1", List.of(Matcher.eq("target", "db")), T0, T0.plusSeconds(1000), "me", ""));
        r.at(5, firing("BackupFailed", "db", "warning")).until(20);
        assertThat(r.log).isEmpty();
        assertThat(r.d.silences().expire("s1", T0.plusSeconds(20))).isTrue();
        r.until(22);
        assertThat(r.log).containsExactly("21 phone FIRING [BackupFailed:db/firing]");
        assertThat(r.d.silences().expire("s1", T0.plusSeconds(30))).isFalse();
    }

    @Test
    void configuredInhibitionHoldsTargetsWithTheSameLabelsWhileTheSourceFires() {
        InhibitRule hostDown =
                new InhibitRule(Map.of("alertname", "HostDown"), Map.of("severity", "warning"), List.of("target"));
        Run r = new Run(
                        route("phone", List.of("alertname", "target"), 0, 60, 3600),
                        List.of(hostDown),
                        FlapConfig.DEFAULT)
                .at(0, firing("HostDown", "nas", "critical"))
                .at(1, firing("BackupFailed", "nas", "warning"), firing("BackupFailed", "db", "warning"))
                .until(10);
        assertThat(r.log)
                .containsExactly("0 phone FIRING [HostDown:nas/firing]", "1 phone FIRING [BackupFailed:db/firing]");
        r.at(20, resolved("HostDown", "nas", "critical")).until(70);
        assertThat(r.log)
                .containsExactly(
                        "0 phone FIRING [HostDown:nas/firing]",
                        "1 phone FIRING [BackupFailed:db/firing]",
                        "21 phone FIRING [BackupFailed:nas/firing]",
                        "60 phone RESOLVED [HostDown:nas/resolved]");
    }

    @Test
    void safeModeInhibitsTheWarningsItCauses() {
        Alert safeMode = new Alert(
                "SafeModeEntered:lifeboat",
                "critical",
                "firing",
                "Safe Mode",
                "",
                Map.of("alertname", "SafeModeEntered"),
                T0,
                null);
        Alert pruneRefused = new Alert(
                "PruneFailed:lifeboat",
                "warning",
                "firing",
                "prune refused in Safe Mode",
                "",
                Map.of("alertname", "PruneFailed", "target", "lifeboat", "cause", "safe_mode"),
                T0,
                null);
        Alert otherWarning = firing("BackupFailed", "db", "warning");
        Run r = new Run(route("phone", List.of("alertname"), 0, 60, 3600))
                .at(0, safeMode)
                .at(1, pruneRefused, otherWarning)
                .until(10);
        assertThat(r.log)
                .containsExactly(
                        "0 phone FIRING [SafeModeEntered:lifeboat/firing]", "1 phone FIRING [BackupFailed:db/firing]");
    }

    @Test
    void aFlappingAlertSendsOneNoticeAndADigestNotAStorm() {
        Run r = new Run(
                route("phone", List.of("alertname"), 0, 60, 3600),
                List.of(),
                new FlapConfig(4, Duration.ofMinutes(10)));
        for (int s = 0; s <= 600; s += 5) {
            r.at(s, (s / 5) % 2 == 0 ? firing("Flappy", "svc", "warning") : resolved("Flappy", "svc", "warning"));
        }
        r.until(1300);
        // 120 status changes in ten minutes: flapping from the 4th (t=20), one digest a window later, then it
        // settles (still firing) a window after its last change: nothing more to say
        assertThat(r.log).containsExactly("0 phone FIRING [Flappy:svc/firing]", "620 phone DIGEST [Flappy:svc/firing]");
        assertThat(r.notices.get(1).digest())
                .isEqualTo("Flappy on svc: flapping, fired 58 and resolved 58 times in the last 10m; now firing");
    }

    @Test
    void aFlappingAlertThatSettlesResolvedSendsItsResolvedNotice() {
        Run r = new Run(
                route("phone", List.of("alertname"), 0, 60, 3600),
                List.of(),
                new FlapConfig(4, Duration.ofMinutes(10)));
        for (int s = 0; s <= 100; s += 5) {
            r.at(s, (s / 5) % 2 == 0 ? firing("Flappy", "svc", "warning") : resolved("Flappy", "svc", "warning"));
        }
        r.at(105, resolved("Flappy", "svc", "warning")).until(1400);
        assertThat(r.log)
                .containsExactly(
                        "0 phone FIRING [Flappy:svc/firing]",
                        "620 phone DIGEST [Flappy:svc/resolved]",
                        "705 phone RESOLVED [Flappy:svc/resolved]");
    }

    @Test
    void noticeIdsAreStableForTheSameHistoryAndDifferForDifferentNotices() {
        RouteConfig root = route("phone", List.of("target"), 0, 10, 3600);
        Run a = new Run(root)
                .at(0, firing("BackupFailed", "db", "warning"))
                .at(20, resolved("BackupFailed", "db", "warning"))
                .until(40);
        Run b = new Run(root)
                .at(0, firing("BackupFailed", "db", "warning"))
                .at(20, resolved("BackupFailed", "db", "warning"))
                .until(40);
        assertThat(a.notices)
                .extracting(Notice::id)
                .containsExactlyElementsOf(b.notices.stream().map(Notice::id).toList());
        assertThat(a.notices).extracting(Notice::id).doesNotHaveDuplicates().hasSize(2);
    }

    @Test
    void anAlertWhoseEndsAtPassedIsResolved() {
        Alert ending = new Alert(
                "X:db", "warning", "firing", "x", "", Map.of("alertname", "X", "target", "db"), T0, T0.plusSeconds(30));
        Run r = new Run(route("phone", List.of("target"), 0, 10, 3600))
                .at(0, ending)
                .at(40, ending)
                .until(60);
        assertThat(r.log).containsExactly("0 phone FIRING [X:db/firing]", "40 phone RESOLVED [X:db/resolved]");
    }
}
