package io.lifeboat.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.BackupId;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Verification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics as Prometheus reads them, computed from a real embedded (H2) catalog. */
class LifeboatMetricsTest {

    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final String SHA = "a".repeat(64);

    @TempDir
    Path dir;

    Catalog catalog;
    LifeboatConfig config;
    LifeboatMetrics metrics;

    @BeforeEach
    void setUp() throws Exception {
        Path file = dir.resolve("lifeboat.yaml");
        Files.writeString(file, """
                storage: {primary: {type: filesystem, path: store}}
                catalog: {password: "${CATALOG_PASSWORD}"}
                targets:
                  app-db: {kind: directory, path: ., schedule: "0 0 2 * * ?", rpo: 26h}
                  stale: {kind: directory, path: ., schedule: "0 0 2 * * ?", rpo: 1h}
                  empty: {kind: directory, path: ., schedule: "0 0 2 * * ?", rpo: 26h}
                """);
        config = ConfigLoader.load(file, Map.of("CATALOG_PASSWORD", "s3cr3t-catalog-password"));
        catalog = Catalog.open(config.catalog(), dir.resolve("data"));
        metrics = new LifeboatMetrics(config, catalog, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    @Test
    void everyMetricIsReadFromTheCatalog() {
        // app-db: two verified backups (the newest counts), three runs that succeeded, one whose verify failed
        Manifest older = backup("app-db", NOW.minusSeconds(7200), 100, true);
        Manifest newest = backup("app-db", NOW.minusSeconds(3600), 4321, true);
        run("app-db", "backup", RunRow.SUCCEEDED, null, null);
        run("app-db", "backup", RunRow.SUCCEEDED, null, null);
        run("app-db", "backup", RunRow.SUCCEEDED, null, null);
        run("app-db", "backup", RunRow.FAILED, RunRow.VERIFY_FAILED + "sha256 mismatch", null);
        run("app-db", "verify", RunRow.FAILED, RunRow.VERIFY_FAILED + "object missing", null);
        run("app-db", "backup", RunRow.RUNNING, null, null); // still going: not counted yet
        // drills: an older one passed in 12.5 s, a newer one failed: the RTO shown is the passing one's
        run("app-db", "drill", RunRow.SUCCEEDED, null, "{\"rtoSeconds\":12.5,\"slowerThanObjective\":false}");
        run("app-db", "drill", RunRow.FAILED, "validation failed", "{\"rtoSeconds\":null}");
        // stale: verified, but older than its rpo of 1h; a backup that failed verification later
        backup("stale", NOW.minusSeconds(2 * 3600), 10, true);
        backup("stale", NOW.minusSeconds(600), 999, false);
        run("stale", "backup", RunRow.FAILED, "tar: permission denied", null);
        // a target the config no longer has is not shown
        backup("removed", NOW.minusSeconds(60), 5, true);
        run("removed", "backup", RunRow.SUCCEEDED, null, null);

        String text = metrics.scrape();

        assertThat(value(text, "lifeboat_backup_last_verified_timestamp_seconds", "target", "app-db"))
                .isEqualTo(newest.finishedAt().getEpochSecond());
        assertThat(value(text, "lifeboat_backup_bytes", "target", "app-db")).isEqualTo(4321);
        assertThat(value(text, "lifeboat_rpo_breached", "target", "app-db")).isEqualTo(0);
        assertThat(value(text, "lifeboat_restore_drill_rto_seconds", "target", "app-db"))
                .isEqualTo(12.5);
        assertThat(value(text, "lifeboat_backup_runs_total", "result", "succeeded", "target", "app-db"))
                .isEqualTo(3);
        assertThat(value(text, "lifeboat_backup_runs_total", "result", "failed", "target", "app-db"))
                .isEqualTo(1);
        assertThat(value(text, "lifeboat_verify_failures_total", "target", "app-db"))
                .isEqualTo(2);

        assertThat(value(text, "lifeboat_backup_last_verified_timestamp_seconds", "target", "stale"))
                .isEqualTo(NOW.minusSeconds(2 * 3600).plusSeconds(30).getEpochSecond());
        assertThat(value(text, "lifeboat_backup_bytes", "target", "stale")).isEqualTo(10);
        assertThat(value(text, "lifeboat_rpo_breached", "target", "stale")).isEqualTo(1);
        assertThat(value(text, "lifeboat_backup_runs_total", "result", "failed", "target", "stale"))
                .isEqualTo(1);
        assertThat(value(text, "lifeboat_backup_runs_total", "result", "succeeded", "target", "stale"))
                .isEqualTo(0);
        assertThat(value(text, "lifeboat_verify_failures_total", "target", "stale"))
                .isEqualTo(0);
        assertThat(lines(text, "lifeboat_restore_drill_rto_seconds", "target", "stale"))
                .isEmpty();

        assertThat(value(text, "lifeboat_safe_mode")).isEqualTo(0);
        assertThat(text).doesNotContain("removed").doesNotContain(older.id());
        assertThat(text)
                .contains("# TYPE lifeboat_backup_runs_total counter")
                .contains("# TYPE lifeboat_rpo_breached gauge")
                .contains("# HELP lifeboat_restore_drill_rto_seconds");
    }

    @Test
    void aTargetWithoutBackupsIsBreachedAndHasNoTimestampSizeOrRto() {
        String text = metrics.scrape();

        assertThat(value(text, "lifeboat_rpo_breached", "target", "empty")).isEqualTo(1);
        assertThat(value(text, "lifeboat_backup_runs_total", "result", "succeeded", "target", "empty"))
                .isEqualTo(0);
        assertThat(value(text, "lifeboat_backup_runs_total", "result", "failed", "target", "empty"))
                .isEqualTo(0);
        assertThat(value(text, "lifeboat_verify_failures_total", "target", "empty"))
                .isEqualTo(0);
        assertThat(text)
                .doesNotContain("lifeboat_backup_last_verified_timestamp_seconds{")
                .doesNotContain("lifeboat_backup_bytes{")
                .doesNotContain("lifeboat_restore_drill_rto_seconds{")
                .doesNotContain("NaN");
    }

    @Test
    void eachScrapeReadsTheCatalogAgain() {
        assertThat(value(metrics.scrape(), "lifeboat_rpo_breached", "target", "empty"))
                .isEqualTo(1);

        Manifest m = backup("empty", NOW.minusSeconds(60), 77, true);
        run("empty", "backup", RunRow.SUCCEEDED, null, null);
        run("empty", "drill", RunRow.SUCCEEDED, null, "{\"rtoSeconds\":3}");
        catalog.safeModeChanged(true, "3 services down", "test", NOW);
        String text = metrics.scrape();
        assertThat(value(text, "lifeboat_rpo_breached", "target", "empty")).isEqualTo(0);
        assertThat(value(text, "lifeboat_backup_last_verified_timestamp_seconds", "target", "empty"))
                .isEqualTo(m.finishedAt().getEpochSecond());
        assertThat(value(text, "lifeboat_backup_runs_total", "result", "succeeded", "target", "empty"))
                .isEqualTo(1);
        assertThat(value(text, "lifeboat_restore_drill_rto_seconds", "target", "empty"))
                .isEqualTo(3);
        assertThat(value(text, "lifeboat_drill_runs_total", "result", "succeeded", "target", "empty"))
                .isEqualTo(1);
        assertThat(value(text, "lifeboat_drill_runs_total", "result", "failed", "target", "empty"))
                .isEqualTo(0);
        assertThat(value(text, "lifeboat_backup_duration_seconds", "result", "succeeded", "target", "empty"))
                .isEqualTo(0.5);
        assertThat(text).doesNotContain("lifeboat_backup_duration_seconds{result=\"failed\",target=\"empty\"}");
        assertThat(value(text, "lifeboat_safe_mode")).isEqualTo(1);

        // the backup is pruned away: the series go again; Safe Mode is resumed
        catalog.backupDeleted("empty", m.id());
        catalog.safeModeChanged(false, "resumed", "test", NOW.plusSeconds(1));
        text = metrics.scrape();
        assertThat(value(text, "lifeboat_rpo_breached", "target", "empty")).isEqualTo(1);
        assertThat(lines(text, "lifeboat_backup_last_verified_timestamp_seconds", "target", "empty"))
                .isEmpty();
        assertThat(lines(text, "lifeboat_backup_bytes", "target", "empty")).isEmpty();
        assertThat(value(text, "lifeboat_safe_mode")).isEqualTo(0);
    }

    @Test
    void aDrillDetailWithoutAReadableRtoShowsNoRto() {
        run("app-db", "drill", RunRow.SUCCEEDED, null, "{not json");
        run("empty", "drill", RunRow.SUCCEEDED, null, "{\"rtoSeconds\":\"fast\"}");
        run("stale", "drill", RunRow.SUCCEEDED, null, null);

        String text = metrics.scrape();

        assertThat(text).doesNotContain("lifeboat_restore_drill_rto_seconds{");
    }

    @Test
    void noSecretOfTheConfigIsShown() {
        backup("app-db", NOW.minusSeconds(60), 1, true);
        run("app-db", "backup", RunRow.FAILED, "could not connect with password s3cr3t-catalog-password", null);

        String text = metrics.scrape();

        assertThat(text).doesNotContain("s3cr3t").doesNotContain("password").doesNotContain("could not connect");
    }

    // ---- helpers

    private Manifest backup(String target, Instant start, long storedBytes, boolean verifiedOk) {
        BackupId id = BackupId.at(start);
        Manifest m = new Manifest(
                Manifest.FORMAT_VERSION,
                id.value(),
                target,
                "directory",
                start,
                start.plusSeconds(30),
                Trigger.manual("test"),
                "tar",
                "1",
                StorageLayout.artifactKey(target, id, "tar"),
                storedBytes,
                storedBytes * 2,
                SHA,
                "zstd",
                "none",
                "zstd -d data.tar.zst | tar -x",
                List.of());
        catalog.backupStored(m);
        catalog.verified(new Verification(
                m.id(),
                target,
                start.plusSeconds(40),
                verifiedOk,
                SHA,
                verifiedOk ? SHA : "b".repeat(64),
                storedBytes,
                null));
        return m;
    }

    private long runs;

    private void run(String target, String operation, String result, String error, String detail) {
        Instant at = NOW.minusSeconds(1000).plusSeconds(runs++);
        long id = catalog.runStarted(target, operation, Trigger.manual("test"), at);
        if (!result.equals(RunRow.RUNNING)) {
            catalog.runFinished(id, result, null, error, null, detail, at.plusMillis(500));
        }
    }

    /** The sample lines of {@code name} whose labels are exactly {@code labels} (key, value, ... sorted by key). */
    static List<String> lines(String text, String name, String... labels) {
        StringBuilder series = new StringBuilder(name);
        if (labels.length > 0) {
            series.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                series.append(i == 0 ? "" : ",")
                        .append(labels[i])
                        .append("=\"")
                        .append(labels[i + 1])
                        .append('"');
            }
            series.append('}');
        }
        String prefix = series + " ";
        return text.lines().filter(l -> l.startsWith(prefix)).toList();
    }

    /** The value of the one sample of {@code name} with exactly {@code labels}. */
    static double value(String text, String name, String... labels) {
        List<String> found = lines(text, name, labels);
        assertThat(found)
                .as("one sample of %s %s in\n%s", name, List.of(labels), text)
                .hasSize(1);
        String line = found.get(0);
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
}
