package io.lifeboat.inbound;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.HealthEvent;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.safemode.SafeModeService;
import io.lifeboat.testsupport.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Endpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The direct endpoints of the contract, through Camel: headers out, never an exception for bad input. */
class InboundRoutesTest {

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T04:00:00Z"));
    final List<String> published = new CopyOnWriteArrayList<>();
    final EventSink sink = (topic, payload, retained) -> published.add(topic + " " + new String(payload, UTF_8));
    final List<HealthEvent> integrity = new CopyOnWriteArrayList<>();
    Catalog catalog;
    CamelContext camel;
    ProducerTemplate producer;
    volatile RuntimeException queueFailure;

    /** Stands in for the integrity responder bean; records what reached it. */
    public final class Responder {
        public String onHealthEvent(HealthEvent e) {
            integrity.add(e);
            return "recorded";
        }
    }

    @BeforeEach
    void start() throws Exception {
        Path yaml = dir.resolve("lifeboat.yaml");
        Files.writeString(yaml, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 3 * * ?", rpo: 26h}
                """);
        LifeboatConfig config = ConfigLoader.load(yaml, Map.of());
        catalog = Catalog.open(config.catalog(), config.dataDir());
        SafeModeService safeMode = new SafeModeService(catalog, new Events(sink), sink, null, clock);
        Inbound inbound = new Inbound(
                config,
                safeMode,
                () -> job -> {
                    if (queueFailure != null) {
                        throw queueFailure;
                    }
                },
                new Rejections(new SimpleMeterRegistry(), sink, clock),
                sink,
                clock);
        camel = new DefaultCamelContext();
        Properties p = new Properties();
        p.setProperty("lifeboat.mqtt.prefix", "t");
        camel.getPropertiesComponent().setInitialProperties(p);
        camel.getRegistry().bind("inbound", inbound);
        camel.getRegistry().bind("safeMode", safeMode);
        camel.getRegistry().bind("integrityResponder", new Responder());
        camel.addRoutes(new InboundRoutes(config, false));
        camel.start();
        producer = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
        catalog.close();
    }

    Exchange send(String endpoint, byte[] body, Map<String, Object> headers) {
        return producer.request(endpoint, e -> {
            e.getIn().setBody(body);
            e.getIn().setHeaders(new java.util.HashMap<>(headers));
        });
    }

    @Test
    void acceptedInputAnswersWithASummaryAndNoRejectedHeader() throws Exception {
        Exchange e = send(
                InboundRoutes.HEALTH_IN,
                "{\"service\":\"nas\",\"status\":\"integrity_failed\"}".getBytes(UTF_8),
                Map.of(InboundRoutes.SOURCE, "http"));
        assertThat(e.getException()).isNull();
        assertThat(e.getMessage().getHeader(InboundRoutes.REJECTED)).isNull();
        assertThat(e.getMessage().getBody(Map.class)).containsEntry("accepted", true);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (integrity.isEmpty() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(integrity)
                .singleElement()
                .satisfies(h -> assertThat(h.service()).isEqualTo("nas"));
        assertThat(published).anyMatch(m -> m.startsWith("events ") && m.contains("health.changed"));
    }

    @Test
    void rejectedInputSetsTheHeadersAndNeverThrows() {
        Exchange bad = send(
                InboundRoutes.COMMAND_BACKUP,
                "{\"target\":\"nope\"}".getBytes(UTF_8),
                Map.of(InboundRoutes.SOURCE, "http"));
        assertThat(bad.getException()).isNull();
        assertThat(bad.getMessage().getHeader(InboundRoutes.REJECTED)).isEqualTo("unknown_target");
        assertThat(bad.getMessage().getHeader(InboundRoutes.REJECTED_DETAIL, String.class))
                .contains("nope");
        Exchange text = producer.request(InboundRoutes.ALERT_IN, x -> x.getIn().setBody("not json"));
        assertThat(text.getException()).isNull();
        assertThat(text.getMessage().getHeader(InboundRoutes.REJECTED)).isEqualTo("not_json");
        Exchange empty =
                producer.request(InboundRoutes.HEALTH_IN, x -> x.getIn().setBody(null));
        assertThat(empty.getMessage().getHeader(InboundRoutes.REJECTED)).isEqualTo("empty");
        Exchange resume = send(
                InboundRoutes.COMMAND_SAFE_MODE,
                "{\"action\":\"resume\",\"token\":\"anything-at-all\"}".getBytes(UTF_8),
                Map.of(InboundRoutes.SOURCE, "http", InboundRoutes.ACTOR, "http:127.0.0.1"));
        assertThat(resume.getMessage().getHeader(InboundRoutes.REJECTED)).isEqualTo("unauthorized");
        assertThat(published.stream().filter(m -> m.startsWith("dlq ")).count()).isEqualTo(4);
        assertThat(published).noneMatch(m -> m.contains("anything-at-all"));
    }

    @Test
    void aJobTheQueueCannotTakeIsDeadLetteredAsQueueUnavailableNotThrown() {
        queueFailure = new IllegalStateException("queue unavailable");
        Exchange e = send(
                InboundRoutes.COMMAND_BACKUP,
                "{\"target\":\"files\"}".getBytes(UTF_8),
                Map.of(InboundRoutes.SOURCE, "http"));
        assertThat(e.getException()).isNull();
        assertThat(e.getMessage().getHeader(InboundRoutes.REJECTED)).isEqualTo("queue_unavailable");
        assertThat(published).anyMatch(m -> m.startsWith("dlq ") && m.contains("queue unavailable"));
    }

    @Test
    void aConfiguredTopicWithWildcardsReachesTheConsumerUnchanged() {
        PahoMqtt5Endpoint ep = camel.getEndpoint(
                "paho-mqtt5:" + "home/+/availability/#".replace("#", "%23").replace("+", "%2B")
                        + "?brokerUrl=tcp://127.0.0.1:1&qos=1",
                PahoMqtt5Endpoint.class);
        assertThat(ep.getTopic()).isEqualTo("home/+/availability/#");
    }
}
