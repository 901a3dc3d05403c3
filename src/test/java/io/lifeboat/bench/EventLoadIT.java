package io.lifeboat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.Tools;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark tool itself, against a Mosquitto of its own: in direct mode every publication is
 * matched; in lifeboat mode every {@code health.changed} (here from a stand-in that publishes one per
 * change, without the sequence, as the contract's event has none) is matched back to its input.
 */
class EventLoadIT {

    @TempDir
    Path work;

    Process mosquitto;
    String broker;

    @BeforeEach
    void startBroker() throws Exception {
        Tools.require("mosquitto", "mosquitto");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path conf = work.resolve("mosquitto.conf");
        Files.writeString(
                conf,
                "listener " + port + " 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 1000\n"
                        + "max_queued_messages 100000\npersistence false\n");
        mosquitto = new ProcessBuilder("mosquitto", "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("mosquitto.log").toFile())
                .start();
        broker = "tcp://127.0.0.1:" + port;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                break;
            } catch (java.io.IOException notYet) {
                assertThat(System.nanoTime()).as("mosquitto did not start").isLessThan(end);
                Thread.sleep(50);
            }
        }
    }

    @AfterEach
    void stopBroker() throws Exception {
        if (mosquitto != null) {
            mosquitto.destroy();
            mosquitto.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void directModeMatchesEveryPublication() throws Exception {
        Map<String, Object> r = new EventLoad(Map.of(
                        "broker", broker,
                        "prefix", "load-direct",
                        "mode", "direct",
                        "rate", "500",
                        "seconds", "2",
                        "services", "50",
                        "warmup", "1"))
                .run();
        assertThat(r).containsEntry("sent", 1000).containsEntry("matched", 1000).containsEntry("missing", 0);
        assertThat(r.get("unmatched")).isEqualTo(0L);
        assertThat((Double) r.get("p99Ms")).isGreaterThanOrEqualTo(0);
    }

    @Test
    void lifeboatModeMatchesHealthChangedEventsWithoutASequence() throws Exception {
        try (StandIn standIn = new StandIn(broker, "load-lb")) {
            Map<String, Object> r = new EventLoad(Map.of(
                            "broker", broker,
                            "prefix", "load-lb",
                            "mode", "lifeboat",
                            "rate", "400",
                            "seconds", "2",
                            "services", "40",
                            "warmup", "1"))
                    .run();
            assertThat(r)
                    .containsEntry("sent", 800)
                    .containsEntry("matched", 800)
                    .containsEntry("missing", 0);
            assertThat(r.get("duplicates")).isEqualTo(0L);
        }
    }

    /** Publishes {"type":"health.changed",…} on {@code <prefix>/events} for each change of a service's status. */
    static final class StandIn implements AutoCloseable, MqttCallback {
        final MqttClient in;
        final MqttAsyncClient out;
        final String prefix;
        final Map<String, String> state = new ConcurrentHashMap<>();

        StandIn(String broker, String prefix) throws MqttException {
            this.prefix = prefix;
            out = new MqttAsyncClient(broker, "standin-out-" + System.nanoTime(), new MemoryPersistence());
            out.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
            in = new MqttClient(broker, "standin-in-" + System.nanoTime(), new MemoryPersistence());
            in.setCallback(this);
            in.connect(new MqttConnectionOptions());
            in.subscribe(prefix + "/health/+", 1);
        }

        @Override
        public void messageArrived(String topic, MqttMessage m) throws Exception {
            String service = topic.substring(topic.lastIndexOf('/') + 1);
            JsonNode e = Json.MAPPER.readTree(m.getPayload());
            String status = e.get("status").asText();
            String previous = state.put(service, status);
            if (!status.equals(previous)) {
                String event = Json.text(Map.of(
                        "type",
                        "health.changed",
                        "service",
                        service,
                        "status",
                        status,
                        "previous",
                        previous == null ? "unknown" : previous));
                out.publish(prefix + "/events", event.getBytes(StandardCharsets.UTF_8), 1, false);
            }
        }

        @Override
        public void close() throws MqttException {
            in.disconnect();
            in.close();
            out.disconnect().waitForCompletion(5000);
            out.close();
        }

        @Override
        public void disconnected(MqttDisconnectResponse r) {}

        @Override
        public void mqttErrorOccurred(MqttException e) {}

        @Override
        public void deliveryComplete(IMqttToken t) {}

        @Override
        public void connectComplete(boolean reconnect, String uri) {}

        @Override
        public void authPacketArrived(int reason, MqttProperties p) {}
    }
}
