package io.lifeboat.camel;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Trigger;
import io.lifeboat.events.EventRoutes;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.store.FilesystemStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Route {@code offsite-lag-check} through camel-main: a backup taken 27 hours ago (a clock set back)
 * whose off-site copy failed (the off-site folder is a file) makes the periodic check raise
 * {@code OffsiteCopyLagging} on the alerts topic, once.
 */
@CamelMainTest(
        properties = {
            "camel.main.routes-include-pattern=file:routes/offsite.yaml",
            "lifeboat.offsiteLagCheckDelay=100",
            "lifeboat.offsiteLagCheckPeriod=200"
        })
class OffsiteRoutesTest {

    static final Path DIR = tempDir();
    static final LifeboatConfig CONFIG = config();
    static final FilesystemStore STORE = new FilesystemStore(CONFIG.primary().path());
    static final FilesystemStore OFFSITE = new FilesystemStore(CONFIG.offsite().path());
    static final Catalog CATALOG = Catalog.open(CONFIG.catalog(), CONFIG.dataDir());

    @BeanInject
    CamelContext context;

    @EndpointInject("mock:mqtt")
    MockEndpoint mqtt;

    @BindToRegistry("offsiteJobs")
    OffsiteJobs jobs() throws Exception {
        BackupService yesterday = service(Clock.offset(Clock.systemUTC(), Duration.ofHours(-27)), EventSink.NONE);
        yesterday.backup("files", Trigger.manual("a day ago"), new Progress());
        EventSink sink = (topic, payload, retained) -> context.createFluentProducerTemplate()
                .to(EventRoutes.PUBLISH)
                .withBody(payload)
                .withHeader(EventRoutes.TOPIC_HEADER, topic)
                .withHeader(EventRoutes.RETAINED_HEADER, retained)
                .send();
        return new OffsiteJobs(service(Clock.systemUTC(), sink));
    }

    private static BackupService service(Clock clock, EventSink sink) {
        return new BackupService(CONFIG, STORE, CATALOG, new Events(sink), clock, new BackupService.Compression(3, 1))
                .withOffsite(OFFSITE);
    }

    @Configure
    protected void configure(MainConfigurationProperties configuration) {
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
    void thePeriodicCheckAlertsOnceWhenTheOffsiteCopyLagsPastTheRpo() throws Exception {
        assertThat(context.getRoutes()).extracting(r -> r.getRouteId()).contains("offsite-lag-check");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end && alerts() == 0) {
            Thread.sleep(100);
        }
        Thread.sleep(1000); // several more periods: the alert is not repeated while it keeps lagging
        assertThat(alerts()).isEqualTo(1);
        assertThat(mqtt.getReceivedExchanges())
                .filteredOn(e -> "alerts".equals(e.getIn().getHeader(EventRoutes.TOPIC_HEADER)))
                .singleElement()
                .satisfies(e -> assertThat(e.getIn().getBody(String.class))
                        .contains("\"fingerprint\":\"OffsiteCopyLagging:files\"")
                        .contains("\"status\":\"firing\"")
                        .contains("finished 1d3h ago (RPO 1d2h)")
                        .contains("copy --all-missing"));
    }

    private long alerts() {
        return mqtt.getReceivedExchanges().stream()
                .filter(e -> "alerts".equals(e.getIn().getHeader(EventRoutes.TOPIC_HEADER)))
                .count();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("lifeboat-offsite-routes-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LifeboatConfig config() {
        try {
            Files.createDirectories(DIR.resolve("files"));
            Files.writeString(DIR.resolve("files/a.txt"), "a");
            Files.writeString(DIR.resolve("usb"), "a file where the off-site folder should be");
            Files.writeString(DIR.resolve("lifeboat.yaml"), """
                    dataDir: data
                    storage:
                      primary: {type: filesystem, path: store}
                      offsite: {type: filesystem, path: usb/lifeboat}
                    targets:
                      files: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h}
                    """);
            return ConfigLoader.load(DIR.resolve("lifeboat.yaml"), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
