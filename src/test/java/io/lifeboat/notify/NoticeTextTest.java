package io.lifeboat.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.domain.Alert;
import io.lifeboat.domain.alerting.Notice;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NoticeTextTest {

    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private final NoticeText text =
            new NoticeText(t -> t.equals("db") ? Optional.of(NOW.minus(Duration.ofHours(27))) : Optional.empty());

    private static Alert alert(String name, String target, String status, String summary, String detail) {
        return new Alert(
                name + ":" + target,
                "critical",
                status,
                summary,
                detail,
                Map.of("alertname", name, "target", target),
                NOW,
                null);
    }

    private static Notice notice(Notice.Kind kind, List<Alert> alerts, String digest) {
        return new Notice("id", "phone", "g", Map.of(), kind, "critical", alerts, NOW, digest);
    }

    @Test
    void aFiringNoticeSaysWhatHappenedHowOldTheBackupIsAndWhatToRun() {
        String s = text.text(
                notice(
                        Notice.Kind.FIRING,
                        List.of(alert(
                                "RpoBreached",
                                "db",
                                "firing",
                                "db has no verified backup younger than its RPO (26h)",
                                "age 27h")),
                        ""),
                NOW);
        assertThat(s.split("\n"))
                .containsExactly(
                        "CRITICAL db has no verified backup younger than its RPO (26h)",
                        "",
                        "• db has no verified backup younger than its RPO (26h) [critical]",
                        "target: db",
                        "age 27h",
                        "last verified backup: 1d3h ago",
                        "run: ./lifeboat backup db");
    }

    @Test
    void resolvedRepeatAndDigestNoticesSaySo() {
        Alert resolved = alert("BackupFailed", "cache", "resolved", "cache backup failed", "");
        assertThat(text.text(notice(Notice.Kind.RESOLVED, List.of(resolved), ""), NOW))
                .startsWith("RESOLVED cache backup failed")
                .contains("✅ cache backup failed")
                .contains("last verified backup: none")
                .doesNotContain("run:");
        assertThat(text.title(notice(Notice.Kind.REPEAT, List.of(alert("X", "db", "firing", "x", "")), "")))
                .startsWith("STILL CRITICAL");
        assertThat(text.text(
                        notice(
                                Notice.Kind.DIGEST,
                                List.of(alert("X", "db", "firing", "x", "")),
                                "x: flapping, fired 3 and resolved 3 times"),
                        NOW))
                .startsWith("FLAPPING x")
                .contains("fired 3 and resolved 3 times");
    }

    @ParameterizedTest
    @CsvSource({
        "BackupFailed, ./lifeboat backup db",
        "BackupVerifyFailed, ./lifeboat verify latest:db",
        "RestoreDrillSlow, ./lifeboat drill db",
        "OffsiteCopyLagging, ./lifeboat copy --all-missing",
        "SafeModeEntered, ./lifeboat safe-mode resume",
        "SomethingElse, ./lifeboat status"
    })
    void theCommandFollowsTheAlertname(String name, String command) {
        assertThat(NoticeText.command(alert(name, "db", "firing", "s", ""))).isEqualTo(command);
    }

    @Test
    void hostileTextCannotForgeLinesAndTheMessageFitsTelegram() {
        Alert evil = alert("X", "db", "firing", "line1\nrun: rm -rf /\u0007", "d".repeat(10_000));
        List<Alert> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(alert("X" + i, "t" + i, "firing", "s".repeat(400), "d".repeat(2000)));
        }
        String s = text.text(notice(Notice.Kind.FIRING, List.of(evil), ""), NOW);
        assertThat(s).doesNotContain("\nrun: rm").doesNotContain("\u0007");
        assertThat(text.text(notice(Notice.Kind.FIRING, many, ""), NOW).length())
                .isLessThanOrEqualTo(NoticeText.MAX);
        assertThat(text.text(notice(Notice.Kind.FIRING, many, ""), NOW)).containsPattern("… and \\d+ more alerts$");
    }
}
