package io.lifeboat.safemode;

import static java.util.Objects.requireNonNull;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.Catalog.SafeModeChange;
import io.lifeboat.domain.Alert;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Safe Mode: while on, Lifeboat restores and prunes nothing by itself. The state lives in the catalog
 * (it survives restarts; every change is audited with who and why) and is retained on {@code
 * <prefix>/safe_mode} as {@code ON} / {@code OFF}. Entering is the safe direction and needs no token;
 * leaving needs the configured {@code safeMode.resumeToken} (compared in constant time) or a local
 * shell user ({@link #resumeLocal}). Entering raises the critical alert SafeModeEntered, leaving
 * resolves it. The state is read from the catalog each time, so a change made by {@code ./lifeboat
 * safe-mode} next to the daemon counts at once.
 */
public final class SafeModeService {

    private static final Logger LOG = LoggerFactory.getLogger(SafeModeService.class);
    static final String ALERT = "SafeModeEntered";
    public static final String TOPIC = "safe_mode";

    private final Catalog catalog;
    private final Events events;
    private final EventSink sink;
    private final byte[] resumeToken;
    private final Clock clock;

    /**
     * @param resumeToken the configured {@code safeMode.resumeToken}; null or blank: no remote resume
     */
    public SafeModeService(Catalog catalog, Events events, EventSink sink, String resumeToken, Clock clock) {
        this.catalog = requireNonNull(catalog, "catalog");
        this.events = requireNonNull(events, "events");
        this.sink = requireNonNull(sink, "sink");
        this.resumeToken =
                resumeToken == null || resumeToken.isBlank() ? null : resumeToken.getBytes(StandardCharsets.UTF_8);
        this.clock = requireNonNull(clock, "clock");
    }

    /** What a request did. {@code changed} false with {@code refused} null: it already was so. */
    public record Outcome(boolean on, boolean changed, String refused, String message) {
        public boolean ok() {
            return refused == null;
        }
    }

    public boolean isOn() {
        return state().map(SafeModeChange::on).orElse(false);
    }

    /** The newest change, or empty when Safe Mode was never changed (off). */
    public Optional<SafeModeChange> state() {
        return catalog.safeMode();
    }

    public List<SafeModeChange> history(int limit) {
        return catalog.safeModeHistory(limit);
    }

    /** Turns Safe Mode on (no token needed: the safe direction); audited with {@code actor}. */
    public synchronized Outcome enter(String reason, String actor) {
        requireNonNull(actor, "actor");
        String why = reason == null || reason.isBlank() ? "no reason given" : reason;
        if (isOn()) {
            LOG.info("Safe Mode enter by {} ({}): already on", actor, why);
            return new Outcome(true, false, null, "Safe Mode is already on");
        }
        Instant now = clock.instant();
        catalog.safeModeChanged(true, why, actor, now);
        LOG.warn("Safe Mode ON by {}: {}", actor, why);
        publish(true);
        events.alert(new Alert(
                ALERT + ":lifeboat",
                "critical",
                "firing",
                "Lifeboat entered Safe Mode",
                why + " (by " + actor + "). No automatic restore or pruning until an authorised resume.",
                Map.of("alertname", ALERT, "source", "lifeboat"),
                now,
                null));
        return new Outcome(true, true, null, "Safe Mode is on: " + why);
    }

    /**
     * Leaves Safe Mode when {@code token} is the configured resume token. A refusal changes nothing;
     * the caller reports it (dead-letter topic, counter). The token never appears in a message.
     */
    public synchronized Outcome resume(String token, String actor, String reason) {
        requireNonNull(actor, "actor");
        if (resumeToken == null) {
            LOG.warn("Safe Mode resume by {} refused: no safeMode.resumeToken is configured", actor);
            return new Outcome(
                    isOn(),
                    false,
                    "unauthorized",
                    "resume refused: no safeMode.resumeToken is configured, so only ./lifeboat safe-mode resume on"
                            + " the Lifeboat host can resume");
        }
        byte[] given = token == null ? new byte[0] : token.getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(resumeToken, given)) {
            LOG.warn("Safe Mode resume by {} refused: {}", actor, token == null ? "no token" : "wrong token");
            return new Outcome(
                    isOn(),
                    false,
                    "unauthorized",
                    "resume refused: " + (token == null ? "no token given" : "the token is not the resume token"));
        }
        return leave(actor, reason);
    }

    /** Leaves Safe Mode for a local shell user ({@code ./lifeboat safe-mode resume}): no token. */
    public synchronized Outcome resumeLocal(String actor, String reason) {
        return leave(requireNonNull(actor, "actor"), reason);
    }

    private Outcome leave(String actor, String reason) {
        if (!isOn()) {
            return new Outcome(false, false, null, "Safe Mode is already off");
        }
        Instant now = clock.instant();
        String why = reason == null || reason.isBlank() ? "resumed" : reason;
        catalog.safeModeChanged(false, why, actor, now);
        LOG.warn("Safe Mode OFF by {}: {}", actor, why);
        publish(false);
        events.alert(new Alert(
                ALERT + ":lifeboat",
                "critical",
                "resolved",
                "Lifeboat left Safe Mode",
                "resumed by " + actor + ": " + why,
                Map.of("alertname", ALERT, "source", "lifeboat"),
                now,
                now));
        return new Outcome(false, true, null, "Safe Mode is off (resumed by " + actor + ")");
    }

    /** Publishes the retained {@code ON}/{@code OFF}: at start, and after each change. */
    public void publishState() {
        publish(isOn());
    }

    private void publish(boolean on) {
        try {
            sink.publish(TOPIC, (on ? "ON" : "OFF").getBytes(StandardCharsets.UTF_8), true);
        } catch (RuntimeException e) {
            LOG.warn("could not publish the Safe Mode state: {}", e.getMessage());
        }
    }
}
