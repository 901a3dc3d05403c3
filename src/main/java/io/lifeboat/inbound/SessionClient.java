package io.lifeboat.inbound;

import static java.util.Objects.requireNonNull;

import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * The MQTT client of one inbound consumer: a persistent session (clean start off, a long session
 * expiry) with manual acknowledgement, that connects only once its callback is set.
 *
 * <p>Why: camel-paho-mqtt5's consumer connects its own client first and sets the callback after. The
 * broker sends the messages it kept for the session right after CONNACK, and Paho drops a message
 * that arrives while no callback is set (unacknowledged, so the broker holds it until the next
 * reconnect). Handed this client (endpoint option {@code client}), the consumer sets its callback,
 * which connects, and then subscribes: every kept message reaches the route.
 */
final class SessionClient extends MqttClient {

    private final MqttConnectionOptions options;

    SessionClient(String brokerUrl, String clientId, MqttConnectionOptions options) throws MqttException {
        super(brokerUrl, clientId, new MemoryPersistence());
        this.options = requireNonNull(options, "options");
        setManualAcks(true); // the consumer acknowledges each message after its route completed
    }

    static MqttConnectionOptions options(String user, String password, long sessionExpirySeconds) {
        MqttConnectionOptions o = new MqttConnectionOptions();
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
        if (!isConnected()) {
            try {
                connect(options);
            } catch (MqttException e) {
                throw new IllegalStateException(
                        "MQTT " + getServerURI() + " (client " + getClientId() + "): " + e.getMessage(), e);
            }
        }
    }

    /** Disconnects without ending the session (the broker keeps it for the session expiry). */
    void shutdown() {
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
