package io.lifeboat.inbound;

import static java.util.Objects.requireNonNull;

import io.lifeboat.mqtt.MqttSockets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT client of one inbound consumer: a persistent session (clean start off, a long session
 * expiry) with manual acknowledgement, that connects only once its callback is set.
 *
 * <p>Why: camel-paho-mqtt5's consumer connects its own client first and sets the callback after. The
 * broker sends the messages it kept for the session right after CONNACK, and Paho drops a message
 * that arrives while no callback is set (unacknowledged, so the broker holds it until the next
 * reconnect). Handed this client (endpoint option {@code client}), the consumer sets its callback,
 * which connects, and then subscribes: every kept message reaches the route.
 *
 * <p>A broker that is down at boot does not stop the daemon: the first connect is retried in the
 * background with back-off (1 s doubling to 30 s), the subscription made once it succeeds; after that
 * Paho's automatic reconnect takes over.
 */
final class SessionClient extends MqttClient {

    private static final Logger LOG = LoggerFactory.getLogger(SessionClient.class);
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final MqttConnectionOptions options;
    private final List<Object[]> pending = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile Thread retry;

    SessionClient(String brokerUrl, String clientId, MqttConnectionOptions options) throws MqttException {
        super(brokerUrl, clientId, new MemoryPersistence());
        this.options = requireNonNull(options, "options");
        setManualAcks(true); // the consumer acknowledges each message after its route completed
    }

    /** {@code tls}: the socket factory for an {@code ssl://} broker (mqtt.caFile), null for the JVM's default. */
    static MqttConnectionOptions options(
            String brokerUrl, String user, String password, long sessionExpirySeconds, SocketFactory tls) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        if (tls != null) {
            o.setSocketFactory(tls);
        } else if (brokerUrl.startsWith("tcp://")) {
            o.setSocketFactory(MqttSockets.INSTANCE); // PUBACKs go out at once, reads buffered (see MqttSockets)
        }
        o.setCleanStart(false); // keep the session: QoS 1 messages published while Lifeboat is down wait for it
        o.setSessionExpiryInterval(sessionExpirySeconds);
        o.setAutomaticReconnect(true);
        o.setConnectionTimeout(5);
        o.setKeepAliveInterval(30);
        if (user != null && !user.isBlank()) {
            o.setUserName(user);
        }
        if (password != null && !password.isEmpty()) {
            o.setPassword(password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return o;
    }

    @Override
    public void setCallback(MqttCallback callback) {
        super.setCallback(callback);
        if (!isConnected() && retry == null) {
            try {
                connect(options);
            } catch (MqttException e) {
                LOG.warn(
                        "MQTT {} unreachable for {} ({}); retrying in the background",
                        getServerURI(),
                        getClientId(),
                        e.getMessage());
                retry = new Thread(this::retryConnect, "lifeboat-mqtt-connect-" + getClientId());
                retry.setDaemon(true);
                retry.start();
            }
        }
    }

    /** Subscribes now, or, while the first connect is still being retried, as soon as it succeeds. */
    @Override
    public IMqttToken subscribe(String topicFilter, int qos) throws MqttException {
        synchronized (pending) {
            if (!isConnected()) {
                pending.add(new Object[] {topicFilter, qos});
                return null; // the consumer does not use the token
            }
        }
        return super.subscribe(topicFilter, qos);
    }

    private void retryConnect() {
        long backoff = 1_000;
        while (!closed) {
            try {
                Thread.sleep(backoff);
                connect(options);
                synchronized (pending) {
                    for (Object[] p : pending) {
                        super.subscribe((String) p[0], (Integer) p[1]);
                    }
                    pending.clear();
                }
                LOG.info("MQTT {} reached: {} subscribed", getServerURI(), getClientId());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (MqttException e) {
                LOG.debug("MQTT {} still unreachable: {}", getServerURI(), e.getMessage());
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    /** Disconnects without ending the session (the broker keeps it for the session expiry). */
    void shutdown() {
        closed = true;
        Thread r = retry;
        if (r != null) {
            r.interrupt();
        }
        try {
            if (isConnected()) {
                disconnect(5_000);
            }
        } catch (MqttException e) {
            // the broker ends the connection itself; the session stays
        }
        try {
            close();
        } catch (MqttException e) {
            // nothing more to release
        }
    }
}
