package io.lifeboat.notify;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Redis first; while it does not answer, the catalog. The head of a lane is the older (lower sequence)
 * of the two heads, so notices keep their order across a Redis outage.
 */
public final class FailoverNoticeStore implements NoticeStore {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverNoticeStore.class);

    private final RedisNoticeStore redis;
    private final CatalogNoticeStore catalog;
    private volatile boolean redisDown;

    public FailoverNoticeStore(RedisNoticeStore redis, CatalogNoticeStore catalog) {
        this.redis = requireNonNull(redis, "redis");
        this.catalog = requireNonNull(catalog, "catalog");
    }

    @Override
    public void append(String receiver, String lane, long seq, String payload) {
        try {
            redis.append(receiver, lane, seq, payload);
            up();
        } catch (JedisException e) {
            down(e);
            catalog.append(receiver, lane, seq, payload);
        }
    }

    @Override
    public Optional<Entry> head(String receiver, String lane) {
        Optional<Entry> db = catalog.head(receiver, lane);
        Optional<Entry> r;
        try {
            r = redis.head(receiver, lane);
            up();
        } catch (JedisException e) {
            down(e);
            r = Optional.empty();
        }
        if (r.isEmpty()) {
            return db;
        }
        if (db.isEmpty()) {
            return r;
        }
        return db.get().seq() <= r.get().seq() ? db : r;
    }

    @Override
    public void remove(String receiver, String lane, Entry entry) {
        if (entry.ref().startsWith("redis:")) {
            redis.remove(receiver, lane, entry);
        } else {
            catalog.remove(receiver, lane, entry);
        }
    }

    @Override
    public long length(String receiver, String lane) {
        long n = catalog.length(receiver, lane);
        try {
            n += redis.length(receiver, lane);
        } catch (JedisException e) {
            down(e);
        }
        return n;
    }

    private void up() {
        if (redisDown) {
            redisDown = false;
            LOG.info("alert notices: Redis answers again");
        }
    }

    private void down(JedisException e) {
        if (!redisDown) {
            redisDown = true;
            LOG.warn("alert notices: Redis unreachable ({}); notices wait in the catalog", e.getMessage());
        }
    }
}
