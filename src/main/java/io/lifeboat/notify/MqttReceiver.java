package io.lifeboat.notify;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig.ReceiverConfig;
import io.lifeboat.domain.alerting.Notice;
import io.lifeboat.events.EventSink;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes the notice JSON on {@code <prefix>/<topic>} (default {@code notify/<name>}) through the
 * outbox, which keeps it while the broker is away: handing it over is delivery.
 */
public final class MqttReceiver implements Receiver {

    private final ReceiverConfig config;
    private final EventSink sink;

    public MqttReceiver(ReceiverConfig config, EventSink sink) {
        this.config = requireNonNull(config, "config");
        this.sink = requireNonNull(sink, "sink");
    }

    public String topic() {
        return config.topic() != null ? config.topic() : "notify/" + config.name();
    }

    @Override
    public ReceiverConfig config() {
        return config;
    }

    @Override
    public CompletableFuture<Outcome> deliver(Notice n, String destination) {
        try {
            sink.publish(topic(), NoticeCodec.text(n).getBytes(StandardCharsets.UTF_8), false);
            return CompletableFuture.completedFuture(new Sent());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Retryable(e.toString()));
        }
    }
}
