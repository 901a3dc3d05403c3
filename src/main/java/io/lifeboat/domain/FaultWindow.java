package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Safe Mode rule: {@code faults} distinct services reporting {@code down} or {@code
 * integrity_failed} within {@code window}. Every such report counts (a service that stays down keeps
 * counting); when the rule fires the window starts empty again, so a resume needs fresh faults to be
 * undone. Thread-safe.
 */
public final class FaultWindow {

    private final int faults;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Instant> lastFault = new TreeMap<>();

    public FaultWindow(int faults, Duration window, Clock clock) {
        if (faults < 1) {
            throw new IllegalArgumentException("faults must be at least 1, got " + faults);
        }
        this.faults = faults;
        this.window = requireNonNull(window, "window");
        this.clock = requireNonNull(clock, "clock");
    }

    /** Is this status a fault for the rule? */
    public static boolean isFault(String status) {
        return "down".equals(status) || HealthEvent.INTEGRITY_FAILED.equals(status);
    }

    /**
     * Records a report; returns the services (sorted) when this report makes the rule fire.
     */
    public synchronized Optional<List<String>> report(String service, String status) {
        Instant now = clock.instant();
        if (!isFault(status)) {
            lastFault.remove(service); // it is back: it no longer counts
            return Optional.empty();
        }
        lastFault.put(service, now);
        lastFault.values().removeIf(at -> at.isBefore(now.minus(window)));
        if (lastFault.size() >= faults) {
            List<String> services = List.copyOf(lastFault.keySet());
            lastFault.clear();
            return Optional.of(services);
        }
        return Optional.empty();
    }
}
