package io.lifeboat.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.config.LifeboatConfig.RedisConfig.FullPolicy;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox's meters under the names PRODUCT.md promises, as Prometheus scrapes them. */
class OutboxMetricsTest {

    @TempDir
    Path dir;

    @Test
    void depthAndReplayedAreExportedUnderTheirPrometheusNames() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // not started: nothing connects, the meters exist from registration on
        Outbox outbox = new Outbox(
                        new Outbox.Settings(
                                dir,
                                "lifeboat:outbox",
                                100,
                                FullPolicy.SPILL,
                                10,
                                10,
                                Duration.ofSeconds(1),
                                true,
                                true),
                        new MqttPublisher(
                                new MqttPublisher.Settings("tcp://127.0.0.1:1", "t", null, null, "lifeboat", true)),
                        null)
                .bindTo(registry);
        String scrape = registry.scrape();
        assertThat(scrape).contains("lifeboat_outbox_depth 0.0").contains("lifeboat_outbox_replayed_total 0.0");
        assertThat(outbox.depth()).isZero();
    }
}
