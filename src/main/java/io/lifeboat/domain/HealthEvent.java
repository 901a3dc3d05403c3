package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A health event from {@code <prefix>/health/<service>}: {@code {"status":"up|down|degraded|
 * integrity_failed|maintenance","detail":"…","ts":"…"}}, or plain {@code online} / {@code offline}
 * (a service's own availability topic), read as up / down. {@link #parse} accepts only what PRODUCT.md
 * describes; anything else is a {@link Rejected} with a reason for the dead-letter topic.
 */
public record HealthEvent(String service, String status, String detail, Instant at) {

    public static final String INTEGRITY_FAILED = "integrity_failed";
    public static final Set<String> STATUSES = Set.of("up", "down", "degraded", INTEGRITY_FAILED, "maintenance");
    /** A health event is a line of status; anything bigger is not one. */
    public static final int MAX_BYTES = 16 * 1024;

    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int MAX_DETAIL = 2000;

    public HealthEvent {
        requireNonNull(service, "service");
        requireNonNull(status, "status");
        requireNonNull(at, "at");
        detail = detail == null ? "" : detail;
    }

    /** Why an input was refused: {@code reason} is a short label (for counting), {@code detail} says what was wrong. */
    public record Rejected(String reason, String detail) {}

    /** Either an event or a rejection. */
    public sealed interface Parsed permits Ok, Bad {}

    public record Ok(HealthEvent event) implements Parsed {}

    public record Bad(Rejected rejected) implements Parsed {}

    /** Reads one message with the default size limit; see {@link #parse(String, byte[], Instant, int)}. */
    public static Parsed parse(String service, byte[] payload, Instant now) {
        return parse(service, payload, now, MAX_BYTES);
    }

    /**
     * Reads one message.
     *
     * @param service the service (the last topic level), or null when the JSON body names it in
     *     {@code "service"}
     * @param payload the message bytes as received
     * @param now when it arrived; used when the event carries no {@code ts}
     * @param maxBytes the largest payload accepted
     */
    public static Parsed parse(String service, byte[] payload, Instant now, int maxBytes) {
        if (service != null && !SERVICE.matcher(service).matches()) {
            return bad("bad_service", "the service name must match " + SERVICE.pattern());
        }
        Payloads.Text t = Payloads.text(payload, maxBytes);
        if (t instanceof Payloads.Bad b) {
            return new Bad(b.rejected());
        }
        String text = ((Payloads.TextOk) t).text();
        String plain = text.toLowerCase(Locale.ROOT);
        if (plain.equals("online") || plain.equals("offline")) {
            if (service == null) {
                return bad("missing_field", "a plain online/offline needs the service in the topic or in the request");
            }
            return new Ok(
                    new HealthEvent(service, plain.equals("online") ? "up" : "down", "availability: " + plain, now));
        }
        Payloads.Obj o = Payloads.object(text, "{\"status\":\"down\",\"detail\":\"…\"} or online/offline");
        if (o instanceof Payloads.Bad b) {
            return new Bad(b.rejected());
        }
        JsonNode node = ((Payloads.ObjOk) o).node();
        try {
            String status = Payloads.requiredString(node, "status");
            if (!STATUSES.contains(status)) {
                return bad(
                        "unknown_status",
                        "unknown status '" + Payloads.printable(status) + "' (expected "
                                + String.join(", ", STATUSES.stream().sorted().toList()) + ")");
            }
            if (service == null) {
                service = Payloads.requiredString(node, "service");
                if (!SERVICE.matcher(service).matches()) {
                    return bad("bad_service", "\"service\" must match " + SERVICE.pattern());
                }
            }
            String d = Payloads.optionalString(node, "detail");
            d = d == null ? "" : d;
            Instant ts = Payloads.optionalInstant(node, "ts");
            return new Ok(new HealthEvent(
                    service,
                    status,
                    d.length() > MAX_DETAIL ? d.substring(0, MAX_DETAIL) + "…" : d,
                    ts == null ? now : ts));
        } catch (Payloads.Invalid e) {
            return new Bad(e.rejected());
        }
    }

    private static Bad bad(String reason, String detail) {
        return new Bad(new Rejected(reason, detail));
    }
}
