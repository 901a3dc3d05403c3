package io.lifeboat.outbox;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.LifeboatConfig.RedisConfig.FullPolicy;
import java.time.Duration;
import org.eclipse.paho.mqttv5.common.MqttException;

/** Builds the outbox from the config: the daemon's (drains, announces) and a one-shot command's (appends). */
public final class Outboxes {

    /** Messages unacknowledged at once: enough to hide the round trip, bounded by the broker's receive maximum. */
    static final int WINDOW = 1000;
    /** Accepted but not yet handled; beyond it {@code publish} blocks (only with {@code whenFull: block}). */
    static final int MEMORY_QUEUE = 10_000;
    /** A one-shot command waits at most this long at exit for its messages to be published or buffered. */
    static final Duration FLUSH = Duration.ofSeconds(10);

    private Outboxes() {}

    /**
     * @param url the broker (the config's or the embedded one)
     * @param clientId unique per process
     * @param daemon true for {@code ./lifeboat run}
     */
    public static Outbox open(LifeboatConfig config, String url, String clientId, boolean daemon) throws MqttException {
        LifeboatConfig.MqttConfig mqtt = config.mqtt();
        String prefix = mqtt != null && mqtt.prefix() != null ? mqtt.prefix() : "lifeboat";
        MqttPublisher publisher = new MqttPublisher(new MqttPublisher.Settings(
                url,
                clientId,
                mqtt == null ? null : mqtt.username(),
                mqtt == null ? null : mqtt.password(),
                prefix,
                daemon,
                mqtt == null ? null : mqtt.caFile()));
        LifeboatConfig.RedisConfig redis = config.redis();
        RedisBacklog backlog =
                redis == null || redis.url() == null ? null : new RedisBacklog(redis.url(), redis.stream());
        Outbox.Settings settings = new Outbox.Settings(
                config.dataDir().resolve("outbox"),
                redis == null ? LifeboatConfig.RedisConfig.DEFAULT_STREAM : redis.stream(),
                redis == null ? LifeboatConfig.RedisConfig.DEFAULT_MAX_LENGTH : redis.maxLength(),
                redis == null ? FullPolicy.SPILL : redis.whenFull(),
                WINDOW,
                MEMORY_QUEUE,
                FLUSH,
                daemon,
                daemon);
        return new Outbox(settings, publisher, backlog);
    }
}
