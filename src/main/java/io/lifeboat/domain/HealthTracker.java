package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each service's health, from the health events as they come, with flap damping: a service whose
 * status changes more than {@code flapChanges} times within {@code flapWindow} is flapping. That is
 * reported once ({@link Kind#FLAPPING}); then the service stays quiet until it has held one status for
 * {@code flapWindow}, when the settled status is reported as a change. Times are arrival times from
 * the clock, never the event's own {@code ts} (a sender's clock cannot switch the damping off).
 * Thread-safe; cheap per event (no I/O).
 */
public final class HealthTracker {

    /** What an observation means for the outside world. */
    public enum Kind {
        /** The status changed (or was seen first, {@code previous} null); publish health.changed. */
        CHANGED,
        /** The service started flapping; publish health.flapping once. */
        FLAPPING
    }

    /** One thing to announce. {@code changes} counts the recent changes (for FLAPPING). */
    public record Outcome(Kind kind, String service, String status, String previous, Instant since, int changes) {}

    /** A service's state for status pages. */
    public record State(String service, String status, Instant since, boolean flapping) {}

    private static final class Service {
        String status;
        Instant since;
        String reported;
        boolean flapping;
        final Deque<Instant> changes = new ArrayDeque<>();
    }

    private final int flapChanges;
    private final Duration flapWindow;
    private final Clock clock;
    private final Map<String, Service> services = new HashMap<>();

    public HealthTracker(int flapChanges, Duration flapWindow, Clock clock) {
        if (flapChanges < 1) {
            throw new IllegalArgumentException("flapChanges must be at least 1, got " + flapChanges);
        }
        this.flapChanges = flapChanges;
        this.flapWindow = requireNonNull(flapWindow, "flapWindow");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Records one accepted health event; returns what to announce, if anything. */
    public synchronized Optional<Outcome> observe(String service, String status) {
        Instant now = clock.instant();
        Service s = services.get(service);
        if (s == null) {
            s = new Service();
            s.status = status;
            s.since = now;
            s.reported = status;
            services.put(service, s);
            return Optional.of(new Outcome(Kind.CHANGED, service, status, null, now, 0));
        }
        if (s.status.equals(status)) {
            return settle(service, s, now);
        }
        s.status = status;
        s.since = now;
        s.changes.addLast(now);
        while (!s.changes.isEmpty() && s.changes.peekFirst().isBefore(now.minus(flapWindow))) {
            s.changes.removeFirst();
        }
        if (s.flapping) {
            return Optional.empty();
        }
        if (s.changes.size() > flapChanges) {
            s.flapping = true;
            return Optional.of(new Outcome(Kind.FLAPPING, service, status, s.reported, now, s.changes.size()));
        }
        String previous = s.reported;
        s.reported = status;
        return Optional.of(new Outcome(Kind.CHANGED, service, status, previous, now, s.changes.size()));
    }

    /** Services that stopped flapping by holding one status for the window, without a new event. */
    public synchronized List<Outcome> tick() {
        Instant now = clock.instant();
        List<Outcome> out = new ArrayList<>();
        services.forEach((name, s) -> settle(name, s, now).ifPresent(out::add));
        return out;
    }

    private Optional<Outcome> settle(String name, Service s, Instant now) {
        if (!s.flapping || now.isBefore(s.since.plus(flapWindow))) {
            return Optional.empty();
        }
        s.flapping = false;
        s.changes.clear();
        String previous = s.reported;
        s.reported = s.status;
        return Optional.of(new Outcome(Kind.CHANGED, name, s.status, previous, s.since, 0));
    }

    public synchronized Optional<State> state(String service) {
        Service s = services.get(service);
        return s == null ? Optional.empty() : Optional.of(new State(service, s.status, s.since, s.flapping));
    }

    public synchronized List<State> states() {
        return services.entrySet().stream()
                .map(e -> new State(e.getKey(), e.getValue().status, e.getValue().since, e.getValue().flapping))
                .sorted(java.util.Comparator.comparing(State::service))
                .toList();
    }
}
