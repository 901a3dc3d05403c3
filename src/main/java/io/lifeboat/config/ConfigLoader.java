package io.lifeboat.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Loads and validates {@code lifeboat.yaml}. The whole file is read before anything is reported;
 * every problem names its key and they are thrown together in one {@link ConfigException}.
 *
 * <p>Rules: relative paths (dataDir, a filesystem store's path, a directory target's path, a
 * {@code NAME_FILE} secret file) resolve against the folder holding the config file. A key that is
 * not known is a problem, at the top level, in a store, a target or its retention; the sections
 * later features read ({@link #LATER_SECTIONS}) are accepted unread, without interpolation.
 */
public final class ConfigLoader {

    public static final String DEFAULT_DATA_DIR = "data";
    public static final String DEFAULT_MQTT_PREFIX = "lifeboat";
    public static final String DEFAULT_BROKER_HOST = "127.0.0.1";
    /** Not 1883, so the embedded broker never collides with a Mosquitto on the same machine. */
    public static final int DEFAULT_BROKER_MQTT_PORT = 1884;

    static final Set<String> LATER_SECTIONS = Set.of("redis", "http", "alerting", "homeassistant", "safeMode");
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
            "safeMode");

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
        String artemisUrl = top.section("artemis")
                .map(a -> {
                    a.allowOnly(Set.of("url"));
                    return a.string("url");
                })
                .orElse(null);
        LifeboatConfig.BrokerConfig broker = top.section("broker")
                .map(b -> broker(b, artemisUrl))
                .orElse(new LifeboatConfig.BrokerConfig(artemisUrl, DEFAULT_BROKER_HOST, DEFAULT_BROKER_MQTT_PORT));

        LifeboatConfig.PruneConfig prune =
                top.section("prune").map(ConfigLoader::prune).orElse(LifeboatConfig.PruneConfig.DEFAULT);
        LifeboatConfig.ManagementConfig management =
                top.section("management").map(ConfigLoader::management).orElse(LifeboatConfig.ManagementConfig.DEFAULT);
        Map<String, TargetConfig> targets = targets(top);
        return new LifeboatConfig(dataDir, primary, offsite, catalog, mqtt, broker, prune, targets, management);
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
        m.allowOnly(Set.of("url", "prefix", "username", "password"));
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
        return new LifeboatConfig.MqttConfig(
                url == null ? null : url.value(),
                prefix == null ? DEFAULT_MQTT_PREFIX : prefix.value(),
                m.string("username"),
                m.string("password"));
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
        b.allowOnly(Set.of("mqttHost", "mqttPort"));
        String host = b.string("mqttHost");
        Integer port = b.integer("mqttPort", DEFAULT_BROKER_MQTT_PORT, 1, 65535);
        return new LifeboatConfig.BrokerConfig(
                artemisUrl, host == null ? DEFAULT_BROKER_HOST : host, port == null ? DEFAULT_BROKER_MQTT_PORT : port);
    }

    private static LifeboatConfig.ManagementConfig management(Section m) {
        m.allowOnly(Set.of("enabled", "host", "port"));
        LifeboatConfig.ManagementConfig d = LifeboatConfig.ManagementConfig.DEFAULT;
        Boolean enabled = m.bool("enabled", d.enabled());
        Section.Text host = m.text("host");
        if (host != null && !HOST.matcher(host.value()).matches()) {
            m.problem("host", "must be a host name or an IP address such as 127.0.0.1, got " + host.shown());
        }
        Integer port = m.integer("port", d.port(), 1, 65535);
        return new LifeboatConfig.ManagementConfig(
                enabled == null || enabled, host == null ? d.host() : host.value(), port == null ? d.port() : port);
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
