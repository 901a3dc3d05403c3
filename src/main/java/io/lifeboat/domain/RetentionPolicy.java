package io.lifeboat.domain;

import java.time.Duration;

/**
 * A target's {@code retention}: how many verified backups to keep in each GFS bucket, and a window
 * within which every verified backup is kept. A count of 0 (or an absent key) keeps none by that rule;
 * {@code within} null keeps none by age. A policy with no rule at all keeps everything.
 */
public record RetentionPolicy(int last, int hourly, int daily, int weekly, int monthly, int yearly, Duration within) {

    public static final RetentionPolicy KEEP_ALL = new RetentionPolicy(0, 0, 0, 0, 0, 0, null);

    public RetentionPolicy {
        if (last < 0 || hourly < 0 || daily < 0 || weekly < 0 || monthly < 0 || yearly < 0) {
            throw new IllegalArgumentException("retention counts must not be negative");
        }
        if (within != null && within.isNegative()) {
            throw new IllegalArgumentException("within must not be negative");
        }
    }

    /** No rule set: nothing is pruned. */
    public boolean keepsAll() {
        return last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0 && within == null;
    }
}
