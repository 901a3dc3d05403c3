package io.lifeboat.domain.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.domain.Durations;
import io.lifeboat.domain.HealthEvent.Rejected;
import io.lifeboat.domain.Payloads;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A request to create or end a silence, over HTTP ({@code POST /api/silences}) or MQTT ({@code
 * <prefix>/cmd/silence}). Two shapes create one: Lifeboat's {@code {"matchers":{"target":"app-db"},
 * "duration":"2h","comment":"…","createdBy":"…"}} and Alertmanager's v2 {@code {"matchers":[{"name":
 * "target","value":"app-db","isRegex":false,"isEqual":true}],"startsAt":…,"endsAt":…}}; {@code
 * {"action":"expire","id":"…"}} ends one. Anything else is refused with a reason.
 */
public final class SilenceRequest {

    /** The longest silence: anything longer is a mistake or should be a config change. */
    public static final Duration MAX = Duration.ofDays(90);

    public static final int MAX_BYTES = 16 * 1024;

    public sealed interface Parsed permits Create, Expire, Bad {}

    public record Create(Silence silence) implements Parsed {}

    public record Expire(String id) implements Parsed {}

    public record Bad(Rejected rejected) implements Parsed {}

    private SilenceRequest() {}

    public static Parsed parse(byte[] payload, int maxBytes, Instant now, String actor) {
        Payloads.Obj o =
                Payloads.object(payload, maxBytes, "{\"matchers\":{\"target\":\"app-db\"},\"duration\":\"2h\"}");
        if (o instanceof Payloads.Bad b) {
            return new Bad(b.rejected());
        }
        JsonNode node = ((Payloads.ObjOk) o).node();
        try {
            String action = Payloads.optionalString(node, "action");
            if ("expire".equals(action)) {
                String id = Payloads.requiredString(node, "id");
                if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
                    return bad("invalid", "\"id\" is not a silence id");
                }
                return new Expire(id);
            }
            if (action != null && !"create".equals(action)) {
                return bad("invalid", "\"action\" is create or expire, got '" + Payloads.printable(action) + "'");
            }
            List<Matcher> matchers = matchers(node.get("matchers"));
            Instant starts = instant(node, "startsAt");
            starts = starts == null || starts.isBefore(now) ? now : starts;
            Instant ends = instant(node, "endsAt");
            String duration = Payloads.optionalString(node, "duration");
            if (ends == null && duration == null) {
                return bad("missing_field", "a silence needs \"duration\" (e.g. 2h) or \"endsAt\"");
            }
            if (ends == null) {
                Duration d;
                try {
                    d = Durations.parse(duration);
                } catch (IllegalArgumentException e) {
                    return bad("invalid", "\"duration\": " + e.getMessage());
                }
                ends = starts.plus(d);
            }
            if (!ends.isAfter(now)) {
                return bad("invalid", "\"endsAt\" is in the past");
            }
            if (!ends.isAfter(starts)) {
                return bad("invalid", "the silence must end after it starts");
            }
            if (Duration.between(starts, ends).compareTo(MAX) > 0) {
                return bad("invalid", "a silence lasts at most " + MAX.toDays() + " days");
            }
            String comment = Payloads.optionalString(node, "comment");
            String by = Payloads.optionalString(node, "createdBy");
            String createdBy = (by == null || by.isBlank() ? "" : by + " ") + "(" + actor + ")";
            return new Create(new Silence(
                    UUID.randomUUID().toString(),
                    matchers,
                    starts,
                    ends,
                    bounded(createdBy, 200),
                    bounded(comment, 2000)));
        } catch (Payloads.Invalid e) {
            return new Bad(e.rejected());
        } catch (IllegalArgumentException e) {
            return bad("invalid", e.getMessage());
        }
    }

    private static List<Matcher> matchers(JsonNode m) {
        if (m == null || m.isNull()) {
            throw new Payloads.Invalid("missing_field", "a silence needs \"matchers\": it would silence everything");
        }
        List<Matcher> out = new ArrayList<>();
        if (m.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new Payloads.Invalid(
                            "bad_field", "matcher \"" + Payloads.printable(e.getKey()) + "\" needs a text value");
                }
                out.add(Matcher.eq(label(e.getKey()), e.getValue().asText()));
            }
        } else if (m.isArray()) {
            for (JsonNode one : m) {
                if (!one.isObject()
                        || !one.path("name").isTextual()
                        || !one.path("value").isTextual()) {
                    throw new Payloads.Invalid("bad_field", "each matcher needs \"name\" and \"value\" (text)");
                }
                boolean regex = one.path("isRegex").asBoolean(false);
                boolean equal = one.path("isEqual").asBoolean(true);
                Matcher.Op op =
                        regex ? (equal ? Matcher.Op.RE : Matcher.Op.NRE) : (equal ? Matcher.Op.EQ : Matcher.Op.NE);
                out.add(new Matcher(
                        label(one.get("name").asText()), op, one.get("value").asText()));
            }
        } else {
            throw new Payloads.Invalid(
                    "bad_field", "\"matchers\" is an object of label: value, or Alertmanager's list");
        }
        if (out.isEmpty()) {
            throw new Payloads.Invalid("invalid", "a silence needs at least one matcher: it would silence everything");
        }
        if (out.size() > 20) {
            throw new Payloads.Invalid("invalid", "at most 20 matchers");
        }
        if (out.stream().allMatch(x -> x.matches(Map.of()))) {
            throw new Payloads.Invalid(
                    "invalid", "these matchers match an alert without labels: they would silence everything");
        }
        return out;
    }

    private static String label(String name) {
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,99}")) {
            throw new Payloads.Invalid("bad_field", "'" + Payloads.printable(name) + "' is not a label name");
        }
        return name;
    }

    private static Instant instant(JsonNode node, String field) {
        try {
            return Payloads.optionalInstant(node, field);
        } catch (DateTimeParseException e) {
            throw new Payloads.Invalid("bad_field", "\"" + field + "\" must be an ISO-8601 time");
        }
    }

    private static String bounded(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() > max ? s.substring(0, max) : s;
    }

    private static Bad bad(String reason, String detail) {
        return new Bad(new Rejected(reason, detail));
    }
}
