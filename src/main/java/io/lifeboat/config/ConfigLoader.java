package io.lifeboat.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Loads and validates {@code lifeboat.yaml}. The whole file is read before anything is reported;
 * every problem names its key and they are thrown together in one {@link ConfigException}.
 *
 * <p>Rules: relative paths (dataDir, a filesystem store's path, a directory target's path, a
 * {@code NAME_FILE} secret file) resolve against the folder holding the config file. A key that is
 * not known is a problem, at the top level, in a store, a target or its retention.
 */
public final class ConfigLoader {

    public static final String DEFAULT_DATA_DIR = "data";
    public static final String DEFAULT_MQTT_PREFIX = "lifeboat";
    public static final String DEFAULT_BROKER_HOST = "127.0.0.1";
    /** Not 1883, so the embedded broker never collides with a Mosquitto on the same machine. */
    public static final int DEFAULT_BROKER_MQTT_PORT = 1884;

    /** A host name or an IP address (IPv6 without brackets); anything else cannot be bound to. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:%_-]{1,253}");

    private static final Set<String> TOP_LEVEL = Set.of(
            "dataDir",
            "storage",
            "catalog",
            "mqtt",
            "artemis",
            "broker",
            "targets",
            "prune",
            "redis",
            "http",
            "management",
            "alerting",
            "homeassistant",
            "safeMode",
            "health",
            "cluster");

    private ConfigLoader() {}

    /**
     * @param file the config file; relative paths inside it resolve against its folder
     * @param env the environment for {@code ${NAME}}; production passes {@code System.getenv()}
     * @throws ConfigException listing every problem found
     */
    public static LifeboatConfig load(Path file, Map<String, String> env) {
        requireNonNull(file, "file");
        requireNonNull(env, "env");
        Problems problems = new Problems();
        JsonNode root = YamlTree.read(file, problems);
        if (root == null) {
            throw new ConfigException(file, problems.list());
        }
        if (!root.isObject()) {
            problems.add(
                    "file",
                    root.isMissingNode() || root.isNull()
                            ? "is empty; it needs at least storage.primary and targets"
                            : "expected a map of sections at the top level, got " + Section.type(root));
            throw new ConfigException(file, problems.list());
        }
        Path baseDir = file.toAbsolutePath().normalize().getParent();
        Section top = new Section(root, "", problems, new Interpolator(env, baseDir), baseDir);
        LifeboatConfig config = read(top);
        if (!problems.isEmpty()) {
            throw new ConfigException(file, problems.list());
        }
        return config;
    }

