package io.lifeboat.outbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A consumer as the outbox expects one: QoS 1, a persistent session (clean start off, session expiry),
 * so the broker queues messages for it while it reconnects, and de-duplication by {@code lifeboat-msg-id}.
 */
public final class PersistentSubscriber implements AutoCloseable {

    /** One arrival. */
    public record Received(String topic, String payload, boolean retained, String msgId) {}

    private final String url;
    private final String clientId = "sub-" + UUID.randomUUID();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile MqttClient client;
    private volatile boolean closed;

    public PersistentSubscriber(String url, String filter) throws MqttException {
        this.url = url;
        client = connect();
        client.subscribe(filter, 1);
    }

    /**
     * A fresh client object on every (re)connect with the same client id and clean start off: the broker
     * resumes the session; no client-side state of the old connection can get in the way.
     */
    private MqttClient connect() throws MqttException {
        MqttClient c = new MqttClient(url, clientId, new MemoryPersistence());
        c.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
                Thread t = new Thread(PersistentSubscriber.this::reconnect, "sub-reconnect");
                t.setDaemon(true);
                t.start();
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {}

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                MqttProperties p = m.getProperties();
                String id = p == null || p.getUserProperties() == null
                        ? null
                        : p.getUserProperties().stream()
                                .filter(u -> u.getKey().equals(MqttPublisher.MSG_ID))
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
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        o.setAutomaticReconnect(false);
        c.connect(o);
        return c;
    }

    private void reconnect() {
        while (!closed) {
            try {
                Thread.sleep(200);
                MqttClient old = client;
                try {
                    old.close(true);
                } catch (MqttException | RuntimeException ignored) {
                    // gone already
                }
                client = connect();
                return;
            } catch (MqttException notYet) {
                // the broker is still down
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    public List<Received> all() {
        return List.copyOf(received);
    }

    /** First arrival of every message id, in arrival order (what a de-duplicating consumer keeps). */
    public List<Received> deduplicated() {
        Map<String, Received> first = new LinkedHashMap<>();
        for (Received r : received) {
            first.putIfAbsent(r.msgId() == null ? "no-id-" + first.size() : r.msgId(), r);
        }
        return new ArrayList<>(first.values());
    }

    @Override
    public void close() throws MqttException {
        closed = true;
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
