package io.lifeboat.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** Subscribes to a real broker and records what arrives, with the MQTT 5 user properties, for assertions. */
public final class MqttRecorder implements AutoCloseable {

    /** One received message. */
    public record Received(String topic, String payload, boolean retained, String msgId) {}

    private final MqttClient client;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public MqttRecorder(String brokerUrl, String topicFilter) throws MqttException {
        this(brokerUrl, topicFilter, new MqttConnectionOptions());
    }

    /** With the caller's connection options (user name and password for a secured broker). */
    public MqttRecorder(String brokerUrl, String topicFilter, MqttConnectionOptions o) throws MqttException {
        client = new MqttClient(brokerUrl, "test-" + UUID.randomUUID(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {}

            @Override
            public void mqttErrorOccurred(MqttException e) {}

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                MqttProperties p = m.getProperties();
                String id = p == null || p.getUserProperties() == null
                        ? null
                        : p.getUserProperties().stream()
                                .filter(u -> u.getKey().equals("lifeboat-msg-id"))
                                .map(u -> u.getValue())
                                .findFirst()
                                .orElse(null);
                received.add(
                        new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.isRetained(), id));
            }

            @Override
            public void deliveryComplete(IMqttToken t) {}

            @Override
            public void connectComplete(boolean reconnect, String uri) {}

            @Override
            public void authPacketArrived(int reason, MqttProperties p) {}
        });
        o.setCleanStart(true);
        client.connect(o);
        client.subscribe(topicFilter, 1);
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Waits up to {@code timeout} for a message matching {@code match}. */
    public Optional<Received> await(Predicate<Received> match, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            Optional<Received> r = received.stream().filter(match).findFirst();
            if (r.isPresent()) {
                return r;
            }
            Thread.sleep(50);
        }
        return received.stream().filter(match).findFirst();
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