    private static LifeboatConfig read(Section top) {
        top.allowOnly(TOP_LEVEL);
        Path dataDir = top.path("dataDir", DEFAULT_DATA_DIR);

        StoreConfig primary = null;
        StoreConfig offsite = null;
        Section storage = top.requiredSection("storage").orElse(null);
        if (storage != null) {
            storage.allowOnly(Set.of("primary", "offsite"));
            primary = storage.requiredSection("primary").map(Stores::read).orElse(null);
            offsite = storage.section("offsite").map(Stores::read).orElse(null);
        }

        LifeboatConfig.CatalogConfig catalog = top.section("catalog")
                .map(ConfigLoader::catalog)
                .orElse(new LifeboatConfig.CatalogConfig(null, null, null));
        LifeboatConfig.MqttConfig mqtt =
                top.section("mqtt").map(ConfigLoader::mqtt).orElse(null);
        LifeboatConfig.ArtemisConfig artemis =
                top.section("artemis").map(ConfigLoader::artemis).orElse(LifeboatConfig.ArtemisConfig.EMBEDDED);
        String artemisUrl = artemis.url();
        LifeboatConfig.BrokerConfig broker = top.section("broker")
                .map(b -> broker(b, artemisUrl))
                .orElse(new LifeboatConfig.BrokerConfig(artemisUrl, DEFAULT_BROKER_HOST, DEFAULT_BROKER_MQTT_PORT));

        LifeboatConfig.PruneConfig prune =
                top.section("prune").map(ConfigLoader::prune).orElse(LifeboatConfig.PruneConfig.DEFAULT);
        LifeboatConfig.ManagementConfig management =
                top.section("management").map(ConfigLoader::management).orElse(LifeboatConfig.ManagementConfig.DEFAULT);
        Map<String, TargetConfig> targets = targets(top);
        LifeboatConfig.RedisConfig redis =
                top.section("redis").map(ConfigLoader::redis).orElse(null);
        LifeboatConfig.HttpConfig http =
                top.section("http").map(ConfigLoader::http).orElse(LifeboatConfig.HttpConfig.DEFAULT);
        LifeboatConfig.SafeModeConfig safeMode =
                top.section("safeMode").map(ConfigLoader::safeMode).orElse(LifeboatConfig.SafeModeConfig.DEFAULT);
        LifeboatConfig.HealthConfig health =
                top.section("health").map(ConfigLoader::health).orElse(LifeboatConfig.HealthConfig.DEFAULT);
        List<LifeboatConfig.AlertRule> alertRules =
                top.section("alerting").map(a -> alertRules(a, targets)).orElse(List.of());
        LifeboatConfig.ClusterConfig cluster = top.section("cluster")
                .map(c -> cluster(c, catalog, artemis))
                .orElse(LifeboatConfig.ClusterConfig.SINGLE);
        return new LifeboatConfig(
                dataDir,
                primary,
                offsite,
                catalog,
                mqtt,
                broker,
                prune,
                targets,
                management,
                artemis,
                redis,
                http,
                safeMode,
                health,
                alertRules,
                cluster,
                top.section("alerting").map(AlertingSection::read).orElse(null),
                top.section("homeassistant").map(AlertingSection::homeAssistant).orElse(null));
    }

    private static LifeboatConfig.ArtemisConfig artemis(Section a) {
        a.allowOnly(Set.of("url", "user", "password", "coalesce"));
        Section.Text url = a.text("url");
        if (url != null && !url.value().matches("(tcp|ssl|vm)://.+|\\(.+\\).*")) {
            a.problem("url", "must be an Artemis core url such as tcp://127.0.0.1:61616, got " + url.shown());
        }
        java.time.Duration coalesce = a.duration("coalesce", false);
        return new LifeboatConfig.ArtemisConfig(
                url == null ? null : url.value(),
                a.string("user"),
                a.string("password"),
                coalesce == null ? LifeboatConfig.ArtemisConfig.DEFAULT_COALESCE : coalesce);
    }

    private static LifeboatConfig.RedisConfig redis(Section r) {
        r.allowOnly(Set.of("url", "stream", "maxLength", "whenFull"));
        Section.Text url = r.requiredText("url");
        if (url != null && !url.value().matches("rediss?://.+")) {
            r.problem("url", "must start with redis:// or rediss://, got " + url.shown());
        }
        String stream = r.string("stream", LifeboatConfig.RedisConfig.DEFAULT_STREAM);
        Integer maxLength = r.integer("maxLength", LifeboatConfig.RedisConfig.DEFAULT_MAX_LENGTH, 100, 1_000_000_000);
        String whenFull = r.string("whenFull", "spill");
        LifeboatConfig.RedisConfig.FullPolicy policy = null;
        if ("spill".equals(whenFull)) {
            policy = LifeboatConfig.RedisConfig.FullPolicy.SPILL;
        } else if ("block".equals(whenFull)) {
            policy = LifeboatConfig.RedisConfig.FullPolicy.BLOCK;
        } else {
            r.problem(
                    "whenFull",
                    "must be spill (to the local spool file) or block (the publisher waits), got '" + whenFull + "'");
        }
        return url == null
                ? null
                : new LifeboatConfig.RedisConfig(
                        url.value(),
                        stream,
                        maxLength == null ? LifeboatConfig.RedisConfig.DEFAULT_MAX_LENGTH : maxLength,
                        policy == null ? LifeboatConfig.RedisConfig.FullPolicy.SPILL : policy);
    }

