package io.lifeboat.domain;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.domain.HealthEvent.Rejected;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Alerts that come in from monitors: one Lifeboat alert ({@code fingerprint, severity, status,
 * summary, detail, labels, startsAt, endsAt}) or a Prometheus Alertmanager webhook payload ({@code
 * {"version":"4","status":…,"alerts":[{"status","labels","annotations","startsAt","endsAt",
 * "fingerprint"}]}}). Without a fingerprint, one is made from the sorted labels, so a repeated alert
 * keeps its identity.
 */
public final class InboundAlert {

    static final int MAX_ALERTS = 100;
    private static final int MAX_LABELS = 64;
    private static final int MAX_TEXT = 2000;
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    private static final Set<String> STATUSES = Set.of("firing", "resolved");

    private InboundAlert() {}

    /** The alerts of one payload, or why it was refused (nothing of a refused payload is used). */
    public sealed interface Parsed permits Ok, Bad {}

    /** {@code startsAtGiven} is false where the alert carried no startsAt (then {@code startsAt} is now). */
    public record Ok(List<Alert> alerts, List<Boolean> startsAtGiven) implements Parsed {}

    public record Bad(Rejected rejected) implements Parsed {}

    public static Parsed parse(byte[] payload, int maxBytes, Instant now) {
        Payloads.Obj o = Payloads.object(
                payload, maxBytes, "{\"status\":\"firing\",\"severity\":\"warning\",\"summary\":\"…\",\"labels\":{…}}");
        if (o instanceof Payloads.Bad b) {
            return new Bad(b.rejected());
        }
        JsonNode node = ((Payloads.ObjOk) o).node();
        List<Alert> alerts = new ArrayList<>();
        List<Boolean> given = new ArrayList<>();
        try {
            if (node.has("alerts")) {
                JsonNode list = node.get("alerts");
                if (!list.isArray()) {
                    throw new Payloads.Invalid("wrong_type", "\"alerts\" must be a list");
                }
                if (list.isEmpty()) {
                    throw new Payloads.Invalid("missing_field", "\"alerts\" is empty");
                }
                if (list.size() > MAX_ALERTS) {
                    throw new Payloads.Invalid(
                            "too_large", "at most " + MAX_ALERTS + " alerts per payload, got " + list.size());
                }
                for (int i = 0; i < list.size(); i++) {
                    JsonNode a = list.get(i);
                    if (!a.isObject()) {
                        throw new Payloads.Invalid("wrong_type", "alerts[" + i + "] must be an object");
                    }
                    try {
                        alertmanager(a, now, alerts, given);
                    } catch (Payloads.Invalid e) {
                        throw new Payloads.Invalid(
                                e.rejected().reason(),
                                "alerts[" + i + "]: " + e.rejected().detail());
                    }
                }
            } else {
                lifeboat(node, now, alerts, given);
            }
        } catch (Payloads.Invalid e) {
            return new Bad(e.rejected());
        }
        return new Ok(List.copyOf(alerts), List.copyOf(given));
    }

    private static void lifeboat(JsonNode a, Instant now, List<Alert> out, List<Boolean> given) {
        String status = Payloads.requiredString(a, "status");
        checkStatus(status);
        String severity = Payloads.requiredString(a, "severity");
        if (!SEVERITIES.contains(severity)) {
            throw new Payloads.Invalid(
                    "unknown_severity",
                    "unknown severity '" + Payloads.printable(severity) + "' (expected info, warning or critical)");
        }
        String summary = cut(Payloads.requiredString(a, "summary"));
        Map<String, String> labels = labels(a, "labels");
        String fingerprint = Payloads.optionalString(a, "fingerprint");
        Instant startsAt = Payloads.optionalInstant(a, "startsAt");
        Instant endsAt = Payloads.optionalInstant(a, "endsAt");
        out.add(new Alert(
                fingerprint(fingerprint, labels, summary),
                severity,
                status,
                summary,
                cut(Payloads.optionalString(a, "detail")),
                labels,
                startsAt == null ? now : startsAt,
                endsAt));
        given.add(startsAt != null);
    }

    private static void alertmanager(JsonNode a, Instant now, List<Alert> out, List<Boolean> given) {
        String status = Payloads.requiredString(a, "status");
        checkStatus(status);
        if (!a.has("labels")) {
            throw new Payloads.Invalid("missing_field", "\"labels\" is required");
        }
        Map<String, String> labels = labels(a, "labels");
        Map<String, String> annotations = labels(a, "annotations");
        String severity = labels.getOrDefault("severity", "warning");
        severity = SEVERITIES.contains(severity) ? severity : "warning";
        String summary = annotations.getOrDefault(
                "summary", annotations.getOrDefault("description", labels.getOrDefault("alertname", "alert")));
        Instant startsAt = Payloads.optionalInstant(a, "startsAt");
        Instant endsAt = Payloads.optionalInstant(a, "endsAt");
        if (endsAt != null && endsAt.getEpochSecond() < 0) {
            endsAt = null; // Alertmanager's "0001-01-01T00:00:00Z": not ended
        }
        out.add(new Alert(
                fingerprint(Payloads.optionalString(a, "fingerprint"), labels, null),
                severity,
                status,
                cut(summary),
                cut(annotations.getOrDefault("description", "")),
                labels,
                startsAt == null ? now : startsAt,
                endsAt));
        given.add(startsAt != null);
    }

    private static void checkStatus(String status) {
        if (!STATUSES.contains(status)) {
            throw new Payloads.Invalid(
                    "unknown_status",
                    "unknown status '" + Payloads.printable(status) + "' (expected firing or resolved)");
        }
    }

    private static Map<String, String> labels(JsonNode a, String field) {
        JsonNode l = a.get(field);
        if (l == null || l.isNull()) {
            return Map.of();
        }
        if (!l.isObject()) {
            throw new Payloads.Invalid("wrong_type", "\"" + field + "\" must be an object of strings");
        }
        if (l.size() > MAX_LABELS) {
            throw new Payloads.Invalid("too_large", "at most " + MAX_LABELS + " " + field);
        }
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = l.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new Payloads.Invalid(
                        "wrong_type", "\"" + field + "." + Payloads.printable(e.getKey()) + "\" must be a string");
            }
            out.put(e.getKey(), cut(e.getValue().asText()));
        }
        return out;
    }

    /** The given fingerprint, else a stable hash of the sorted labels (and the summary, when no labels). */
    static String fingerprint(String given, Map<String, String> labels, String summary) {
        if (given != null && !given.isBlank()) {
            String f = given.strip();
            if (!f.matches("[A-Za-z0-9._:@/-]{1,128}")) {
                throw new Payloads.Invalid("bad_field", "\"fingerprint\" must be 1-128 letters, digits or . _ : @ / -");
            }
            return f;
        }
        StringBuilder s = new StringBuilder();
        new TreeMap<>(labels)
                .forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
        if (labels.isEmpty() && summary != null) {
            s.append(summary);
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String cut(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
    }
}
