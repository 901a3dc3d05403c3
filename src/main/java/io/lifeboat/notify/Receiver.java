package io.lifeboat.notify;

import io.lifeboat.domain.alerting.Notice;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One configured receiver: where notices go (a Telegram bot, Home Assistant, a webhook, an MQTT topic). */
public interface Receiver {

    /** Its {@code alerting.receivers.<name>} entry. */
    io.lifeboat.config.LifeboatConfig.ReceiverConfig config();

    default String name() {
        return config().name();
    }

    /** What one notice is sent to: a Telegram receiver's chats; one entry for the others. */
    default List<String> destinations() {
        return List.of(config().type());
    }

    /** Messages a second per destination; 0 is no limit. */
    default double perSecond() {
        return config().perSecond();
    }

    /** How long one request may take before it counts as slow. */
    default Duration timeout() {
        return config().timeout();
    }

    /** Sends one notice to one destination; the future completes with what happened (never exceptionally). */
    CompletableFuture<Outcome> deliver(Notice notice, String destination);

    /** What one attempt came to. */
    sealed interface Outcome permits Sent, RetryAfter, Retryable, Rejected {}

    /** The receiver took it. */
    record Sent() implements Outcome {}

    /** The receiver asked to wait that long first (HTTP 429 with retry_after or Retry-After). */
    record RetryAfter(Duration delay, String why) implements Outcome {}

    /** It may work later: 5xx, a connection refused, a timeout. */
    record Retryable(String why) implements Outcome {}

    /** It will never work (a wrong token, a malformed request): counted and dropped. */
    record Rejected(String why) implements Outcome {}
}