    private static LifeboatConfig.HttpConfig http(Section h) {
        h.allowOnly(Set.of("enabled", "host", "port", "token", "maxBody"));
        LifeboatConfig.HttpConfig d = LifeboatConfig.HttpConfig.DEFAULT;
        Boolean enabled = h.bool("enabled", d.enabled());
        Section.Text host = h.text("host");
        if (host != null && !HOST.matcher(host.value()).matches()) {
            h.problem("host", "must be a host name or an IP address such as 127.0.0.1, got " + host.shown());
        }
        Integer port = h.integer("port", d.port(), 1, 65535);
        Section.Text token = h.text("token");
        if (token != null && token.value().length() < 16) {
            h.problem("token", "is too short to guess-proof an API; use 16 characters or more (openssl rand -hex 24)");
        }
        Integer maxBody = h.integer("maxBody", d.maxBodyBytes(), 1024, 64 * 1024 * 1024);
        return new LifeboatConfig.HttpConfig(
                enabled == null || enabled,
                host == null ? d.host() : host.value(),
                port == null ? d.port() : port,
                token == null ? null : token.value(),
                maxBody == null ? d.maxBodyBytes() : maxBody);
    }

    private static LifeboatConfig.SafeModeConfig safeMode(Section s) {
        s.allowOnly(Set.of("faults", "window", "resumeToken"));
        LifeboatConfig.SafeModeConfig d = LifeboatConfig.SafeModeConfig.DEFAULT;
        Integer faults = s.integer("faults", d.faults(), 1, 1000);
        java.time.Duration window = s.duration("window", false);
        Section.Text token = s.text("resumeToken");
        if (token != null && token.value().length() < 8) {
            s.problem("resumeToken", "is too short; use 8 characters or more");
        }
        return new LifeboatConfig.SafeModeConfig(
                faults == null ? d.faults() : faults,
                window == null ? d.window() : window,
                token == null ? null : token.value());
    }

    private static LifeboatConfig.HealthConfig health(Section h) {
        h.allowOnly(Set.of("flapChanges", "flapWindow"));
        LifeboatConfig.HealthConfig d = LifeboatConfig.HealthConfig.DEFAULT;
        Integer changes = h.integer("flapChanges", d.flapChanges(), 2, 1000);
        java.time.Duration window = h.duration("flapWindow", false);
        return new LifeboatConfig.HealthConfig(
                changes == null ? d.flapChanges() : changes, window == null ? d.flapWindow() : window);
    }

