package io.lifeboat.jobs;

import static java.util.Objects.requireNonNull;

import io.lifeboat.domain.Trigger;
import java.time.Duration;
import java.time.Instant;

/**
 * One request to back up a target, whatever asked for it (a schedule, a command, a health event, an
 * alert). {@code key} identifies the request: two requests with the same key are one job, so a
 * repeated alert, a re-sent command or a schedule that fired on two machines runs once. Keys are
 * made from the input, never from a random number, so two Lifeboat processes that see the same input
 * make the same key.
 */
public record JobRequest(String target, Trigger trigger, String key) {

    public JobRequest {
        requireNonNull(target, "target");
        requireNonNull(trigger, "trigger");
        requireNonNull(key, "key");
        if (key.isBlank() || key.length() > 512) {
            throw new IllegalArgumentException("a job key must have 1-512 characters, got " + key.length());
        }
    }

    /**
     * A scheduled slot: one job per target and fire time, however many schedulers fired it. The detail
     * names the cron and the slot, so the history shows which slot a run served.
     */
    public static JobRequest scheduled(String target, String cron, Instant fireTime) {
        Instant slot = fireTime.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return new JobRequest(
                target, Trigger.schedule(cron + " @ " + slot), "schedule:" + target + ":" + slot.getEpochSecond());
    }

    /**
     * A request with no identity of its own: identical ones (same target and trigger type) within the
     * same {@code window}-long slice of time are one job.
     */
    public static JobRequest coalesced(String target, Trigger trigger, Instant now, Duration window) {
        long slice = now.toEpochMilli() / Math.max(1, window.toMillis());
        return new JobRequest(target, trigger, trigger.type() + ":" + target + ":" + slice);
    }
}
