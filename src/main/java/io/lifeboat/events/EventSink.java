package io.lifeboat.events;

/**
 * Where Lifeboat's outgoing messages go. Topics are relative to the configured prefix
 * ({@code events}, {@code alerts}, {@code backup/app-db/state}); a topic that begins with {@code /} is
 * absolute ({@code /homeassistant/sensor/...}). Publishing never fails the work that produced the
 * message: a sink that cannot deliver logs why.
 */
public interface EventSink extends AutoCloseable {

    void publish(String topic, byte[] payload, boolean retained);

    /** A sink that drops everything: one-shot commands without an {@code mqtt} section publish nothing. */
    EventSink NONE = new EventSink() {
        @Override
        public void publish(String topic, byte[] payload, boolean retained) {}

        @Override
        public void close() {}
    };

    @Override
    default void close() {}
}
