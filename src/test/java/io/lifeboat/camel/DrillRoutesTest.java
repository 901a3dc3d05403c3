package io.lifeboat.camel;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Trigger;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.restore.DrillService;
import io.lifeboat.store.FilesystemStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The drill routes through camel-main on local parts: one {@code drill-schedule-<target>} Quartz route
 * per target with a {@code drill.schedule} (none for the others), and {@code drill-execute} running a
 * drill that is recorded in the catalog.
 */
@CamelMainTest(properties = {"camel.main.routes-include-pattern=file:routes/drill.yaml"})
class DrillRoutesTest {

    static final Path DIR = tempDir();
    static final LifeboatConfig CONFIG = config();
    static final FilesystemStore STORE = new FilesystemStore(CONFIG.primary().path());
    static final Catalog CATALOG = Catalog.open(CONFIG.catalog(), CONFIG.dataDir());

    @BeanInject
    CamelContext context;

    @BindToRegistry("drillJobs")
    DrillJobs jobs() {
        return new DrillJobs(new DrillService(CONFIG, STORE, CATALOG, new Events(EventSink.NONE), Clock.systemUTC()));
    }

    @Configure
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addRoutesBuilder(new DrillRoutes(CONFIG));
    }

    @AfterAll
    static void closeCatalog() {
        CATALOG.close();
    }

    @Test
    void onlyTargetsWithADrillScheduleGetADrillRoute() {
        assertThat(context.getRoutes())
                .extracting(r -> r.getRouteId())
                .contains("drill-execute", "drill-schedule-files")
                .doesNotContain("drill-schedule-on-demand", "drill-schedule-no-drill");
        assertThat(context.getRoute("drill-schedule-files").getEndpoint().getEndpointUri())
                .contains("lifeboat-drill/files")
                .contains("cron=0+0+4+1+*+%3F");
    }

    @Test
    void drillExecuteRunsADrillAndRecordsIt() throws Exception {
        BackupService backups = new BackupService(
                CONFIG,
                STORE,
                CATALOG,
                new Events(EventSink.NONE),
                Clock.systemUTC(),
                new BackupService.Compression(3, 1));
        backups.backup("files", Trigger.manual("route test"), new Progress());
        ProducerTemplate template = context.createProducerTemplate();

        String answer = template.requestBodyAndHeaders(
                "direct:drill-execute",
                null,
                Map.of("target", "files", "trigger", "schedule", "reason", "0 0 4 1 * ?"),
                String.class);
        String failed = template.requestBodyAndHeaders(
                "direct:drill-execute",
                null,
                Map.of("target", "no-drill", "trigger", "manual", "reason", "route test"),
                String.class);

        assertThat(answer).startsWith("OK ").contains(" RTO ");
        RunRow run = CATALOG.lastRun("files", "drill").orElseThrow();
        assertThat(run.result()).isEqualTo("succeeded");
        assertThat(run.trigger()).isEqualTo(Trigger.schedule("0 0 4 1 * ?"));
        assertThat(failed)
                .isEqualTo("FAILED: no verified backup of no-drill to drill: take one with ./lifeboat backup no-drill");
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("lifeboat-drill-routes-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LifeboatConfig config() {
        try {
            Files.createDirectories(DIR.resolve("files"));
            Files.writeString(DIR.resolve("files/a.txt"), "a");
            Files.writeString(DIR.resolve("lifeboat.yaml"), """
                    dataDir: data
                    storage: {primary: {type: filesystem, path: store}}
                    targets:
                      files:
                        kind: directory
                        path: files
                        schedule: "0 0 2 * * ?"
                        rpo: 26h
                        drill: {schedule: "0 0 4 1 * ?", rto: 15m, validate: [{files: "*.txt", min: 1}]}
                      on-demand: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h, drill: {rto: 15m}}
                      no-drill: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h}
                    """);
            return ConfigLoader.load(DIR.resolve("lifeboat.yaml"), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
