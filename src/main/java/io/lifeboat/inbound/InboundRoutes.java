package io.lifeboat.inbound;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.MqttTls;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.net.SocketFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Constants;
import org.apache.camel.support.service.ServiceSupport;
import org.eclipse.paho.mqttv5.common.util.MqttTopicValidator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound wiring. The protocol-independent endpoints ({@code direct:health-in}, {@code
 * direct:command-backup}, {@code direct:command-safe-mode}, {@code direct:alert-in}) take the raw payload
 * (byte[]) and the headers {@code lifeboatSource}, {@code lifeboatService}, {@code lifeboatActor}; they
 * never throw for bad input: a refused input was dead-lettered and counted, and the exchange carries
 * {@code lifeboatRejected} and {@code lifeboatRejectedDetail}; an accepted one has a Map summary as body.
 * The MQTT consumers (QoS 1, persistent session, acknowledged after the route completed) feed them.
 * The work is in the {@code inbound} bean ({@link Inbound}).
 */
public final class InboundRoutes extends RouteConfigurationBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(InboundRoutes.class);

    public static final String HEALTH_IN = "direct:health-in";
    public static final String ALERT_IN = "direct:alert-in";
    public static final String SILENCE_IN = "direct:command-silence";
    public static final String COMMAND_BACKUP = "direct:command-backup";
    public static final String COMMAND_SAFE_MODE = "direct:command-safe-mode";
    public static final String INTEGRITY_QUEUE = "seda:integrity-failed?size=100&blockWhenFull=true";

    public static final String SOURCE = "lifeboatSource";
    public static final String SERVICE = "lifeboatService";
    public static final String ACTOR = "lifeboatActor";
    public static final String REJECTED = "lifeboatRejected";
    public static final String REJECTED_DETAIL = "lifeboatRejectedDetail";
    static final String ERRORS = "inbound-errors";
    private static final String PAYLOAD = "lifeboatPayload";
    private static final String INTEGRITY = "lifeboatIntegrityEvent";

    /** A week: messages for Lifeboat wait that long on the broker while it is down. */
    static final long DEFAULT_SESSION_EXPIRY = 7L * 24 * 3600;

    private final LifeboatConfig config;
    private final boolean mqtt;
    private final List<SessionClient> clients = new ArrayList<>();

    /**
     * @param mqtt true to subscribe (the daemon); the direct endpoints exist either way
     */
    public InboundRoutes(LifeboatConfig config, boolean mqtt) {
        this.config = config;
        this.mqtt = mqtt;
    }

    /**
     * The properties the MQTT consumers use: {@code lifeboat.mqtt.sessionClientId} (the stable client id
     * the broker keeps the sessions under) and {@code lifeboat.mqtt.sessionExpiry} (seconds).
     */
    public static Properties properties(LifeboatConfig config) {
        Properties p = new Properties();
        p.setProperty("lifeboat.mqtt.sessionClientId", sessionClientId(config));
        p.setProperty("lifeboat.mqtt.sessionExpiry", String.valueOf(DEFAULT_SESSION_EXPIRY));
        return p;
    }

    /** {@code mqtt.clientId}, else {@code lifeboat-<host name>}: stable across restarts of this instance. */
    static String sessionClientId(LifeboatConfig config) {
        if (config.mqtt() != null && config.mqtt().clientId() != null) {
            return config.mqtt().clientId();
        }
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | RuntimeException e) {
                host = "local";
            }
        }
        return "lifeboat-" + host.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    @Override
    public void configuration() {
        // error handling for every inbound route, once: a failure inside Lifeboat while handling an input
        // is dead-lettered as internal_error and the route goes on (the MQTT message is acknowledged)
        routeConfiguration(ERRORS).onException(Exception.class).handled(true).process(this::internalError);
    }

    @Override
    public void configure() throws Exception {
        from(HEALTH_IN)
                .routeId("health-in")
                .routeConfigurationId(ERRORS)
                .noStreamCaching() // bodies are byte arrays: nothing to cache, and it costs per event
                .setProperty(PAYLOAD, body())
                .process(e -> apply(
                        e, inbound(e).health(bytes(e), source(e), e.getIn().getHeader(SERVICE, String.class))))
                .filter(e -> e.getProperty(INTEGRITY) != null)
                .wireTap(INTEGRITY_QUEUE)
                .end();

        from(INTEGRITY_QUEUE)
                .routeId("integrity-restore")
                .routeConfigurationId(ERRORS)
                .setBody(exchangeProperty(INTEGRITY))
                .bean("integrityResponder", "onHealthEvent")
                .log("integrity_failed handled: ${body}");

        from(COMMAND_BACKUP)
                .routeId("command-backup")
                .routeConfigurationId(ERRORS)
                .setProperty(PAYLOAD, body())
                .process(e -> apply(e, inbound(e).backup(bytes(e), source(e))));

        from(COMMAND_SAFE_MODE)
                .routeId("command-safe-mode")
                .routeConfigurationId(ERRORS)
                .process(e -> apply(
                        e, inbound(e).safeMode(bytes(e), source(e), e.getIn().getHeader(ACTOR, String.class))));

        from(ALERT_IN)
                .routeId("alert-in")
                .routeConfigurationId(ERRORS)
                .setProperty(PAYLOAD, body())
                .process(e -> apply(e, inbound(e).alert(bytes(e), source(e))));

        from(SILENCE_IN)
                .routeId("command-silence")
                .routeConfigurationId(ERRORS)
                .setProperty(PAYLOAD, body())
                .process(e -> apply(
                        e, inbound(e).silence(bytes(e), source(e), e.getIn().getHeader(ACTOR, String.class))));

        from("timer:health-settle?period={{lifeboat.health.settleCheckMillis:10000}}")
                .routeId("health-settle")
                .routeConfigurationId(ERRORS)
                .process(e -> inbound(e).tick());

        from("timer:safe-mode-announce?repeatCount=1")
                .routeId("safe-mode-announce")
                .bean("safeMode", "publishState");

        if (!mqtt) {
            return;
        }
        String prefix = getContext().resolvePropertyPlaceholders("{{lifeboat.mqtt.prefix}}");
        consumer("mqtt-health-in", "health", prefix + "/health/+", HEALTH_IN, true);
        consumer("mqtt-cmd-backup", "cmd-backup", prefix + "/cmd/backup", COMMAND_BACKUP, false);
        consumer("mqtt-cmd-safe-mode", "cmd-safe-mode", prefix + "/cmd/safe-mode", COMMAND_SAFE_MODE, false);
        consumer("mqtt-alerts-in", "alerts-in", prefix + "/alerts/in", ALERT_IN, false);
        consumer("mqtt-cmd-silence", "cmd-silence", prefix + "/cmd/silence", SILENCE_IN, false);
        List<LifeboatConfig.Subscription> subs =
                config.mqtt() == null ? List.of() : config.mqtt().subscriptions();
        for (int i = 0; i < subs.size(); i++) {
            int index = i;
            String filter = subs.get(i).topic();
            from(mqttUri(filter, "sub-" + i))
                    .routeId("mqtt-subscription-" + i)
                    .routeConfigurationId(ERRORS)
                    .filter(e -> ownTopic(e, filter))
                    .setProperty(PAYLOAD, body())
                    .setHeader(SOURCE, simple("mqtt:${header." + PahoMqtt5Constants.MQTT_TOPIC + "}"))
                    .process(e -> apply(e, inbound(e).subscription(index, bytes(e), source(e))))
                    .filter(e -> e.getProperty(INTEGRITY) != null)
                    .wireTap(INTEGRITY_QUEUE)
                    .end();
        }
        getContext().addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                clients.forEach(SessionClient::shutdown); // after the routes: the sessions stay on the broker
            }
        });
    }

    private void consumer(String routeId, String suffix, String filter, String direct, boolean service)
            throws Exception {
        from(mqttUri(filter, suffix))
                .routeId(routeId)
                .routeConfigurationId(ERRORS)
                .noStreamCaching() // MQTT payloads are byte arrays
                .filter(e -> ownTopic(e, filter))
                .process(e -> {
                    String topic = e.getIn().getHeader(PahoMqtt5Constants.MQTT_TOPIC, String.class);
                    e.getIn().setHeader(SOURCE, "mqtt:" + topic);
                    if (service) {
                        e.getIn().setHeader(SERVICE, topic.substring(topic.lastIndexOf('/') + 1));
                    } else {
                        e.getIn().removeHeader(SERVICE);
                    }
                    e.getIn().removeHeader(ACTOR); // who asks over MQTT is "mqtt" (and the body's "by")
                })
                .to(direct);
    }

    /**
     * The consumer endpoint of one topic filter, with its own persistent-session client (bound as a
     * bean and handed over with {@code client}); the other options say the same for a consumer that
     * makes its own client (after a manual route restart).
     */
    private String mqttUri(String filter, String suffix) throws Exception {
        String clientId = getContext().resolvePropertyPlaceholders("{{lifeboat.mqtt.sessionClientId}}") + "-" + suffix;
        long expiry = Long.parseLong(getContext().resolvePropertyPlaceholders("{{lifeboat.mqtt.sessionExpiry}}"));
        String url = getContext().resolvePropertyPlaceholders("{{lifeboat.mqtt.url}}");
        String user = getContext().resolvePropertyPlaceholders("{{?lifeboat.mqtt.username}}");
        String password = getContext().resolvePropertyPlaceholders("{{?lifeboat.mqtt.password}}");
        String tls = tlsOption(getContext(), config);
        SessionClient client = new SessionClient(
                url,
                clientId,
                SessionClient.options(
                        url,
                        user,
                        password,
                        expiry,
                        tls.isEmpty()
                                ? null
                                : getContext().getRegistry().lookupByNameAndType(TLS_BEAN, SocketFactory.class)));
        clients.add(client);
        String bean = "inboundMqttClient-" + suffix;
        getContext().getRegistry().bind(bean, client);
        return "paho-mqtt5:" + filter.replace("#", "%23").replace("+", "%2B")
                + "?client=#bean:" + bean
                + "&brokerUrl={{lifeboat.mqtt.url}}"
                + "&clientId={{lifeboat.mqtt.sessionClientId}}-" + suffix
                + "&userName={{?lifeboat.mqtt.username}}&password={{?lifeboat.mqtt.password}}"
                + "&qos=1&manualAcksEnabled=true&cleanStart=false"
                + "&sessionExpiryInterval={{lifeboat.mqtt.sessionExpiry}}"
                + "&connectionTimeout=5&automaticReconnect=true" + tls;
    }

    /** The registry name of the socket factory that trusts {@code mqtt.caFile}. */
    public static final String TLS_BEAN = "lifeboatMqttTls";

    /**
     * With {@code mqtt.caFile}: binds (once) the socket factory that trusts it and returns the
     * paho-mqtt5 endpoint option that uses it; without it, an empty string (Paho's default: the JVM's
     * trust store for ssl://).
     */
    public static String tlsOption(CamelContext context, LifeboatConfig config) {
        if (config.mqtt() == null || config.mqtt().caFile() == null) {
            return "";
        }
        if (context.getRegistry().lookupByName(TLS_BEAN) == null) {
            context.getRegistry()
                    .bind(
                            TLS_BEAN,
                            SocketFactory.class,
                            MqttTls.socketFactory(config.mqtt().caFile()));
        }
        return "&socketFactory=#bean:" + TLS_BEAN;
    }

    /**
     * A persistent session keeps its subscriptions: one made under an old prefix or topic still
     * delivers to this client. Only the configured filter's messages are read; others are acknowledged
     * and dropped.
     */
    private static boolean ownTopic(Exchange e, String filter) {
        String topic = e.getIn().getHeader(PahoMqtt5Constants.MQTT_TOPIC, String.class);
        boolean own = topic != null && MqttTopicValidator.isMatched(filter, topic);
        if (!own) {
            LOG.info(
                    "ignoring a message on {}: this consumer reads {} (an old subscription of the session)",
                    topic,
                    filter);
        }
        return own;
    }

    /** The bean "inbound", looked up once: a registry lookup per event shows on the hot path. */
    private volatile Inbound inbound;

    private Inbound inbound(Exchange e) {
        Inbound found = inbound;
        if (found == null) {
            found = e.getContext().getRegistry().lookupByNameAndType("inbound", Inbound.class);
            inbound = found;
        }
        return found;
    }

    private static byte[] bytes(Exchange e) {
        Object body = e.getIn().getBody();
        if (body == null) {
            return new byte[0];
        }
        return body instanceof byte[] b ? b : e.getIn().getBody(byte[].class);
    }

    private static String source(Exchange e) {
        String s = e.getIn().getHeader(SOURCE, String.class);
        return s == null || s.isBlank() ? "unknown" : s;
    }

    private static void apply(Exchange e, Inbound.Result r) {
        var in = e.getIn();
        in.setBody(r.body());
        if (r.ok()) {
            in.removeHeader(REJECTED);
            in.removeHeader(REJECTED_DETAIL);
        } else {
            in.setHeader(REJECTED, r.rejected());
            in.setHeader(REJECTED_DETAIL, r.detail());
        }
        e.removeProperty(INTEGRITY);
        if (r.integrity() != null) {
            e.setProperty(INTEGRITY, r.integrity());
        }
    }

    private void internalError(Exchange e) {
        Throwable error = e.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Object p = e.getProperty(PAYLOAD);
        byte[] payload = p instanceof byte[] b ? b : new byte[0];
        Inbound inbound = inbound(e);
        if (inbound == null) {
            LOG.error("input from {} could not be handled", source(e), error);
            return;
        }
        apply(
                e,
                inbound.internalError(
                        payload, source(e), error == null ? new IllegalStateException("unknown") : error));
    }
}
