package io.lifeboat.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lifeboat.domain.HealthEvent.Rejected;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.regex.Pattern;

/**
 * The checks every inbound payload passes first, whatever it is: a size limit, strict UTF-8, then
 * (for JSON payloads) a JSON object with bounded nesting. Each failure is a {@link Rejected} whose
 * reason is the short code counted in {@code lifeboat_input_rejected_total{reason}}.
 */
public final class Payloads {

    /** Service and target names: what a topic level and a folder name can safely be. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private static final ObjectMapper STRICT = new ObjectMapper();

    static {
        STRICT.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(8)
                        .maxStringLength(1024 * 1024)
                        .build());
    }

    private Payloads() {}

    /** The payload as text, or why it is not acceptable text. */
    public sealed interface Text permits TextOk, Bad {}

    public record TextOk(String text) implements Text {}

    /** The payload as a JSON object, or why not. */
    public sealed interface Obj permits ObjOk, Bad {}

    public record ObjOk(JsonNode node) implements Obj {}

    public record Bad(Rejected rejected) implements Text, Obj {}

    public static Bad bad(String reason, String detail) {
        return new Bad(new Rejected(reason, detail));
    }

    /** Size, emptiness and strict UTF-8 decoding; the text is stripped of surrounding white space. */
    public static Text text(byte[] payload, int maxBytes) {
        if (payload == null || payload.length == 0) {
            return bad("empty", "the payload is empty");
        }
        if (payload.length > maxBytes) {
            return bad("too_large", "the payload is " + payload.length + " bytes; the limit is " + maxBytes);
        }
        try {
            return new TextOk(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload))
                    .toString()
                    .strip());
        } catch (CharacterCodingException e) {
            return bad("not_utf8", "the payload is not UTF-8 text");
        }
    }

    /** {@link #text} and then one JSON object. */
    public static Obj object(byte[] payload, int maxBytes, String example) {
        Text t = text(payload, maxBytes);
        if (t instanceof Bad b) {
            return b;
        }
        return object(((TextOk) t).text(), example);
    }

    static Obj object(String text, String example) {
        JsonNode node;
        try {
            node = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            return bad("not_json", "expected a JSON object like " + example);
        }
        if (node == null || !node.isObject()) {
            return bad(
                    "not_json",
                    "expected a JSON object like " + example + ", got "
                            + (node == null ? "nothing" : node.getNodeType()));
        }
        return new ObjOk(node);
    }

    /**
     * An optional string field: null when absent or JSON null.
     *
     * @throws Invalid (wrong_type) when present with another type
     */
    public static String optionalString(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new Invalid("wrong_type", "\"" + field + "\" must be a string, got " + v.getNodeType());
        }
        return v.asText();
    }

    /** A required string field: missing_field when absent, wrong_type when not a string. */
    public static String requiredString(JsonNode node, String field) {
        String s = optionalString(node, field);
        if (s == null) {
            throw new Invalid("missing_field", "\"" + field + "\" is required");
        }
        return s;
    }

    /** An optional ISO-8601 time (with Z or an offset), or null. */
    public static Instant optionalInstant(JsonNode node, String field) {
        String s = optionalString(node, field);
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            Instant utc = utcInstant(s);
            return utc != null ? utc : OffsetDateTime.parse(s).toInstant();
        } catch (java.time.DateTimeException e) {
            throw new Invalid(
                    "bad_field",
                    "\"" + field + "\" must be an ISO-8601 time such as 2026-11-23T04:00:00Z, got '" + printable(s)
                            + "'");
        }
    }

    /**
     * The common shape {@code 2026-11-23T04:00:00[.fraction]Z} read without a formatter (the formatter
     * costs more than the rest of a health event's handling); null for any other shape, which the caller
     * reads with {@link OffsetDateTime#parse}. Out-of-range fields throw {@link java.time.DateTimeException}.
     */
    static Instant utcInstant(String s) {
        int n = s.length();
        if (n < 20
                || n > 30
                || s.charAt(n - 1) != 'Z'
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int nanos = 0;
        if (n > 20) {
            if (s.charAt(19) != '.' || n == 21) {
                return null;
            }
            int digits = n - 21;
            for (int i = 20; i < n - 1; i++) {
                char c = s.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
                nanos = nanos * 10 + (c - '0');
            }
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        return java.time.LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                .toInstant(java.time.ZoneOffset.UTC);
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Text safe to put into a log line or a reason: control characters replaced, at most 40 characters. */
    public static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    /** A field that is not what it should be; carries the rejection. */
    public static final class Invalid extends RuntimeException {
        private final transient Rejected rejected;

        public Invalid(String reason, String detail) {
            super(detail, null, false, false);
            this.rejected = new Rejected(reason, detail);
        }

        public Rejected rejected() {
            return rejected;
        }

        public Bad bad() {
            return new Bad(rejected);
        }
    }
}
