package io.lifeboat.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.config.LifeboatConfig.CatalogConfig;
import io.lifeboat.domain.Trigger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog on its embedded default: an H2 file database under the data folder. */
class CatalogTest extends CatalogContract {

    static final CatalogConfig EMBEDDED = new CatalogConfig("", null, null);

    @TempDir
    Path dataDir;

    @Override
    Catalog openCatalog() {
        return Catalog.open(EMBEDDED, dataDir);
    }

    @Override
    Catalog openAgain() {
        return Catalog.open(new CatalogConfig(null, null, null), dataDir);
    }

    @Test
    void theEmbeddedDatabaseLivesUnderTheDataFolder() {
        assertThat(dataDir.resolve("catalog/lifeboat.mv.db")).isRegularFile();
        assertThat(catalog.describe())
                .startsWith("embedded ")
                .contains(dataDir.resolve("catalog").toString());
    }

    @Test
    void twoCatalogsOnTheSameFolderWorkAtOnce() {
        try (Catalog second = Catalog.open(EMBEDDED, dataDir)) {
            long run = second.runStarted("app-db", "backup", Trigger.manual(null), T0);
            catalog.backupStored(manifest("app-db", T0));

            assertThat(catalog.lastRun("app-db")).map(RunRow::runId).contains(run);
            assertThat(second.backups("app-db")).hasSize(1);
        }
        assertThat(catalog.recentRuns(5)).hasSize(1);
    }

    @Test
    void anotherProcessCanUseTheCatalogWhileThisOneHoldsIt() throws Exception {
        catalog.backupStored(manifest("app-db", T0));
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        classpath,
                        CatalogChild.class.getName(),
                        dataDir.toString(),
                        "from-child")
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("child.out").toFile())
                .start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
        String output = Files.readString(dataDir.resolve("child.out"), StandardCharsets.UTF_8);

        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output).contains("backups=1");
        assertThat(catalog.lastRun("from-child"))
                .hasValueSatisfying(r -> assertThat(r.result()).isEqualTo("succeeded"));
    }

    @Test
    void anUnreachableDatabaseIsAClearErrorWithoutThePassword() {
        CatalogConfig unreachable =
                new CatalogConfig("jdbc:postgresql://127.0.0.1:1/lifeboat", "lifeboat", "s3cret-pw");

        assertThatThrownBy(() -> Catalog.open(unreachable, dataDir))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/lifeboat")
                .message()
                .doesNotContain("s3cret-pw");
    }

    @Test
    void runTimesKeepMicroseconds() {
        Instant precise = Instant.parse("2026-03-01T02:00:00.123456789Z");
        catalog.runStarted("app-db", "backup", Trigger.manual(null), precise);
        assertThat(catalog.lastRun("app-db").orElseThrow().startedAt())
                .isEqualTo(Instant.parse("2026-03-01T02:00:00.123456Z"));
    }
}
