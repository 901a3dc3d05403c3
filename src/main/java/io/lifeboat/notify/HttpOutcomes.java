package io.lifeboat.notify;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/** HTTP answers as delivery outcomes, shared by the receivers that speak HTTP. */
final class HttpOutcomes {

    /** The longest wait a server may ask for; a longer one is taken as this. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    private HttpOutcomes() {}

    static Receiver.Outcome of(int status, String body, Optional<String> retryAfterHeader) {
        if (status >= 200 && status < 300) {
            return new Receiver.Sent();
        }
        String why = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + NoticeText.clean(body, 200));
        if (status == 429) {
            Duration wait = retryAfter(body)
                    .or(() -> retryAfterHeader.flatMap(HttpOutcomes::seconds))
                    .orElse(Duration.ofSeconds(5));
            return new Receiver.RetryAfter(wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait, why);
        }
        if (status >= 500 || status == 408) {
            return new Receiver.Retryable(why);
        }
        return new Receiver.Rejected(why);
    }

    /** Telegram's {@code {"parameters":{"retry_after":N}}}. */
    static Optional<Duration> retryAfter(String body) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            JsonNode r = n == null ? null : n.path("parameters").get("retry_after");
            return r != null && r.canConvertToLong() && r.asLong() >= 0
                    ? Optional.of(Duration.ofSeconds(r.asLong()))
                    : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> seconds(String header) {
        try {
            long s = Long.parseLong(header.trim());
            return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A request that did not get an answer. */
    static Receiver.Outcome failure(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof HttpTimeoutException) {
            return new Receiver.Retryable("timed out");
        }
        if (c instanceof ConnectException) {
            return new Receiver.Retryable("connection refused");
        }
        return new Receiver.Retryable(c.getClass().getSimpleName()
                + (c.getMessage() == null ? "" : ": " + NoticeText.clean(c.getMessage(), 200)));
    }
}
