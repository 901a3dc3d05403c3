package io.lifeboat.config;

import java.nio.file.Path;
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
        ManagementConfig management) {

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

    /** The MQTT broker events go to. A null url means the embedded broker (daemon only). */
    public record MqttConfig(String url, String prefix, String username, String password) {
        @Override
        public String toString() {
            return "MqttConfig[" + url + ", prefix=" + prefix + "]";
        }
    }

    /**
     * The {@code prune} section: when the daemon prunes (Quartz cron) and how long a failed or
     * unverified leftover may stay before it is removed.
     */
    public record PruneConfig(String schedule, java.time.Duration grace) {
        public static final PruneConfig DEFAULT = new PruneConfig("0 15 3 * * ?", java.time.Duration.ofHours(24));
    }

    /** The embedded Artemis broker, used when no external broker is configured. */
    public record BrokerConfig(String artemisUrl, String mqttHost, int mqttPort) {}

    /**
     * The {@code management} section: where the daemon serves {@code /observe/metrics}. The host
     * defaults to loopback because the endpoint has no authentication yet; {@code enabled: false}
     * serves nothing.
     */
    public record ManagementConfig(boolean enabled, String host, int port) {
        public static final ManagementConfig DEFAULT = new ManagementConfig(true, "127.0.0.1", 9876);

        public ManagementConfig {
            Objects.requireNonNull(host, "host");
        }
    }
}
