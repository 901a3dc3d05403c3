package io.lifeboat.camel;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.Pruner;
import io.lifeboat.pipeline.TargetLocks;
import io.lifeboat.store.FilesystemStore;
import io.lifeboat.testsupport.FakeHistory;
import io.lifeboat.testsupport.FakeHistory.State;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The daily prune as the daemon wires it, through camel-main: route {@code prune-schedule} on the
 * configured cron into {@code prune-execute} (routes/prune.yaml), which prunes every target, and skips
 * while Safe Mode is on.
 */
@CamelMainTest(properties = "camel.main.routes-include-pattern=file:routes/prune.yaml")
class PruneRoutesTest {

    static final Instant NOW = Instant.parse("2026-11-23T12:30:00Z");
    static final Path DIR = tempDir();
    static final LifeboatConfig CONFIG = config();
    static final FilesystemStore STORE = new FilesystemStore(CONFIG.primary().path());
    static final Catalog CATALOG = Catalog.open(CONFIG.catalog(), CONFIG.dataDir());

    @BeanInject
    CamelContext context;

    @BindToRegistry("pruner")
    Pruner pruner() {
        EventSink none = (topic, payload, retained) -> {};
        return new Pruner(
                CONFIG,
                STORE,
                CATALOG,
                new Events(none),
                new TargetLocks(CONFIG.dataDir().resolve("locks")),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Configure
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addRoutesBuilder(new PruneRoutes(CONFIG));
    }

    @AfterAll
    static void closeCatalog() {
        CATALOG.close();
    }

    @Test
    void theDailyRouteRunsOnThePruneScheduleAndPrunesUnlessSafeModeIsOn() throws Exception {
        Route schedule = context.getRoute("prune-schedule");
        assertThat(schedule).as("route prune-schedule").isNotNull();
        assertThat(((QuartzEndpoint) schedule.getEndpoint()).getCron()).isEqualTo("0 45 4 ? * MON-FRI");
        assertThat(context.getRoute("prune-execute")).isNotNull();

        FakeHistory history = new FakeHistory(STORE);
        Manifest newest = history.backup("files", Instant.parse("2026-11-23T10:00:00Z"), State.VERIFIED, 10);
        Manifest previous = history.backup("files", Instant.parse("2026-11-22T10:00:00Z"), State.VERIFIED, 20);
        Manifest old = history.backup("files", Instant.parse("2026-11-10T10:00:00Z"), State.VERIFIED, 30);
        List<String> before = STORE.list("");

        CATALOG.safeModeChanged(true, "integrity_failed on app-db", "test", NOW.minusSeconds(60));
        String skipped = context.createProducerTemplate().requestBody("direct:prune-execute", null, String.class);
        assertThat(skipped).startsWith("skipped: Safe Mode is on").contains("integrity_failed on app-db");
        assertThat(STORE.list("")).isEqualTo(before);
        assertThat(CATALOG.lastRun("files", "prune")).isEmpty();

        CATALOG.safeModeChanged(false, "resumed by test", "test", NOW.minusSeconds(30));
        String answer = context.createProducerTemplate().requestBody("direct:prune-execute", null, String.class);
        assertThat(answer).isEqualTo("files: 2 kept, 1 deleted, 30 bytes freed");
        assertThat(STORE.list("files/"))
                .isNotEmpty()
                .allMatch(k -> k.startsWith(StorageLayout.prefix("files", newest.backupId()))
                        || k.startsWith(StorageLayout.prefix("files", previous.backupId())));
        assertThat(STORE.exists(StorageLayout.manifestKey("files", old.backupId())))
                .isFalse();
        assertThat(CATALOG.lastRun("files", "prune").orElseThrow().trigger().detail())
                .isEqualTo("0 45 4 ? * MON-FRI");
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("lifeboat-prune-routes-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LifeboatConfig config() {
        try {
            Files.createDirectories(DIR.resolve("files"));
            Files.writeString(DIR.resolve("lifeboat.yaml"), """
                    dataDir: data
                    storage: {primary: {type: filesystem, path: store}}
                    prune: {schedule: "0 45 4 ? * MON-FRI"}
                    targets:
                      files: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h, retention: {daily: 2}}
                    """);
            return ConfigLoader.load(DIR.resolve("lifeboat.yaml"), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
