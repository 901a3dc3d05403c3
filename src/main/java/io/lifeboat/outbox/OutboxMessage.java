package io.lifeboat.outbox;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One message on its way out. {@code id} (the MQTT 5 user property {@code lifeboat-msg-id}) and {@code
 * seq} are assigned once when the message enters the outbox and never change on replay: consumers drop
 * duplicates by id, the outbox orders its backlog (Redis stream and spool files together) by seq.
 *
 * @param topic relative to the prefix ({@code events}, {@code backup/app-db/state})
 * @param createdAt epoch milliseconds when it entered the outbox
 */
public record OutboxMessage(String id, long seq, String topic, boolean retained, byte[] payload, long createdAt) {

    public OutboxMessage {
        requireNonNull(id, "id");
        requireNonNull(topic, "topic");
        requireNonNull(payload, "payload");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("id must not be empty");
        }
    }

    /**
     * Ids are this process's random 64 bits (drawn once) and a counter, in UUID form: as unique as a
     * random UUID across processes and restarts, without a call into the system's random source per
     * message (which the event path would feel at thousands a second).
     */
    private static final long PROCESS = new SecureRandom().nextLong();

    private static final AtomicLong COUNTER = new AtomicLong();

    /** A new message with a fresh id, stamped by {@code sequencer}. */
    public static OutboxMessage create(String topic, byte[] payload, boolean retained, Sequencer sequencer) {
        long now = System.currentTimeMillis();
        String id = new UUID(PROCESS, COUNTER.incrementAndGet()).toString();
        return new OutboxMessage(id, sequencer.next(now), topic, retained, payload, now);
    }

    @Override
    public String toString() {
        return "OutboxMessage[" + id + ", seq=" + seq + ", " + topic + ", " + payload.length + " bytes]";
    }
}
