package io.lifeboat.events;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.domain.Alert;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Lifeboat tells the world about its runs: events on {@code <prefix>/events}, alerts on
 * {@code <prefix>/alerts} (and in the log), and the retained {@code <prefix>/backup/<target>/state}.
 */
public final class Events {

    private static final Logger LOG = LoggerFactory.getLogger(Events.class);
    private static final Logger ALERTS = LoggerFactory.getLogger("lifeboat.alerts");

    private final EventSink sink;
    private final java.util.function.Consumer<Alert> alerts;

    public Events(EventSink sink) {
        this(sink, a -> {});
    }

    /**
     * @param alerts also told of every alert (the daemon's alert routing: grouping, silences, receivers);
     *     a failure there is logged and never fails the work that raised the alert
     */
    public Events(EventSink sink, java.util.function.Consumer<Alert> alerts) {
        this.sink = requireNonNull(sink, "sink");
        this.alerts = requireNonNull(alerts, "alerts");
    }

    /**
     * One event: {@code operation} is backup or verify, {@code phase} started, finished, verified or
     * failed; {@code fields} adds the details (backupId, bytes, error, ...).
     */
    public void event(String operation, String phase, String target, Instant at, Map<String, ?> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", operation + "." + phase);
        body.put("operation", operation);
        body.put("phase", phase);
        body.put("target", target);
        body.put("at", at.toString());
        body.putAll(fields);
        LOG.info("{} {} {}", operation, phase, body);
        send("events", body, false);
    }

    public void alert(Alert alert) {
        ALERTS.warn("[{}] {}: {} {}", alert.severity(), alert.fingerprint(), alert.summary(), alert.detail());
        send("alerts", alert, false);
        try {
            alerts.accept(alert);
        } catch (RuntimeException e) {
            LOG.warn("could not route alert {}: {}", alert.fingerprint(), e.toString());
        }
    }

    public void state(String target, Map<String, ?> state) {
        send("backup/" + target + "/state", state, true);
    }

    private void send(String topic, Object body, boolean retained) {
        try {
            sink.publish(topic, Json.text(body).getBytes(java.nio.charset.StandardCharsets.UTF_8), retained);
        } catch (RuntimeException e) {
            LOG.warn("could not publish to {}: {}", topic, e.getMessage());
        }
    }
}
