package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Manifest;
import io.lifeboat.store.FilesystemStore;
import io.lifeboat.testsupport.FakeHistory;
import io.lifeboat.testsupport.FakeHistory.State;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.LifeboatCli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lifeboat prune} as a user runs it (the real launcher jar): the dry run's table, the refusal
 * in Safe Mode, and a real prune after which {@code list} shows exactly what the policy keeps.
 */
class PruneCommandIT {

    @TempDir
    Path work;

    @Test
    void dryRunShowsTheRulesSafeModeRefusesAndAPruneLeavesWhatThePolicyKeeps() throws Exception {
        Path files = Files.createDirectories(work.resolve("app-config"));
        Files.writeString(files.resolve("settings.yaml"), "answer: 42\n");
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  app-config:
                    kind: directory
                    path: app-config
                    schedule: "0 0 2 * * ?"
                    rpo: 26h
                    retention: {last: 1, daily: 2}
                  other: {kind: directory, path: app-config, schedule: "0 0 2 * * ?", rpo: 26h}
                """);
        LifeboatConfig cfg = ConfigLoader.load(config, Map.of());
        LifeboatCli cli = new LifeboatCli(config);

        Result backup = cli.run("backup", "app-config");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        String real = backup.stdout().strip();
        FilesystemStore store = new FilesystemStore(cfg.primary().path());
        FakeHistory history = new FakeHistory(store);
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        Manifest yesterday = history.backup("app-config", today.minus(Duration.ofHours(20)), State.VERIFIED, 30);
        Manifest yesterdayEarlier = history.backup("app-config", today.minus(Duration.ofHours(22)), State.VERIFIED, 40);
        Manifest failed = history.backup("app-config", today.minus(Duration.ofDays(4)), State.FAILED, 50);
        Manifest lastMonth = history.backup("app-config", today.minus(Duration.ofDays(30)), State.VERIFIED, 60);
        String leftover = history.leftover("app-config", today.minus(Duration.ofDays(2)));
        Manifest otherOld = history.backup("other", today.minus(Duration.ofDays(300)), State.VERIFIED, 70);
        List<Path> before = tree(store.root());

        // the dry run: a table per target, with the rule that keeps each backup or the reason it goes
        Result dry = cli.run("prune", "--dry-run");
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        String day = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(today);
        String dayBefore =
                DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC).format(today.minus(Duration.ofDays(1)));
        assertThat(dry.stdout())
                .contains("app-config: policy last 1, daily 2; leftovers go after 24h (dry run: nothing is deleted)")
                .containsPattern("ID +AGE +VERIFIED +ACTION +RULE/REASON")
                .containsPattern(real + " +\\S+ +yes +KEEP +newest verified, last 1, daily " + day)
                .containsPattern(yesterday.id() + " +\\S+ +yes +KEEP +daily " + dayBefore)
                .containsPattern(yesterdayEarlier.id() + " +\\S+ +yes +DELETE +no rule keeps it")
                .containsPattern(failed.id()
                        + " +4d\\S* +FAILED +DELETE +unverified leftover older than 24h \\(verification failed\\)")
                .containsPattern(leftover + " +2d\\S* +- +DELETE +leftover without a manifest")
                .containsPattern(lastMonth.id() + " +30d\\S* +yes +DELETE +no rule keeps it")
                .contains("app-config: would keep 2, delete 4, free 150 B")
                .contains("other: policy keep everything (no rules)")
                .containsPattern(otherOld.id() + " +300d\\S* +yes +KEEP +no retention policy")
                .contains("total: 3 kept, 4 to delete, 150 B to free");
        assertThat(tree(store.root())).as("a dry run deletes nothing").isEqualTo(before);

        // Safe Mode on: the prune is refused, exit 1, nothing touched; a dry run still works
        try (Catalog catalog = Catalog.open(cfg.catalog(), cfg.dataDir())) {
            catalog.safeModeChanged(true, "3 services down within 5m", "mqtt", Instant.now());
        }
        Result refused = cli.run("prune");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.stderr())
                .contains("prune refused: Safe Mode is on")
                .contains("3 services down within 5m")
                .contains("Nothing was deleted")
                .doesNotContain("\tat ");
        assertThat(tree(store.root())).isEqualTo(before);
        Result dryInSafeMode = cli.run("prune", "--dry-run", "app-config");
        assertThat(dryInSafeMode.exitCode()).isZero();
        assertThat(dryInSafeMode.stderr()).contains("note: Safe Mode is on");
        assertThat(tree(store.root())).isEqualTo(before);

        // Safe Mode left: the prune deletes what the dry run said, and list shows what is left
        try (Catalog catalog = Catalog.open(cfg.catalog(), cfg.dataDir())) {
            catalog.safeModeChanged(false, "resumed", "test", Instant.now());
        }
        Result prune = cli.run("prune", "app-config");
        assertThat(prune.exitCode()).as(prune.toString()).isZero();
        assertThat(prune.stdout())
                .contains("app-config: deleted " + lastMonth.id() + " (60 B): no rule keeps it")
                .contains("app-config: deleted " + leftover + " (1 object): leftover without a manifest")
                .contains("app-config: 2 kept, 4 deleted, 150 B freed")
                .doesNotContain("other:");

        Result list = cli.run("list", "--json");
        assertThat(list.exitCode()).isZero();
        List<String> ids = new ArrayList<>();
        for (JsonNode row : Json.MAPPER.readTree(list.stdout())) {
            ids.add(row.get("manifest").get("id").asText());
        }
        assertThat(ids).containsExactlyInAnyOrder(real, yesterday.id(), otherOld.id());
        assertThat(Files.exists(store.root().resolve("app-config/" + leftover))).isFalse();

        // a prune of a target not in the config is a usage error
        Result unknown = cli.run("prune", "../app-config");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown target '../app-config'").doesNotContain("\tat ");
    }

    private static List<Path> tree(Path root) throws Exception {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.sorted().toList();
        }
    }
}
