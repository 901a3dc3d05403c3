package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.testsupport.MqttRecorder;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inbound consumers keep a persistent session on the broker: a health event and a backup command
 * published (QoS 1) while Lifeboat is stopped are processed once it runs again.
 */
class PersistentSessionIT {

    @TempDir
    Path work;

    @Test
    void messagesPublishedWhileTheDaemonIsDownAreProcessedAfterItStarts() throws Exception {
        try (InboundFixture f = new InboundFixture(work, "session", "")) {
            try (MqttRecorder mqtt = f.recorder()) {
                f.start(mqtt); // the sessions and their subscriptions now exist on the broker
            }
            f.stop();

            f.publish("health/offline-svc", "{\"status\":\"down\",\"detail\":\"while Lifeboat was away\"}");
            f.publish("cmd/backup", "{\"target\":\"files\",\"reason\":\"queued while down\",\"requestId\":\"away-1\"}");

            try (MqttRecorder mqtt = f.recorder()) {
                f.daemon = f.cli.start("run");
                var changed = mqtt.await(
                        m -> m.topic().equals(f.prefix + "/events")
                                && m.payload().contains("health.changed")
                                && m.payload().contains("\"offline-svc\""),
                        Duration.ofSeconds(90));
                assertThat(changed).as(f.daemon.output()).isPresent();
                assertThat(changed.get().payload()).contains("\"status\":\"down\"");
                var started = mqtt.await(
                        m -> m.topic().equals(f.prefix + "/events")
                                && m.payload().contains("backup.started")
                                && m.payload().contains("queued while down"),
                        Duration.ofSeconds(90));
                assertThat(started).as(f.daemon.output()).isPresent();
                assertThat(mqtt.await(
                                m -> m.topic().equals(f.prefix + "/events")
                                        && m.payload().contains("verify.verified")
                                        && m.payload().contains("\"files\""),
                                Duration.ofSeconds(90)))
                        .as(f.daemon.output())
                        .isPresent();
            }
        }
    }
}
