package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.domain.HealthEvent.Rejected;

/**
 * A Safe Mode command from {@code <prefix>/cmd/safe-mode} (or the API, or JMX): {@code
 * {"action":"enter|resume","reason":"…","token":"…","by":"…"}}. {@code by} names the person, for the
 * audit; {@code token} is needed to resume. {@link #toString()} never shows the token.
 */
public record SafeModeRequest(String action, String reason, String token, String by) {

    public static final String ENTER = "enter";
    public static final String RESUME = "resume";
    private static final int MAX_TEXT = 500;

    public SafeModeRequest {
        requireNonNull(action, "action");
    }

    @Override
    public String toString() {
        return "SafeModeRequest[" + action + ", reason=" + reason + ", by=" + by + (token == null ? "" : ", token=***")
                + "]";
    }

    /** Either a request or why it was refused. */
    public sealed interface Parsed permits Ok, Bad {}

    public record Ok(SafeModeRequest request) implements Parsed {}

    public record Bad(Rejected rejected) implements Parsed {}

    public static Parsed parse(byte[] payload, int maxBytes) {
        Payloads.Obj o =
                Payloads.object(payload, maxBytes, "{\"action\":\"enter|resume\",\"reason\":\"…\",\"token\":\"…\"}");
        if (o instanceof Payloads.Bad b) {
            return new Bad(b.rejected());
        }
        JsonNode node = ((Payloads.ObjOk) o).node();
        try {
            String action = Payloads.requiredString(node, "action");
            if (!action.equals(ENTER) && !action.equals(RESUME)) {
                return new Bad(new Rejected(
                        "unknown_action",
                        "unknown action '" + Payloads.printable(action) + "' (expected enter or resume)"));
            }
            String reason = cut(Payloads.optionalString(node, "reason"));
            String token = Payloads.optionalString(node, "token");
            String by = Payloads.optionalString(node, "by");
            if (by != null) {
                by = Payloads.printable(by.strip());
                by = by.isEmpty() ? null : by;
            }
            return new Ok(new SafeModeRequest(action, reason, token, by));
        } catch (Payloads.Invalid e) {
            return new Bad(e.rejected());
        }
    }

    private static String cut(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
    }
}
