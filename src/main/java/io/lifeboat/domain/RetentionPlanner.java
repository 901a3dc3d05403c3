package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides which of a target's backups a {@link RetentionPolicy} keeps and which it deletes, and why.
 * Plain Java, no I/O: the same input always gives the same plan, whatever order the backups come in.
 *
 * <p>The rules are those of {@code restic forget} (and {@code borg prune}):
 *
 * <ul>
 *   <li>Only <b>verified</b> backups count for the rules (PRODUCT.md rule 1).
 *   <li>{@code last N} keeps the N newest verified backups.
 *   <li>{@code hourly|daily|weekly|monthly|yearly N}: walking the verified backups newest first, the
 *       first backup seen in each new period (UTC hour, day, ISO week, month, year) is kept, until N
 *       periods have had one kept. Periods without a backup do not count: {@code daily 7} keeps the
 *       newest backup of each of the 7 newest days that have one, however far apart they are. If the
 *       history runs out before N periods were used, the oldest verified backup is kept as well (as
 *       restic does, to keep the history as long as the policy allows).
 *   <li>{@code within D} keeps every verified backup taken less than D before the newest verified one
 *       (as restic does: measured from the newest backup, not from now, so backups that stop coming
 *       never make the window eat the history). The newest is capped at {@code now}: a clock that ran
 *       ahead does not widen the window.
 *   <li>The newest verified backup is never deleted, whatever the policy.
 *   <li>A backup that is not verified (its newest verification failed, or it has none) counts for no
 *       rule: it is kept while younger than {@code grace} (counted from its last activity: its end or
 *       its newest verification attempt), then deleted as a leftover.
 *   <li>A policy with no rule ({@link RetentionPolicy#keepsAll()}) keeps every backup, leftovers too.
 * </ul>
 */
public final class RetentionPlanner {

    /** Whether a backup counts: its newest verification matched, failed, or there is none yet. */
    public enum Status {
        VERIFIED,
        FAILED,
        UNVERIFIED
    }

    /**
     * One backup of a target, as the planner needs it.
     *
     * @param id the backup id (unique within the target; ties in time are broken by it)
     * @param time when the backup was taken (its start, as in the id); the periods are taken from it
     * @param status its verification state
     * @param lastActivity its end or its newest verification attempt, whichever is later: a leftover's
     *     grace period counts from it
     */
    public record Backup(String id, Instant time, Status status, Instant lastActivity) {
        public Backup {
            requireNonNull(id, "id");
            requireNonNull(time, "time");
            requireNonNull(status, "status");
            lastActivity = lastActivity == null || lastActivity.isBefore(time) ? time : lastActivity;
        }

        public boolean verified() {
            return status == Status.VERIFIED;
        }
    }

    /** What happens to one backup: kept with the rules that keep it, or deleted with the reason. */
    public record Decision(Backup backup, boolean keep, List<String> reasons) {
        public Decision {
            requireNonNull(backup, "backup");
            reasons = List.copyOf(requireNonNull(reasons, "reasons"));
            if (reasons.isEmpty()) {
                throw new IllegalArgumentException("a decision needs a reason");
            }
        }

        /** The reasons in one line, e.g. {@code newest verified, last 3, daily 2026-11-23}. */
        public String reason() {
            return String.join(", ", reasons);
        }
    }

    /** The decisions for every backup, newest first. */
    public record Plan(List<Decision> decisions) {
        public Plan {
            decisions = List.copyOf(requireNonNull(decisions, "decisions"));
        }

        public List<Decision> kept() {
            return decisions.stream().filter(Decision::keep).toList();
        }

        public List<Decision> deleted() {
            return decisions.stream().filter(d -> !d.keep()).toList();
        }

        public Optional<Decision> decision(String id) {
            return decisions.stream().filter(d -> d.backup().id().equals(id)).findFirst();
        }
    }

    public static final String NEWEST_VERIFIED = "newest verified";
    public static final String NO_POLICY = "no retention policy";
    public static final String NO_RULE = "no rule keeps it";

    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu-MM-dd");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("uuuu-MM");
    private static final Comparator<Backup> NEWEST_FIRST =
            Comparator.comparing(Backup::time).thenComparing(Backup::id).reversed();

    private RetentionPlanner() {}

    /**
     * Plans {@code backups} (one target's) under {@code policy} at {@code now}; unverified backups whose
     * last activity is more than {@code grace} before {@code now} are leftovers.
     *
     * @throws IllegalArgumentException if two backups have the same id
     */
    public static Plan plan(RetentionPolicy policy, Collection<Backup> backups, Instant now, Duration grace) {
        requireNonNull(policy, "policy");
        requireNonNull(backups, "backups");
        requireNonNull(now, "now");
        requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative");
        }
        List<Backup> sorted = new ArrayList<>(backups);
        sorted.forEach(b -> requireNonNull(b, "backup"));
        sorted.sort(NEWEST_FIRST);
        Set<String> ids = new HashSet<>();
        for (Backup b : sorted) {
            if (!ids.add(b.id())) {
                throw new IllegalArgumentException("backup " + b.id() + " is listed twice");
            }
        }
        if (policy.keepsAll()) {
            return new Plan(sorted.stream()
                    .map(b -> new Decision(b, true, List.of(NO_POLICY)))
                    .toList());
        }

        List<Backup> verified = sorted.stream().filter(Backup::verified).toList();
        Map<String, List<String>> keptBy = new LinkedHashMap<>();
        if (!verified.isEmpty()) {
            keptBy.computeIfAbsent(verified.get(0).id(), k -> new ArrayList<>()).add(NEWEST_VERIFIED);
        }
        applyWithin(policy, verified, now, keptBy);
        applyLast(policy.last(), verified, keptBy);
        applyBucket("hourly", policy.hourly(), verified, t -> HOUR.format(t), keptBy);
        applyBucket("daily", policy.daily(), verified, t -> DAY.format(t), keptBy);
        applyBucket("weekly", policy.weekly(), verified, RetentionPlanner::isoWeek, keptBy);
        applyBucket("monthly", policy.monthly(), verified, t -> MONTH.format(t), keptBy);
        applyBucket("yearly", policy.yearly(), verified, t -> String.valueOf(t.getYear()), keptBy);

        String graceText = format(grace);
        List<Decision> decisions = new ArrayList<>(sorted.size());
        for (Backup b : sorted) {
            if (b.verified()) {
                List<String> reasons = keptBy.get(b.id());
                decisions.add(
                        reasons == null ? new Decision(b, false, List.of(NO_RULE)) : new Decision(b, true, reasons));
            } else {
                String why = b.status() == Status.FAILED ? " (verification failed)" : "";
                boolean young = b.lastActivity().plus(grace).isAfter(now);
                decisions.add(
                        young
                                ? new Decision(b, true, List.of("unverified, within grace" + why))
                                : new Decision(b, false, List.of("unverified leftover older than " + graceText + why)));
            }
        }
        return new Plan(decisions);
    }

    private static void applyWithin(
            RetentionPolicy policy, List<Backup> verified, Instant now, Map<String, List<String>> keptBy) {
        if (policy.within() == null || verified.isEmpty()) {
            return;
        }
        Instant newest = verified.get(0).time();
        Instant anchor = newest.isAfter(now) ? now : newest;
        Instant from = anchor.minus(policy.within());
        String reason = "within " + format(policy.within());
        for (Backup b : verified) {
            if (b.time().isAfter(from)) {
                keptBy.computeIfAbsent(b.id(), k -> new ArrayList<>()).add(reason);
            }
        }
    }

    private static void applyLast(int count, List<Backup> verified, Map<String, List<String>> keptBy) {
        for (int i = 0; i < Math.min(count, verified.size()); i++) {
            keptBy.computeIfAbsent(verified.get(i).id(), k -> new ArrayList<>()).add("last " + count);
        }
    }

    /** restic's bucket walk: newest first, keep the first backup of each new period until the count is used. */
    private static void applyBucket(
            String name,
            int count,
            List<Backup> verified,
            Function<ZonedDateTime, String> period,
            Map<String, List<String>> keptBy) {
        int left = count;
        String lastPeriod = null;
        for (int i = 0; i < verified.size() && left > 0; i++) {
            Backup b = verified.get(i);
            String p = period.apply(b.time().atZone(ZoneOffset.UTC));
            boolean oldest = i == verified.size() - 1;
            if (!p.equals(lastPeriod) || oldest) {
                String reason = name + " " + p + (p.equals(lastPeriod) ? " (oldest)" : "");
                keptBy.computeIfAbsent(b.id(), k -> new ArrayList<>()).add(reason);
                lastPeriod = p;
                left--;
            }
        }
    }

    /** The policy in words: {@code last 3, daily 7, within 3d}, or {@code keep everything (no rules)}. */
    public static String describe(RetentionPolicy p) {
        requireNonNull(p, "policy");
        if (p.keepsAll()) {
            return "keep everything (no rules)";
        }
        List<String> parts = new ArrayList<>();
        int[] counts = {p.last(), p.hourly(), p.daily(), p.weekly(), p.monthly(), p.yearly()};
        String[] names = {"last", "hourly", "daily", "weekly", "monthly", "yearly"};
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                parts.add(names[i] + " " + counts[i]);
            }
        }
        if (p.within() != null) {
            parts.add("within " + format(p.within()));
        }
        return String.join(", ", parts);
    }

    /** {@code 24h}, {@code 36h}, {@code 3d}, {@code 90m}: whole days from two days on, else whole hours. */
    public static String format(Duration d) {
        long seconds = d.getSeconds();
        if (d.getNano() == 0 && seconds >= 2 * 86400 && seconds % 86400 == 0) {
            return seconds / 86400 + "d";
        }
        if (d.getNano() == 0 && seconds > 0 && seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return Durations.format(d);
    }

    private static String isoWeek(ZonedDateTime t) {
        return String.format("%d-W%02d", t.get(IsoFields.WEEK_BASED_YEAR), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }
}
