package io.lifeboat.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole of {@code lifeboat.yaml}, validated. A section left out means its embedded default:
 * no catalog is the embedded H2 database under dataDir, no mqtt means the daemon serves MQTT from
 * its embedded broker and one-shot commands publish nothing.
 */
public record LifeboatConfig(
        Path dataDir,
        StoreConfig primary,
        StoreConfig offsite,
        CatalogConfig catalog,
        MqttConfig mqtt,
        BrokerConfig broker,
        PruneConfig prune,
        Map<String, TargetConfig> targets,
        ManagementConfig management,
        ArtemisConfig artemis,
        RedisConfig redis,
        HttpConfig http,
        SafeModeConfig safeMode,
        HealthConfig health,
        List<AlertRule> alertRules,
        ClusterConfig cluster,
        AlertingConfig alerting,
        HomeAssistantConfig homeassistant) {

    public LifeboatConfig {
        artemis = artemis == null ? ArtemisConfig.EMBEDDED : artemis;
        http = http == null ? HttpConfig.DEFAULT : http;
        safeMode = safeMode == null ? SafeModeConfig.DEFAULT : safeMode;
        health = health == null ? HealthConfig.DEFAULT : health;
        alertRules = alertRules == null ? List.of() : List.copyOf(alertRules);
        cluster = cluster == null ? ClusterConfig.SINGLE : cluster;
        alerting = alerting == null ? AlertingConfig.NONE : alerting;
        homeassistant = homeassistant == null ? HomeAssistantConfig.OFF : homeassistant;
    }

    /** The sections of issue 2 and 3 only; everything later takes its default. */
    public LifeboatConfig(
            Path dataDir,
            StoreConfig primary,
            StoreConfig offsite,
            CatalogConfig catalog,
            MqttConfig mqtt,
            BrokerConfig broker,
            PruneConfig prune,
            Map<String, TargetConfig> targets,
            ManagementConfig management) {
        this(
                dataDir,
                primary,
                offsite,
                catalog,
                mqtt,
                broker,
                prune,
                targets,
                management,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null);
    }

    public Optional<TargetConfig> target(String name) {
        return Optional.ofNullable(targets.get(name));
    }

    /** The JDBC catalog. A null url means the embedded database under dataDir. */
    public record CatalogConfig(String url, String user, String password) {
        public boolean embedded() {
            return url == null || url.isBlank();
        }

        @Override
        public String toString() {
            return "CatalogConfig[" + (embedded() ? "embedded" : url) + "]";
        }
    }

    /**
     * The MQTT broker events go to and come from. A null url means the embedded broker (daemon only).
     * {@code clientId} is stable per instance so the broker keeps the daemon's session (and the QoS 1
     * messages published meanwhile) across restarts; two instances need two ids. {@code maxPayloadBytes}
     * bounds every inbound payload; {@code subscriptions} are extra topics read as health events.
     */
    public record MqttConfig(
            String url,
            String prefix,
            String username,
            String password,
            String clientId,
            int maxPayloadBytes,
            List<Subscription> subscriptions,
            Path caFile) {

        public static final int DEFAULT_MAX_PAYLOAD = 64 * 1024;

        public MqttConfig {
            subscriptions = subscriptions == null ? List.of() : List.copyOf(subscriptions);
            maxPayloadBytes = maxPayloadBytes <= 0 ? DEFAULT_MAX_PAYLOAD : maxPayloadBytes;
        }

        public MqttConfig(String url, String prefix, String username, String password) {
            this(url, prefix, username, password, null, DEFAULT_MAX_PAYLOAD, List.of(), null);
        }

        /** Without {@code caFile}: TLS (if any) trusts the JVM's trust store. */
        public MqttConfig(
                String url,
                String prefix,
                String username,
                String password,
                String clientId,
                int maxPayloadBytes,
                List<Subscription> subscriptions) {
            this(url, prefix, username, password, clientId, maxPayloadBytes, subscriptions, null);
        }

        @Override
        public String toString() {
            return "MqttConfig[" + url + ", prefix=" + prefix + "]";
        }
    }

    /**
     * An extra MQTT subscription read as the health of {@code service}: a payload in {@code up} means
     * up, one in {@code down} means down (e.g. a device's own availability topic with online/offline),
     * anything else is rejected to the dead-letter topic.
     */
    public record Subscription(String topic, String service, List<String> up, List<String> down) {
        public Subscription {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(service, "service");
            up = List.copyOf(up);
            down = List.copyOf(down);
        }
    }

    /**
     * The job queue's broker. An empty url means the embedded Artemis with its journal under dataDir;
     * otherwise a core-protocol url ({@code tcp://host:61616}) of an external broker or cluster.
     * Identical job requests within {@code coalesce} of each other run once.
     */
    public record ArtemisConfig(String url, String user, String password, java.time.Duration coalesce) {
        public static final java.time.Duration DEFAULT_COALESCE = java.time.Duration.ofMinutes(5);
        public static final ArtemisConfig EMBEDDED = new ArtemisConfig(null, null, null, DEFAULT_COALESCE);

        public boolean embedded() {
            return url == null || url.isBlank();
        }

        @Override
        public String toString() {
            return "ArtemisConfig[" + (embedded() ? "embedded" : url) + "]";
        }
    }

    /**
     * The Redis the outbox buffers in while the MQTT broker is unreachable. Null config (no {@code
     * redis} section) means the local spool file only. {@code maxLength} bounds the stream; when it is
     * full, {@code whenFull} says what happens: {@code spill} to the local spool file, or {@code block}
     * the work that publishes until there is room.
     */
    public record RedisConfig(String url, String stream, int maxLength, FullPolicy whenFull) {
        public static final String DEFAULT_STREAM = "lifeboat:outbox";
        public static final int DEFAULT_MAX_LENGTH = 1_000_000;

        public enum FullPolicy {
            SPILL,
            BLOCK
        }

        @Override
        public String toString() {
            return "RedisConfig[" + url.replaceAll("//[^@/]*@", "//***@") + ", stream=" + stream + "]";
        }
    }

    /**
     * The API port ({@code /api/*}). Every request needs {@code Authorization: Bearer <token>}; with no
     * token configured the API refuses everything. Bodies over {@code maxBodyBytes} are refused.
     */
    public record HttpConfig(boolean enabled, String host, int port, String token, int maxBodyBytes) {
        public static final HttpConfig DEFAULT = new HttpConfig(true, "127.0.0.1", 8080, null, 256 * 1024);

        @Override
        public String toString() {
            return "HttpConfig[" + host + ":" + port + (token == null ? ", no token" : ", token set") + "]";
        }
    }

    /**
     * Safe Mode: entered when {@code faults} distinct services report down or integrity_failed within
     * {@code window}; left only with {@code resumeToken} (null: only the local CLI can resume).
     */
    public record SafeModeConfig(int faults, java.time.Duration window, String resumeToken) {
        public static final SafeModeConfig DEFAULT = new SafeModeConfig(3, java.time.Duration.ofMinutes(5), null);

        @Override
        public String toString() {
            return "SafeModeConfig[faults=" + faults + ", window=" + window
                    + (resumeToken == null ? ", no resume token" : ", resume token set") + "]";
        }
    }

    /**
     * Flap damping of service health: a service whose status changes more than {@code flapChanges}
     * times within {@code flapWindow} is flapping; it is reported once and then quietly until it holds
     * one status for {@code flapWindow}.
     */
    public record HealthConfig(int flapChanges, java.time.Duration flapWindow) {
        public static final HealthConfig DEFAULT = new HealthConfig(5, java.time.Duration.ofMinutes(10));
    }

    /**
     * A rule from {@code alerting.backupOn}: an incoming firing alert whose labels include every
     * {@code match} pair backs up {@code targets} (every target when {@code allTargets}).
     */
    public record AlertRule(String name, Map<String, String> match, List<String> targets, boolean allTargets) {
        public AlertRule {
            Objects.requireNonNull(name, "name");
            match = Map.copyOf(match);
            targets = List.copyOf(targets);
        }
    }

    /**
     * More than one Lifeboat process sharing the work: Quartz runs clustered on the catalog's
     * PostgreSQL (a schedule fires once across them). Off by default: the embedded default is one
     * process. {@code instanceId} names this process in the Quartz tables and the logs.
     */
    public record ClusterConfig(boolean enabled, String instanceId) {
        public static final ClusterConfig SINGLE = new ClusterConfig(false, null);
    }

    /**
     * The {@code prune} section: when the daemon prunes (Quartz cron) and how long a failed or
     * unverified leftover may stay before it is removed.
     */
    public record PruneConfig(String schedule, java.time.Duration grace) {
        public static final PruneConfig DEFAULT = new PruneConfig("0 15 3 * * ?", java.time.Duration.ofHours(24));
    }

    /**
     * The embedded Artemis broker, used when no external broker is configured. It listens on {@code
     * mqttHost}: MQTT on {@code mqttPort} (when the config names no MQTT broker) and the Artemis core
     * protocol on {@code port} (monitors send alerts to {@code lifeboat.alerts}; 0: no network port).
     */
    public record BrokerConfig(String artemisUrl, String mqttHost, int mqttPort, int port) {
        public static final int DEFAULT_PORT = 61617;

        public BrokerConfig(String artemisUrl, String mqttHost, int mqttPort) {
            this(artemisUrl, mqttHost, mqttPort, DEFAULT_PORT);
        }
    }

    /**
     * The {@code management} section: where the daemon serves {@code /observe/metrics}, {@code
     * /observe/health} and {@code /observe/jolokia}. Metrics and health are read without a token
     * (Prometheus and probes read them); Jolokia needs {@code token} as a bearer token and refuses
     * every request while none is set. The host defaults to loopback; {@code enabled: false} serves
     * nothing.
     */
    public record ManagementConfig(boolean enabled, String host, int port, String token) {
        public static final ManagementConfig DEFAULT = new ManagementConfig(true, "127.0.0.1", 9876, null);

        public ManagementConfig {
            Objects.requireNonNull(host, "host");
        }

        /** Without a token (Jolokia then refuses every request). */
        public ManagementConfig(boolean enabled, String host, int port) {
            this(enabled, host, port, null);
        }

        @Override
        public String toString() {
            return "ManagementConfig[enabled=" + enabled + ", host=" + host + ", port=" + port + ", token="
                    + (token == null ? "none" : "<redacted>") + "]";
        }
    }

    /**
     * {@code alerting}: where Lifeboat's own and incoming alerts go. No receivers (the default) means
     * alerts go to the log and {@code <prefix>/alerts} only. {@code rpoCheck} is how often the RPO dead
     * man's switch looks at every target.
     */
    public record AlertingConfig(
            Map<String, ReceiverConfig> receivers,
            RouteConfig route,
            List<InhibitRule> inhibit,
            List<SilenceConfig> silences,
            FlapConfig flap,
            java.time.Duration rpoCheck) {
        public static final java.time.Duration DEFAULT_RPO_CHECK = java.time.Duration.ofSeconds(30);
        public static final AlertingConfig NONE =
                new AlertingConfig(Map.of(), null, List.of(), List.of(), FlapConfig.DEFAULT, DEFAULT_RPO_CHECK);

        public AlertingConfig {
            receivers = receivers == null ? Map.of() : Map.copyOf(receivers);
            inhibit = inhibit == null ? List.of() : List.copyOf(inhibit);
            silences = silences == null ? List.of() : List.copyOf(silences);
            flap = flap == null ? FlapConfig.DEFAULT : flap;
            rpoCheck = rpoCheck == null ? DEFAULT_RPO_CHECK : rpoCheck;
        }

        public boolean routed() {
            return route != null && !receivers.isEmpty();
        }
    }

    /**
     * One receiver. {@code type}: telegram (url = Bot API base URI, default https://api.telegram.org;
     * token; chats), homeassistant (url; token; notifyService = the notify service, e.g. mobile_app_phone, or
     * null; persistent = persistent_notification too), webhook (url; headers), mqtt (topic relative to
     * the prefix, default {@code notify/<name>}). {@code perSecond}: messages a second per destination
     * (telegram default 1 a chat; 0 = no limit). {@code timeout}: how long one request may take.
     */
    public record ReceiverConfig(
            String name,
            String type,
            String url,
            String token,
            List<String> chats,
            String notifyService,
            boolean persistent,
            String topic,
            Map<String, String> headers,
            double perSecond,
            java.time.Duration timeout) {
        public static final java.time.Duration DEFAULT_TIMEOUT = java.time.Duration.ofSeconds(10);

        public ReceiverConfig {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            chats = chats == null ? List.of() : List.copyOf(chats);
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        }

        @Override
        public String toString() {
            return "ReceiverConfig[" + name + ", " + type + ", " + url + "]";
        }
    }

    /**
     * A node of the routing tree, as Alertmanager has it. {@code match}: label = value (severity is a
     * label too); {@code matchRe}: label = regular expression (whole value). Null receiver, groupBy or
     * durations inherit from the parent. {@code continueMatching} is Alertmanager's {@code continue}.
     */
    public record RouteConfig(
            String receiver,
            Map<String, String> match,
            Map<String, String> matchRe,
            boolean continueMatching,
            List<String> groupBy,
            java.time.Duration groupWait,
            java.time.Duration groupInterval,
            java.time.Duration repeatInterval,
            List<RouteConfig> routes) {
        public static final java.time.Duration DEFAULT_GROUP_WAIT = java.time.Duration.ofSeconds(30);
        public static final java.time.Duration DEFAULT_GROUP_INTERVAL = java.time.Duration.ofMinutes(5);
        public static final java.time.Duration DEFAULT_REPEAT_INTERVAL = java.time.Duration.ofHours(4);

        public RouteConfig {
            match = match == null ? Map.of() : Map.copyOf(match);
            matchRe = matchRe == null ? Map.of() : Map.copyOf(matchRe);
            groupBy = groupBy == null ? null : List.copyOf(groupBy);
            routes = routes == null ? List.of() : List.copyOf(routes);
        }
    }

    /**
     * Alertmanager's inhibit rule: while an alert matching {@code sourceMatch} fires, alerts matching
     * {@code targetMatch} with the same values of the {@code equal} labels are not sent.
     */
    public record InhibitRule(Map<String, String> sourceMatch, Map<String, String> targetMatch, List<String> equal) {
        public InhibitRule {
            sourceMatch = sourceMatch == null ? Map.of() : Map.copyOf(sourceMatch);
            targetMatch = targetMatch == null ? Map.of() : Map.copyOf(targetMatch);
            equal = equal == null ? List.of() : List.copyOf(equal);
        }
    }

    /** A silence written in the config: label = value matchers, until {@code endsAt}. */
    public record SilenceConfig(Map<String, String> matchers, java.time.Instant endsAt, String comment) {
        public SilenceConfig {
            matchers = matchers == null ? Map.of() : Map.copyOf(matchers);
            Objects.requireNonNull(endsAt, "endsAt");
            comment = comment == null ? "" : comment;
        }
    }

    /**
     * Flap damping of alerts: an alert that changes state {@code changes} times within {@code window}
     * is flapping; it sends one notice and then a digest per window until it settles.
     */
    public record FlapConfig(int changes, java.time.Duration window) {
        public static final FlapConfig DEFAULT = new FlapConfig(4, java.time.Duration.ofMinutes(10));
    }

    /**
     * {@code homeassistant}: MQTT discovery under {@code prefix}; {@code resumeTokenEntity} is the Home
     * Assistant entity (e.g. an input_text helper) whose state the resume button sends as the token, so
     * the token is never in a retained discovery message.
     */
    public record HomeAssistantConfig(boolean discovery, String prefix, String nodeId, String resumeTokenEntity) {
        public static final HomeAssistantConfig OFF =
                new HomeAssistantConfig(false, "homeassistant", "lifeboat", "input_text.lifeboat_resume_token");
    }
}
