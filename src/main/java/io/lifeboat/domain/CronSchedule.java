package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * A target's Quartz cron schedule, and the catch-up rule: after downtime, a target whose last attempt
 * is older than the slot that should have fired since runs once, not once per missed slot.
 */
public final class CronSchedule {

    private final String expression;
    private final CronExpression cron;

    public CronSchedule(String expression, TimeZone zone) {
        this.expression = requireNonNull(expression, "expression");
        try {
            this.cron = new CronExpression(expression);
        } catch (ParseException e) {
            throw new IllegalArgumentException("bad cron '" + expression + "': " + e.getMessage(), e);
        }
        cron.setTimeZone(requireNonNull(zone, "zone"));
    }

    public String expression() {
        return expression;
    }

    public Optional<Instant> next(Instant after) {
        Date next = cron.getNextValidTimeAfter(Date.from(after));
        return Optional.ofNullable(next).map(Date::toInstant);
    }

    /**
     * Whether a slot was missed: true when there was no attempt at all, or when the first slot after the
     * last attempt lies in the past. However many slots were missed, the answer is one run.
     */
    public boolean missedSince(Optional<Instant> lastAttempt, Instant now) {
        if (lastAttempt.isEmpty()) {
            return true;
        }
        return next(lastAttempt.get()).map(slot -> slot.isBefore(now)).orElse(false);
    }
}
