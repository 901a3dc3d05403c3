package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Whether a target's off-site copies lag past its RPO. The off-site store's recovery point is its
 * newest verified copy; it <em>lags</em> when that copy is older than the RPO while the primary holds
 * a newer verified backup (if the primary has nothing newer, the primary's own RPO alert says so).
 * With no verified copy off-site at all, the off-site store has been behind since the oldest verified
 * backup on the primary, so a first backup is not reported lagging while its copy is under way.
 *
 * @param newestCopyId the newest verified off-site copy, or null
 * @param newestCopyAt when that backup finished (its recovery point), or null
 * @param behindSince since when the off-site store has been behind the primary, or null when it is not
 * @param missing how many verified backups on the primary are newer than the newest off-site copy
 * @param newestPrimaryId the newest verified backup on the primary, or null
 */
public record OffsiteLag(
        String target,
        boolean lagging,
        String newestCopyId,
        Instant newestCopyAt,
        Instant behindSince,
        int missing,
        String newestPrimaryId,
        String reason) {

    public OffsiteLag {
        requireNonNull(target, "target");
        requireNonNull(reason, "reason");
    }

    /** A verified backup: its id (ids sort by time) and when it finished. */
    public record Point(String id, Instant finishedAt) {
        public Point {
            requireNonNull(id, "id");
            requireNonNull(finishedAt, "finishedAt");
        }
    }

    /**
     * Assesses one target at {@code now}.
     *
     * @param primaryVerified the verified backups on the primary store, in any order
     * @param offsiteVerified the verified copies in the off-site store, in any order
     */
    public static OffsiteLag assess(
            String target, Duration rpo, Instant now, List<Point> primaryVerified, List<Point> offsiteVerified) {
        requireNonNull(rpo, "rpo");
        requireNonNull(now, "now");
        Comparator<Point> byId = Comparator.comparing(Point::id);
        Point newestPrimary = primaryVerified.stream().max(byId).orElse(null);
        Point newestCopy = offsiteVerified.stream().max(byId).orElse(null);
        String copyId = newestCopy == null ? null : newestCopy.id();
        Instant copyAt = newestCopy == null ? null : newestCopy.finishedAt();
        if (newestPrimary == null) {
            return new OffsiteLag(
                    target, false, copyId, copyAt, null, 0, null, "no verified backup on the primary store");
        }
        List<Point> newer = primaryVerified.stream()
                .filter(p -> newestCopy == null || p.id().compareTo(newestCopy.id()) > 0)
                .toList();
        if (newer.isEmpty()) {
            return new OffsiteLag(
                    target, false, copyId, copyAt, null, 0, newestPrimary.id(), "the newest backup is copied");
        }
        Instant behindSince = newestCopy != null
                ? newestCopy.finishedAt()
                : newer.stream()
                        .map(Point::finishedAt)
                        .min(Comparator.naturalOrder())
                        .orElseThrow();
        Duration behind = Duration.between(behindSince, now);
        boolean lagging = behind.compareTo(rpo) > 0;
        String what = newestCopy == null
                ? "no verified off-site copy; the oldest verified backup not copied finished "
                        + Durations.format(behind) + " ago"
                : "the newest verified off-site copy is " + Durations.format(behind) + " old";
        String reason = what + " (RPO " + Durations.format(rpo) + "), " + newer.size()
                + " newer verified backup(s) on the primary not copied";
        return new OffsiteLag(target, lagging, copyId, copyAt, behindSince, newer.size(), newestPrimary.id(), reason);
    }
}
