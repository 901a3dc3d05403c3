package io.lifeboat.jobs;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeboat.Json;
import io.lifeboat.domain.Trigger;
import java.io.IOException;
import java.time.Instant;
import java.util.function.Predicate;

/**
 * The body of a message on {@code lifeboat.jobs}: small JSON {@code {"target","trigger","detail",
 * "key","submittedAt"}}, readable in any broker console. Reading one is strict: a body that is not
 * such an object, or names a target this process does not know, is {@link Rejected} with a reason
 * code (the same codes the inbound routes use) and goes to the dead-letter queue.
 */
public final class JobMessage {

    /** A job message is a few hundred bytes; anything far bigger is not one. */
    public static final int MAX_BYTES = 64 * 1024;

    private JobMessage() {}

    public static String toJson(JobRequest job, Instant submittedAt) {
        requireNonNull(job, "job");
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("target", job.target());
        o.put("trigger", job.trigger().type());
        o.put("detail", job.trigger().detail());
        o.put("key", job.key());
        o.put("submittedAt", submittedAt.toString());
        return o.toString();
    }

    /**
     * Reads a job message.
     *
     * @param knownTarget whether a target is configured here
     * @throws Rejected naming why the message is no job this process can run
     */
    public static JobRequest parse(String body, Predicate<String> knownTarget) throws Rejected {
        if (body == null || body.isBlank()) {
            throw new Rejected("missing_field", "the message has no body");
        }
        if (body.length() > MAX_BYTES) {
            throw new Rejected(
                    "too_large", "a job message has at most " + MAX_BYTES + " characters, got " + body.length());
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new Rejected("not_json", "the body is not JSON: " + firstLine(e.getMessage()));
        }
        if (n == null || !n.isObject()) {
            throw new Rejected("wrong_type", "the body must be a JSON object");
        }
        String target = text(n, "target", true);
        String type = text(n, "trigger", false);
        String detail = text(n, "detail", false);
        String key = text(n, "key", true);
        if (!knownTarget.test(target)) {
            throw new Rejected("unknown_target", "no target named '" + shorten(target) + "' is configured");
        }
        try {
            return new JobRequest(target, new Trigger(type == null ? "manual" : type, detail), key);
        } catch (IllegalArgumentException e) {
            throw new Rejected("wrong_type", e.getMessage());
        }
    }

    /** The submittedAt text of a message {@link #parse} accepted, or null when it has none. */
    public static String submittedAt(String body) {
        try {
            JsonNode v = Json.MAPPER.readTree(body).get("submittedAt");
            return v == null || !v.isTextual() ? null : v.asText();
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String field, boolean required) throws Rejected {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new Rejected("missing_field", "the field '" + field + "' is missing");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new Rejected("wrong_type", "the field '" + field + "' must be a string");
        }
        if (required && v.asText().isBlank()) {
            throw new Rejected("missing_field", "the field '" + field + "' is empty");
        }
        return v.asText();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return shorten(nl < 0 ? s : s.substring(0, nl));
    }

    private static String shorten(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }

    /** A message that is no runnable job: {@code reason} is a short code, the message a sentence. */
    public static final class Rejected extends Exception {
        private final String reason;

        public Rejected(String reason, String detail) {
            super(detail);
            this.reason = requireNonNull(reason, "reason");
        }

        public String reason() {
            return reason;
        }
    }
}