    private static List<LifeboatConfig.AlertRule> alertRules(Section a, Map<String, TargetConfig> targets) {
        a.allowOnly(AlertingSection.KEYS);
        List<LifeboatConfig.AlertRule> rules = new java.util.ArrayList<>();
        List<Section> list = a.sections("backupOn");
        for (int i = 0; i < list.size(); i++) {
            Section r = list.get(i);
            r.allowOnly(Set.of("name", "match", "targets"));
            Map<String, String> match = new LinkedHashMap<>();
            Section m = r.requiredSection("match").orElse(null);
            if (m != null) {
                m.fields().forEachRemaining(e -> {
                    if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                        match.put(e.getKey(), e.getValue().asText());
                    } else {
                        m.problem(e.getKey(), "expected a label value (text), got " + Section.type(e.getValue()));
                    }
                });
                if (match.isEmpty()) {
                    r.problem("match", "needs at least one label, e.g. {alertname: SmartWarning, host: nas}");
                }
            }
            boolean all = false;
            List<String> names = List.of();
            com.fasterxml.jackson.databind.JsonNode t = r.raw("targets");
            if (t != null && t.isTextual() && t.asText().equals("all")) {
                all = true;
            } else if (t != null) {
                names = r.strings("targets");
                if (names != null) {
                    for (String n : names) {
                        if (!targets.containsKey(n)) {
                            r.problem("targets", "names '" + n + "', which is not a target in targets:");
                        }
                    }
                } else {
                    names = List.of();
                }
            } else {
                r.problem("targets", "required: a list of target names, or all");
            }
            rules.add(new LifeboatConfig.AlertRule(r.string("name", "rule-" + (i + 1)), match, names, all));
        }
        return rules;
    }

    private static LifeboatConfig.ClusterConfig cluster(
            Section c, LifeboatConfig.CatalogConfig catalog, LifeboatConfig.ArtemisConfig artemis) {
        c.allowOnly(Set.of("enabled", "instanceId"));
        Boolean enabled = c.bool("enabled", false);
        boolean on = enabled != null && enabled;
        if (on && (catalog.embedded() || !catalog.url().startsWith("jdbc:postgresql:"))) {
            c.problem(
                    "enabled",
                    "needs catalog.url to be a shared PostgreSQL (jdbc:postgresql://...): the schedules"
                            + " are coordinated in its tables");
        }
        if (on && artemis.embedded()) {
            c.problem("enabled", "needs artemis.url: the processes must share one job queue");
        }
        return new LifeboatConfig.ClusterConfig(on, c.string("instanceId"));
    }

    private static LifeboatConfig.CatalogConfig catalog(Section c) {
        c.allowOnly(Set.of("url", "user", "password"));
        Section.Text url = c.text("url");
        if (url != null && !url.value().startsWith("jdbc:")) {
            c.problem("url", "must be a JDBC url (jdbc:postgresql://host:5432/db), got " + url.shown());
        }
        return new LifeboatConfig.CatalogConfig(
                url == null ? null : url.value(), c.string("user"), c.string("password"));
    }

    private static LifeboatConfig.MqttConfig mqtt(Section m) {
        m.allowOnly(
                Set.of("url", "prefix", "username", "password", "clientId", "maxPayload", "subscriptions", "caFile"));
        Section.Text url = m.text("url");
        if (url != null && !url.value().matches("(tcp|ssl|ws|wss)://.+")) {
            m.problem("url", "must start with tcp://, ssl://, ws:// or wss://, got " + url.shown());
        }
        Section.Text prefix = m.text("prefix");
        if (prefix != null
                && (prefix.value().contains("#")
                        || prefix.value().contains("+")
                        || prefix.value().startsWith("/")
                        || prefix.value().endsWith("/"))) {
            m.problem("prefix", "must be a topic without wildcards (+ #) or leading/trailing /, got " + prefix.shown());
        }
        Section.Text clientId = m.text("clientId");
        if (clientId != null && !clientId.value().matches("[A-Za-z0-9._-]{1,64}")) {
            m.problem("clientId", "must be 1-64 letters, digits, '.', '_' or '-', got " + clientId.shown());
        }
        Integer maxPayload =
                m.integer("maxPayload", LifeboatConfig.MqttConfig.DEFAULT_MAX_PAYLOAD, 256, 16 * 1024 * 1024);
        List<LifeboatConfig.Subscription> subscriptions = new java.util.ArrayList<>();
        for (Section sub : m.sections("subscriptions")) {
            sub.allowOnly(Set.of("topic", "service", "up", "down"));
            String topic = sub.requiredString("topic");
            String service = sub.requiredString("service");
            if (service != null && !service.matches("[A-Za-z0-9._-]{1,64}")) {
                sub.problem("service", "must be 1-64 letters, digits, '.', '_' or '-', got '" + service + "'");
            }
            List<String> up = sub.has("up") ? sub.strings("up") : List.of("online");
            List<String> down = sub.has("down") ? sub.strings("down") : List.of("offline");
            if (topic != null && service != null && up != null && down != null) {
                subscriptions.add(new LifeboatConfig.Subscription(topic, service, up, down));
            }
        }
        // the CA to trust for ssl:// and wss:// (none: the JVM's trust store)
        java.nio.file.Path caFile = m.path("caFile", false);
        if (caFile != null) {
            String problem = MqttTls.problem(caFile);
            if (problem != null) {
                m.problem("caFile", problem);
            } else if (url != null && !url.value().matches("(ssl|wss)://.+")) {
                m.problem("caFile", "is for TLS: mqtt.url must start with ssl:// or wss://, got " + url.shown());
            }
        }
        return new LifeboatConfig.MqttConfig(
                url == null ? null : url.value(),
                prefix == null ? DEFAULT_MQTT_PREFIX : prefix.value(),
                m.string("username"),
                m.string("password"),
                clientId == null ? null : clientId.value(),
                maxPayload == null ? LifeboatConfig.MqttConfig.DEFAULT_MAX_PAYLOAD : maxPayload,
                subscriptions,
                caFile);
    }

    private static LifeboatConfig.PruneConfig prune(Section p) {
        p.allowOnly(Set.of("schedule", "grace"));
        LifeboatConfig.PruneConfig d = LifeboatConfig.PruneConfig.DEFAULT;
        Section.Text cronText = p.text("schedule");
        String schedule = cronText == null ? d.schedule() : Targets.cron(p, cronText);
        java.time.Duration grace = p.duration("grace", false);
        return new LifeboatConfig.PruneConfig(schedule, grace == null ? d.grace() : grace);
    }

    private static LifeboatConfig.BrokerConfig broker(Section b, String artemisUrl) {
        b.allowOnly(Set.of("mqttHost", "mqttPort", "port"));
        String host = b.string("mqttHost");
        Integer port = b.integer("mqttPort", DEFAULT_BROKER_MQTT_PORT, 1, 65535);
        // the core-protocol port of the embedded broker; 0 keeps it in-vm only
        Integer corePort = b.integer("port", LifeboatConfig.BrokerConfig.DEFAULT_PORT, 0, 65535);
        return new LifeboatConfig.BrokerConfig(
                artemisUrl,
                host == null ? DEFAULT_BROKER_HOST : host,
                port == null ? DEFAULT_BROKER_MQTT_PORT : port,
                corePort == null ? LifeboatConfig.BrokerConfig.DEFAULT_PORT : corePort);
    }

    private static LifeboatConfig.ManagementConfig management(Section m) {
        m.allowOnly(Set.of("enabled", "host", "port", "token"));
        LifeboatConfig.ManagementConfig d = LifeboatConfig.ManagementConfig.DEFAULT;
        Boolean enabled = m.bool("enabled", d.enabled());
        Section.Text host = m.text("host");
        if (host != null && !HOST.matcher(host.value()).matches()) {
            m.problem("host", "must be a host name or an IP address such as 127.0.0.1, got " + host.shown());
        }
        Integer port = m.integer("port", d.port(), 1, 65535);
        Section.Text token = m.text("token");
        if (token != null && token.value().length() < 16) {
            m.problem(
                    "token", "is too short to guard JMX operations; use 16 characters or more (openssl rand -hex 24)");
        }
        return new LifeboatConfig.ManagementConfig(
                enabled == null || enabled,
                host == null ? d.host() : host.value(),
                port == null ? d.port() : port,
                token == null ? null : token.value());
    }

    private static Map<String, TargetConfig> targets(Section top) {
        Map<String, TargetConfig> targets = new LinkedHashMap<>();
        Section section = top.requiredSection("targets").orElse(null);
        if (section == null) {
            return targets;
        }
        if (!section.fields().hasNext()) {
            top.problem("targets", "needs at least one target");
        }
        section.fields().forEachRemaining(entry -> {
            String name = entry.getKey();
            String key = section.key(name);
            if (!Targets.validName(name)) {
                section.problems()
                        .add(key, "bad target name; it must match [a-z0-9][a-z0-9._-]{0,62} (it is a storage prefix)");
            }
            if (Targets.reserved(name)) {
                section.problems()
                        .add(
                                key,
                                "the name '" + name + "' is reserved: recovery sets are stored under " + name
                                        + "/ in the store; pick another name");
            }
            if (!entry.getValue().isObject()) {
                section.problems()
                        .add(key, "expected a map (kind, schedule, rpo, ...), got " + Section.type(entry.getValue()));
                return;
            }
            Section target = section.section(name).orElseThrow();
            TargetConfig config = Targets.read(name, target);
            if (config != null) {
                targets.put(name, config);
            }
        });
        return Collections.unmodifiableMap(targets);
    }
}
