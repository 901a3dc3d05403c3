package io.lifeboat.events;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands messages to the {@code event-publish} route, in order, on one background thread, so a slow or
 * absent broker never holds up a backup. Closing waits (bounded) for what is queued to go out.
 */
public final class MqttEventSink implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(MqttEventSink.class);
    static final int QUEUE = 10_000;

    private final ProducerTemplate producer;
    private final ThreadPoolExecutor sender;

    public MqttEventSink(ProducerTemplate producer) {
        this.producer = requireNonNull(producer, "producer");
        this.sender = new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE),
                r -> {
                    Thread t = new Thread(r, "lifeboat-mqtt-publish");
                    t.setDaemon(true);
                    return t;
                },
                (task, pool) -> LOG.warn("MQTT publish queue full ({} messages); message dropped", QUEUE));
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retained) {
        sender.execute(() -> {
            try {
                producer.sendBodyAndHeaders(
                        EventRoutes.PUBLISH,
                        payload,
                        Map.of(EventRoutes.TOPIC_HEADER, topic, EventRoutes.RETAINED_HEADER, retained));
            } catch (RuntimeException e) {
                LOG.warn("could not publish to {}: {}", topic, rootMessage(e));
            }
        });
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn(
                        "{} MQTT messages not sent before shutdown",
                        sender.getQueue().size());
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
