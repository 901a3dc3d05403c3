package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.testsupport.MqttRecorder;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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

    /**
     * A broker that is down when Lifeboat starts does not stop it: the consumers connect and subscribe
     * once the broker is there (a Mosquitto of this test's own, on a free port).
     */
    @Test
    void aBrokerDownAtBootIsConnectedLater() throws Exception {
        int port = InboundFixture.freePort();
        String url = "tcp://127.0.0.1:" + port;
        Path conf = work.resolve("mosquitto.conf");
        Files.writeString(conf, "listener " + port + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
        try (InboundFixture f = new InboundFixture(work, "late-broker", "", "", url)) {
            f.daemon = f.cli.start("run");
            long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < end && !f.daemon.output().contains("retrying in the background")) {
                assertThat(f.daemon.process().isAlive()).as(f.daemon.output()).isTrue();
                Thread.sleep(200);
            }
            assertThat(f.daemon.output()).contains("retrying in the background");
            Process mosquitto = new ProcessBuilder("mosquitto", "-c", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(work.resolve("mosquitto.log").toFile())
                    .start();
            try {
                waitForPort(port);
                try (MqttRecorder mqtt = f.recorder()) {
                    f.awaitHealthConsumer(mqtt);
                    f.publish("cmd/backup", "{\"target\":\"files\",\"reason\":\"late broker\"}");
                    assertThat(mqtt.await(
                                    m -> m.topic().equals(f.prefix + "/events")
                                            && m.payload().contains("backup.started")
                                            && m.payload().contains("late broker"),
                                    Duration.ofSeconds(60)))
                            .as(f.daemon.output())
                            .isPresent();
                }
            } finally {
                f.stop();
                mosquitto.destroy();
                mosquitto.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void waitForPort(int port) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("mosquitto did not listen on " + port);
    }
}
