package io.lifeboat.camel;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.events.EventRoutes;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.jobs.JobQueue;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.store.FilesystemStore;
import io.lifeboat.store.StoredBackups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The YAML routes and the per-target schedule routes, run through camel-main on local parts (a folder
 * store, the embedded catalog): stable route ids, a backup through {@code direct:backup-execute}, the
 * catch-up at start, and what goes out to MQTT (here a mock endpoint in place of the broker).
 */
@CamelMainTest(properties = {"camel.main.routes-include-pattern=file:routes/backup.yaml", "lifeboat.catchUpDelay=200"})
class BackupRoutesTest {

    static final Path DIR = tempDir();
    static final LifeboatConfig CONFIG = config();
    static final FilesystemStore STORE = new FilesystemStore(CONFIG.primary().path());
    static final Catalog CATALOG = Catalog.open(CONFIG.catalog(), CONFIG.dataDir());

    @BeanInject
    CamelContext context;

    @EndpointInject("mock:mqtt")
    MockEndpoint mqtt;

    @BindToRegistry("backupJobs")
    BackupJobs jobs() {
        return new BackupJobs(CONFIG, service(), CATALOG, Clock.systemUTC());
    }

    /** The daemon's queue is Artemis (jobs/ tests); here a job runs at once through the same route. */
    @BindToRegistry("jobQueue")
    JobQueue jobQueue() {
        return job -> context.createProducerTemplate()
                .asyncRequestBodyAndHeaders(
                        "direct:backup-execute",
                        null,
                        Map.of(
                                "target",
                                job.target(),
                                "trigger",
                                job.trigger().type(),
                                "reason",
                                job.trigger().detail()));
    }

    private BackupService service() {
        // events go into direct:event-publish as the daemon's sink sends them; the test routes that to mock:mqtt
        EventSink sink = (topic, payload, retained) -> context.createFluentProducerTemplate()
                .to(EventRoutes.PUBLISH)
                .withBody(payload)
                .withHeader(EventRoutes.TOPIC_HEADER, topic)
                .withHeader(EventRoutes.RETAINED_HEADER, retained)
                .send();
        return new BackupService(
                CONFIG, STORE, CATALOG, new Events(sink), Clock.systemUTC(), new BackupService.Compression(3, 1));
    }

    @Configure
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addRoutesBuilder(new ScheduleRoutes(CONFIG));
        configuration.addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from(EventRoutes.PUBLISH).routeId("event-publish").to("mock:mqtt");
            }
        });
    }

    @AfterAll
    static void closeCatalog() {
        CATALOG.close();
    }

    @Test
    void routesHaveStableIdsAndTheCatchUpBacksUpANeverBackedUpTargetOnce() throws Exception {
        assertThat(context.getRoutes())
                .extracting(r -> r.getRouteId())
                .contains("backup-execute", "backup-catch-up", "backup-schedule-files", "event-publish");

        // the catch-up route splits into one backup per missed target; wait for the files one to be verified
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end
                && new StoredBackups(STORE).scan("files").stream().noneMatch(f -> f.verified())) {
            Thread.sleep(100);
        }
        assertThat(new StoredBackups(STORE).scan("files")).singleElement().satisfies(f -> {
            assertThat(f.verified()).isTrue();
            assertThat(f.manifest().trigger().detail()).contains("catch-up");
        });

        ProducerTemplate template = context.createProducerTemplate();
        String answer = template.requestBodyAndHeaders(
                "direct:backup-execute",
                null,
                Map.of("target", "files", "trigger", "manual", "reason", "route test"),
                String.class);
        assertThat(answer).startsWith("verified ");
        assertThat(new StoredBackups(STORE).scan("files")).hasSize(2);

        String failed = template.requestBodyAndHeaders(
                "direct:backup-execute",
                null,
                Map.of("target", "failing", "trigger", "manual", "reason", "route test"),
                String.class);
        assertThat(failed).startsWith("failed: ").contains("exited with code 5");

        // online/offline on the status topic come from the outbox's connection (OutboxDaemonPartitionIT)
        assertThat(mqtt.getReceivedExchanges())
                .extracting(e -> e.getIn().getHeader(EventRoutes.TOPIC_HEADER, String.class))
                .contains("events", "alerts", "backup/files/state", "backup/failing/state");
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("lifeboat-routes-test");
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
                      files: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h}
                      failing: {kind: command, command: ["sh", "-c", "exit 5"], schedule: "0 0 2 1 1 ?", rpo: 26h}
                    """);
            return ConfigLoader.load(DIR.resolve("lifeboat.yaml"), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
