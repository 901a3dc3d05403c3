package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
    private static final ObjectMapper STRICT = new ObjectMapper();

    static {
        STRICT.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(8)
                        .maxStringLength(MAX_BYTES)
                        .build());
    }

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

    /**
     * Reads one message.
     *
     * @param service the last topic level
     * @param payload the message bytes as received
     * @param now when it arrived; used when the event carries no {@code ts}
     */
    public static Parsed parse(String service, byte[] payload, Instant now) {
        if (service == null || !SERVICE.matcher(service).matches()) {
            return bad("bad_service", "the service name (last topic level) must match " + SERVICE.pattern());
        }
        if (payload == null || payload.length == 0) {
            return bad("empty", "the payload is empty");
        }
        if (payload.length > MAX_BYTES) {
            return bad("too_large", "the payload is " + payload.length + " bytes; the limit is " + MAX_BYTES);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload))
                    .toString()
                    .strip();
        } catch (CharacterCodingException e) {
            return bad("not_utf8", "the payload is not UTF-8 text");
        }
        String plain = text.toLowerCase(Locale.ROOT);
        if (plain.equals("online") || plain.equals("offline")) {
            return new Ok(
                    new HealthEvent(service, plain.equals("online") ? "up" : "down", "availability: " + plain, now));
        }
        JsonNode node;
        try {
            node = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            return bad("not_json", "expected JSON like {\"status\":\"down\",\"detail\":\"…\"} or online/offline");
        }
        if (node == null || !node.isObject()) {
            return bad("not_json", "expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
        }
        JsonNode status = node.get("status");
        if (status == null || !status.isTextual()) {
            return bad("missing_field", "\"status\" is required and must be a string");
        }
        if (!STATUSES.contains(status.asText())) {
            return bad(
                    "unknown_status",
                    "unknown status '" + printable(status.asText()) + "' (expected "
                            + String.join(", ", STATUSES.stream().sorted().toList()) + ")");
        }
        JsonNode detail = node.get("detail");
        if (detail != null && !detail.isTextual() && !detail.isNull()) {
            return bad("bad_field", "\"detail\" must be a string");
        }
        Instant at = now;
        JsonNode ts = node.get("ts");
        if (ts != null && !ts.isNull()) {
            try {
                at = Instant.parse(ts.asText());
            } catch (DateTimeParseException e) {
                return bad("bad_field", "\"ts\" must be an ISO-8601 instant such as 2026-11-23T04:00:00Z");
            }
        }
        String d = detail == null || detail.isNull() ? "" : detail.asText();
        return new Ok(new HealthEvent(
                service, status.asText(), d.length() > MAX_DETAIL ? d.substring(0, MAX_DETAIL) + "…" : d, at));
    }

    private static Bad bad(String reason, String detail) {
        return new Bad(new Rejected(reason, detail));
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
