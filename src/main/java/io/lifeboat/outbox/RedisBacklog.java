package io.lifeboat.outbox;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The outbox backlog in a Redis stream. One entry per message, fields {@code msgId}, {@code seq}, {@code
 * topic}, {@code retained}, {@code payload} (UTF-8 text; {@code payloadBase64} instead when the bytes are
 * not UTF-8) and {@code createdAt} (ISO-8601), so an operator can read it with {@code redis-cli XRANGE}.
 * Every call throws a {@link redis.clients.jedis.exceptions.JedisException} when Redis cannot be reached.
 */
public final class RedisBacklog implements AutoCloseable {

    /** One stream entry and the message it holds. */
    public record Entry(String id, OutboxMessage message) {}

    /** Short: a Redis that does not answer must not hold up the outbox; the spool takes over. */
    private static final int TIMEOUT_MILLIS = 2000;

    private final JedisPooled jedis;
    private final String stream;

    public RedisBacklog(String url, String stream) {
        this.jedis = new JedisPooled(URI.create(requireNonNull(url, "url")), TIMEOUT_MILLIS);
        this.stream = requireNonNull(stream, "stream");
    }

    public String stream() {
        return stream;
    }

    /** Appends in order, in one round trip. */
    public void append(List<OutboxMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        try (AbstractPipeline p = jedis.pipelined()) {
            for (OutboxMessage m : messages) {
                p.xadd(stream, StreamEntryID.NEW_ENTRY, fields(m));
            }
            p.sync();
        }
    }

    public long length() {
        return jedis.xlen(stream);
    }

    /** Up to {@code count} entries after {@code afterId} (exclusive), or from the start when it is null. */
    public List<Entry> readAfter(String afterId, int count) {
        List<StreamEntry> raw = jedis.xrange(stream, afterId == null ? "-" : "(" + afterId, "+", count);
        List<Entry> entries = new ArrayList<>(raw.size());
        for (StreamEntry e : raw) {
            entries.add(new Entry(e.getID().toString(), message(e.getID().toString(), e.getFields())));
        }
        return entries;
    }

    /** Removes entries the broker acknowledged. */
    public void delete(List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        jedis.xdel(stream, ids.stream().map(StreamEntryID::new).toArray(StreamEntryID[]::new));
    }

    static Map<String, String> fields(OutboxMessage m) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("msgId", m.id());
        f.put("seq", Long.toString(m.seq()));
        f.put("topic", m.topic());
        f.put("retained", Boolean.toString(m.retained()));
        String text = utf8(m.payload());
        if (text != null) {
            f.put("payload", text);
        } else {
            f.put("payloadBase64", Base64.getEncoder().encodeToString(m.payload()));
        }
        f.put("createdAt", java.time.Instant.ofEpochMilli(m.createdAt()).toString());
        return f;
    }

    /**
     * The message of one entry. An entry someone wrote by hand without the fields gets what can be made
     * of it (a fresh id is not invented: the entry id stands in), so it is published rather than lost.
     */
    static OutboxMessage message(String entryId, Map<String, String> f) {
        String id = f.getOrDefault("msgId", "redis-" + entryId);
        long seq;
        try {
            seq = Long.parseLong(f.getOrDefault("seq", ""));
        } catch (NumberFormatException e) {
            seq = new StreamEntryID(entryId).getTime() * 1000;
        }
        byte[] payload = f.containsKey("payloadBase64")
                ? Base64.getDecoder().decode(f.get("payloadBase64"))
                : f.getOrDefault("payload", "").getBytes(UTF_8);
        long createdAt;
        try {
            createdAt = java.time.Instant.parse(f.getOrDefault("createdAt", "")).toEpochMilli();
        } catch (RuntimeException e) {
            createdAt = new StreamEntryID(entryId).getTime();
        }
        return new OutboxMessage(
                id,
                seq,
                f.getOrDefault("topic", "events"),
                Boolean.parseBoolean(f.getOrDefault("retained", "false")),
                payload,
                createdAt);
    }

    private static String utf8(byte[] bytes) {
        try {
            return UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Override
    public void close() {
        jedis.close();
    }
}
