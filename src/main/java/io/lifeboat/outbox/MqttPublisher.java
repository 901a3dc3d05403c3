package io.lifeboat.outbox;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.MqttTls;
import io.lifeboat.mqtt.MqttSockets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox's MQTT 5 connection: a Paho {@link MqttAsyncClient} publishing at QoS 1 with a completion
 * listener per message, so many messages are in flight at once and each counts as delivered only when
 * its PUBACK arrives. It connects (and reconnects, with back-off) on its own thread; the daemon's
 * connection carries the last will {@code offline} (retained) on {@code <prefix>/status}.
 *
 * <p>Why not the Camel paho-mqtt5 producer: it publishes one message at a time and waits for each
 * (one round trip per message), and it cannot tell the caller which message the broker acknowledged, so
 * the outbox could not delete a backlog entry only after its PUBACK nor keep a window of messages in
 * flight.
 */
public final class MqttPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttPublisher.class);
    public static final String MSG_ID = "lifeboat-msg-id";

    /** What the outbox hears about the connection. */
    public interface Listener {
        void connected(boolean reconnect);

        void lost(String why);
    }

    /**
     * Where and who; {@code will} true for the daemon (its end is Lifeboat going offline); {@code caFile}
     * the CA an {@code ssl://} broker's certificate must chain to (null: the JVM's trust store).
     */
    public record Settings(
            String url, String clientId, String username, String password, String prefix, boolean will, Path caFile) {
        public Settings {
            requireNonNull(url, "url");
            requireNonNull(clientId, "clientId");
            requireNonNull(prefix, "prefix");
        }

        public Settings(String url, String clientId, String username, String password, String prefix, boolean will) {
            this(url, clientId, username, password, prefix, will, null);
        }
    }

    private final Settings settings;
    private final MqttAsyncClient client;
    private final SocketFactory tls;
    private final Object monitor = new Object();
    private volatile boolean connected;
    private volatile boolean attempted;
    private volatile boolean closed;
    private volatile int receiveMaximum = 65535;
    private Listener listener;
    private Thread connector;

    public MqttPublisher(Settings settings) throws MqttException {
        this.settings = settings;
        this.tls = settings.caFile() == null ? null : MqttTls.socketFactory(settings.caFile());
        this.client = new MqttAsyncClient(settings.url(), settings.clientId(), new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                markLost(response.getReasonString() != null ? response.getReasonString() : String.valueOf(response));
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                LOG.debug("outbox mqtt error: {}", exception.toString());
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {}

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {}

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
    }

    public String prefix() {
        return settings.prefix();
    }

    /** Starts connecting in the background; reconnects whenever the connection is lost until closed. */
    public void start(Listener listener) {
        this.listener = requireNonNull(listener, "listener");
        connector = new Thread(this::connectLoop, "lifeboat-outbox-connect");
        connector.setDaemon(true);
        connector.start();
    }

    public boolean connected() {
        return connected && client.isConnected();
    }

    /** True once the first connection attempt ended, either way. */
    public boolean attempted() {
        return attempted;
    }

    /** The broker's receive maximum: how many QoS 1 messages it lets this client have unacknowledged. */
    public int receiveMaximum() {
        return receiveMaximum;
    }

    /** Publishes at QoS 1 with the message's id as the user property {@code lifeboat-msg-id}. */
    public void publish(OutboxMessage m, MqttActionListener done) throws MqttException {
        MqttMessage message = new MqttMessage(m.payload(), 1, m.retained(), properties(m.id()));
        client.publish(topic(settings.prefix(), m.topic()), message, null, done);
    }

    /**
     * Where a message goes: topics are relative to the prefix, except those that begin with {@code /},
     * which are absolute (Home Assistant's discovery topics live under its own prefix).
     */
    static String topic(String prefix, String topic) {
        return topic.startsWith("/") ? topic.substring(1) : prefix + "/" + topic;
    }

    static MqttProperties properties(String id) {
        MqttProperties p = new MqttProperties();
        p.setUserProperties(List.of(new UserProperty(MSG_ID, id)));
        return p;
    }

    private void markLost(String why) {
        boolean was = connected;
        connected = false;
        if (was) {
            LOG.warn("outbox: MQTT connection to {} lost ({}); buffering", settings.url(), why);
            listener.lost(why);
        }
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    private void connectLoop() {
        long backoff = 250;
        boolean everConnected = false;
        boolean warned = false;
        while (!closed) {
            if (connected && client.isConnected()) {
                synchronized (monitor) {
                    try {
                        monitor.wait(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (connected && !client.isConnected()) {
                    markLost("connection closed");
                }
                continue;
            }
            try {
                IMqttToken token = client.connect(options());
                token.waitForCompletion(10_000);
                MqttProperties props = token.getResponseProperties();
                if (props != null && props.getReceiveMaximum() != null) {
                    receiveMaximum = props.getReceiveMaximum();
                }
                connected = true;
                attempted = true;
                backoff = 250;
                warned = false;
                LOG.info(
                        "outbox: connected to {} (broker lets {} messages be in flight)",
                        settings.url(),
                        receiveMaximum);
                listener.connected(everConnected);
                everConnected = true;
            } catch (MqttException e) {
                attempted = true;
                LOG.debug("outbox: connect failed: {}", e.toString());
                if (!warned) {
                    LOG.warn(
                            "outbox: MQTT broker {} unreachable ({}); buffering, retrying",
                            settings.url(),
                            e.getMessage());
                    warned = true;
                }
                if (closed) {
                    return;
                }
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(backoff * 2, 2000);
            }
        }
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true); // the outbox, not the client library, keeps what was not acknowledged
        o.setAutomaticReconnect(false); // connectLoop reconnects, also when the first attempt fails
        o.setConnectionTimeout(5);
        o.setKeepAliveInterval(10); // notice a dead broker within seconds
        if (tls != null) {
            o.setSocketFactory(tls);
        } else if (settings.url().startsWith("tcp://")) {
            o.setSocketFactory(MqttSockets.INSTANCE); // publications out at once, PUBACKs read in bulk
        }
        if (settings.username() != null) {
            o.setUserName(settings.username());
        }
        if (settings.password() != null) {
            o.setPassword(settings.password().getBytes(StandardCharsets.UTF_8));
        }
        if (settings.will()) {
            MqttMessage will = new MqttMessage("offline".getBytes(StandardCharsets.UTF_8), 1, true, null);
            o.setWill(settings.prefix() + "/status", will);
        }
        return o;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (monitor) {
            monitor.notifyAll();
        }
        try {
            if (client.isConnected()) {
                client.disconnect(2000).waitForCompletion(3000);
            }
        } catch (MqttException | RuntimeException e) {
            LOG.debug("outbox: disconnect: {}", e.toString());
        }
        try {
            client.close(true);
        } catch (MqttException | RuntimeException e) {
            LOG.debug("outbox: close: {}", e.toString());
        }
        if (connector != null) {
            connector.interrupt();
        }
    }
}
