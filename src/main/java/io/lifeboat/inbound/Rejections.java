package io.lifeboat.inbound;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.domain.HealthEvent.Rejected;
import io.lifeboat.events.EventSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rejected input: published to {@code <prefix>/dlq} as {@code {source, reason, detail, receivedAt,
 * payloadBase64 (first 1 KiB), payloadBytes}} and counted in {@code
 * lifeboat_input_rejected_total{reason}}. The known reasons exist at 0 from the start, so a dashboard
 * shows the series before the first bad message.
 */
public final class Rejections {

    private static final Logger LOG = LoggerFactory.getLogger(Rejections.class);
    public static final String METER = "lifeboat.input.rejected";
    public static final String DLQ_TOPIC = "dlq";
    static final int KEEP_BYTES = 1024;
    public static final List<String> KNOWN_REASONS = List.of(
            "empty",
            "not_utf8",
            "not_json",
            "too_large",
            "missing_field",
            "wrong_type",
            "bad_field",
            "unknown_status",
            "unknown_action",
            "unknown_severity",
            "unknown_target",
            "bad_target",
            "bad_service",
            "unauthorized",
            "internal_error",
            "queue_unavailable");

    private final MeterRegistry registry;
    private final EventSink sink;
    private final Clock clock;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public Rejections(MeterRegistry registry, EventSink sink, Clock clock) {
        this.registry = requireNonNull(registry, "registry");
        this.sink = requireNonNull(sink, "sink");
        this.clock = requireNonNull(clock, "clock");
        KNOWN_REASONS.forEach(this::counter);
    }

    private Counter counter(String reason) {
        return counters.computeIfAbsent(
                reason,
                r -> Counter.builder(METER)
                        .description(
                                "Inbound messages (MQTT, HTTP, Artemis) refused, by reason; each went to the dead-letter topic")
                        .tag("reason", r)
                        .register(registry));
    }

    /**
     * Dead-letters and counts one input.
     *
     * @param payload what to show of the input (the caller removes secrets first); may be null
     * @param payloadBytes the size of the input as received
     */
    public void reject(String source, Rejected rejected, byte[] payload, int payloadBytes) {
        String reason = rejected.reason().matches("[a-z0-9_]{1,32}") ? rejected.reason() : "other";
        counter(reason).increment();
        LOG.warn("rejected input from {}: {} ({})", source, reason, rejected.detail());
        Map<String, Object> dlq = new LinkedHashMap<>();
        dlq.put("source", source);
        if (source != null && source.startsWith("mqtt:")) {
            dlq.put("topic", source.substring(5)); // the MQTT topic alone, for subscribers that filter on it
        }
        dlq.put("reason", reason);
        dlq.put("detail", rejected.detail());
        dlq.put("receivedAt", clock.instant().toString());
        byte[] p = payload == null ? new byte[0] : payload;
        dlq.put("payloadBase64", Base64.getEncoder().encodeToString(Arrays.copyOf(p, Math.min(p.length, KEEP_BYTES))));
        dlq.put("payloadBytes", payloadBytes);
        try {
            sink.publish(DLQ_TOPIC, Json.text(dlq).getBytes(StandardCharsets.UTF_8), false);
        } catch (RuntimeException e) {
            LOG.warn("could not dead-letter input from {}: {}", source, e.getMessage());
        }
    }
}
