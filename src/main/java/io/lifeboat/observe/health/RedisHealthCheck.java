package io.lifeboat.observe.health;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import redis.clients.jedis.Jedis;

/**
 * {@code redis}: whether the outbox's Redis answers PING. Only registered when {@code redis.url} is
 * set; without Redis the outbox buffers in its local spool and there is nothing to check.
 */
public final class RedisHealthCheck extends DependencyHealthCheck {

    private final URI url;

    public RedisHealthCheck(String url) {
        super("redis");
        this.url = URI.create(requireNonNull(url, "url"));
    }

    @Override
    protected String probe() {
        try (Jedis jedis = new Jedis(url, (int) TIMEOUT.toMillis())) {
            return "PING answered " + jedis.ping();
        }
    }
}
