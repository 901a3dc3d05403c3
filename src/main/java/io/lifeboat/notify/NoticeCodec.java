package io.lifeboat.notify;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.domain.Alert;
import io.lifeboat.domain.alerting.Notice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A notice as JSON, for the queue and the webhook and MQTT receivers; and back from the queue. */
public final class NoticeCodec {

    private NoticeCodec() {}

    public static Map<String, Object> json(Notice n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", n.id());
        m.put("receiver", n.receiver());
        m.put("status", n.kind() == Notice.Kind.RESOLVED ? "resolved" : "firing");
        m.put("kind", n.kind().name());
        m.put("severity", n.severity());
        m.put("groupKey", n.groupKey());
        m.put("groupLabels", n.groupLabels());
        m.put("at", n.at().toString());
        if (!n.digest().isEmpty()) {
            m.put("digest", n.digest());
        }
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Alert a : n.alerts()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("fingerprint", a.fingerprint());
            x.put("severity", a.severity());
            x.put("status", a.status());
            x.put("summary", a.summary());
            x.put("detail", a.detail());
            x.put("labels", a.labels());
            x.put("startsAt", a.startsAt().toString());
            x.put("endsAt", a.endsAt() == null ? null : a.endsAt().toString());
            alerts.add(x);
        }
        m.put("alerts", alerts);
        return m;
    }

    public static String text(Notice n) {
        return Json.text(json(n));
    }

    /** Reads a queued notice; an {@link IllegalArgumentException} says what is wrong with a damaged one. */
    public static Notice read(String text) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        try {
            List<Alert> alerts = new ArrayList<>();
            for (JsonNode a : n.path("alerts")) {
                alerts.add(new Alert(
                        req(a, "fingerprint"),
                        req(a, "severity"),
                        req(a, "status"),
                        req(a, "summary"),
                        a.path("detail").asText(""),
                        labels(a.path("labels")),
                        Instant.parse(req(a, "startsAt")),
                        a.path("endsAt").isTextual()
                                ? Instant.parse(a.get("endsAt").asText())
                                : null));
            }
            return new Notice(
                    req(n, "id"),
                    req(n, "receiver"),
                    req(n, "groupKey"),
                    labels(n.path("groupLabels")),
                    Notice.Kind.valueOf(req(n, "kind")),
                    req(n, "severity"),
                    alerts,
                    Instant.parse(req(n, "at")),
                    n.path("digest").asText(""));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a notice: " + e.getMessage(), e);
        }
    }

    private static String req(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" missing");
        }
        return v.asText();
    }

    private static Map<String, String> labels(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }
}
