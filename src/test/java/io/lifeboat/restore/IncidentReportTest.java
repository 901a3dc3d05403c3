package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.domain.Validation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncidentReportTest {

    private static final Instant T0 = Instant.parse("2026-11-23T04:00:00Z");
    private static final Validation USERS = new Validation("select count(*) from users", null, null, null, 1L, null);

    private static IncidentReport report(Duration rto, Duration objective, boolean ok, String error) {
        return new IncidentReport(
                "drill",
                "app-db",
                "postgres",
                "20261123T020000Z-abc123",
                T0.minus(Duration.ofHours(2)),
                1000,
                5000,
                "database app_drill_20261123t040000z",
                T0,
                T0.plusSeconds(40),
                List.of(
                        new IncidentReport.Step(T0, "drill started"),
                        new IncidentReport.Step(T0.plusSeconds(30), "restored"),
                        new IncidentReport.Step(T0.plusSeconds(31), "validated")),
                List.of(new ValidationResult(USERS, ok, ok ? 12L : 0L, ok ? "12 >= 1" : "0 is below 1")),
                rto,
                objective,
                ok,
                error);
    }

    @Test
    void aPassingDrillSaysOkWithItsRtoAndEachCheck() {
        String md = report(Duration.ofSeconds(31), Duration.ofMinutes(15), true, null)
                .toMarkdown();
        assertThat(md)
                .startsWith("# Drill of app-db: OK\n")
                .contains("- **Backup:** 20261123T020000Z-abc123")
                .contains("- **Backup taken:** 2026-11-23T02:00:00Z (2h before)")
                .contains("- **RTO achieved:** 31s (31000 ms)")
                .contains("- **RTO objective:** 15m — met")
                .contains("- 2026-11-23T04:00:30Z (+30000 ms) restored")
                .contains("- PASS `sql: select count(*) from users >= 1`: 12 >= 1");
    }

    @Test
    void aSlowDrillAndAFailedOneSaySo() {
        IncidentReport slow = report(Duration.ofMinutes(20), Duration.ofMinutes(15), true, null);
        assertThat(slow.slowerThanObjective()).isTrue();
        assertThat(slow.toMarkdown()).startsWith("# Drill of app-db: SLOW").contains("15m — MISSED");

        IncidentReport failed = report(null, Duration.ofMinutes(15), false, "validation failed:\n0 is below 1");
        assertThat(failed.toMarkdown())
                .startsWith("# Drill of app-db: FAILED")
                .contains("- **RTO achieved:** - (not validated)")
                .contains("- **Error:** validation failed: 0 is below 1")
                .contains("- FAIL `sql: select count(*) from users >= 1`: 0 is below 1");
        assertThat(failed.toDetail())
                .containsEntry("ok", false)
                .containsEntry("rtoSeconds", null)
                .containsEntry("backupId", "20261123T020000Z-abc123");
    }
}
