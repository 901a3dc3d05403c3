package io.lifeboat.notify;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Notices in Redis streams {@code <stream>:notices:<receiver>:<lane>} (the outbox's stream name as the
 * prefix), one entry per notice with its sequence number and JSON; XDEL once settled.
 */
public final class RedisNoticeStore implements NoticeStore, AutoCloseable {

    private static final int TIMEOUT_MILLIS = 2000;

    private final JedisPooled jedis;
    private final String prefix;

    public RedisNoticeStore(String url, String prefix) {
        this.jedis = new JedisPooled(URI.create(requireNonNull(url, "url")), TIMEOUT_MILLIS);
        this.prefix = requireNonNull(prefix, "prefix");
    }

    String key(String receiver, String lane) {
        return prefix + ":notices:" + receiver + ":" + lane;
    }

    @Override
    public void append(String receiver, String lane, long seq, String payload) {
        jedis.xadd(key(receiver, lane), StreamEntryID.NEW_ENTRY, Map.of("seq", Long.toString(seq), "notice", payload));
    }

    @Override
    public Optional<Entry> head(String receiver, String lane) {
        List<StreamEntry> e = jedis.xrange(key(receiver, lane), "-", "+", 1);
        if (e.isEmpty()) {
            return Optional.empty();
        }
        StreamEntry s = e.get(0);
        long seq;
        try {
            seq = Long.parseLong(s.getFields().getOrDefault("seq", "0"));
        } catch (NumberFormatException bad) {
            seq = 0; // a damaged entry sorts first and is dropped as invalid
        }
        return Optional.of(new Entry("redis:" + s.getID(), seq, s.getFields().getOrDefault("notice", "")));
    }

    @Override
    public void remove(String receiver, String lane, Entry entry) {
        jedis.xdel(key(receiver, lane), new StreamEntryID(entry.ref().substring(6)));
    }

    @Override
    public long length(String receiver, String lane) {
        return jedis.xlen(key(receiver, lane));
    }

    @Override
    public void close() {
        jedis.close();
    }
}
