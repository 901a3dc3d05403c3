package io.lifeboat.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.domain.RetentionPlanner.Backup;
import io.lifeboat.domain.RetentionPlanner.Decision;
import io.lifeboat.domain.RetentionPlanner.Plan;
import io.lifeboat.domain.RetentionPlanner.Status;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The retention planner alone: worked examples, then properties over seeded random histories. */
class RetentionPlannerTest {

    static final Duration GRACE = Duration.ofHours(24);
    static final Instant NOW = Instant.parse("2026-11-23T12:30:00Z"); // a Monday, ISO week 2026-W48

    // ---- examples

    @Test
    void aYearOfHourlyBackupsKeepsExactlyWhatThePolicySays() {
        // one verified backup every hour for 365 days, the newest at 12:00 today
        List<Backup> history = new ArrayList<>();
        Instant newest = Instant.parse("2026-11-23T12:00:00Z");
        for (int h = 0; h < 365 * 24; h++) {
            history.add(verified(newest.minus(Duration.ofHours(h))));
        }
        RetentionPolicy policy = new RetentionPolicy(3, 0, 7, 4, 12, 2, null);

        Plan plan = RetentionPlanner.plan(policy, history, NOW, GRACE);

        Map<String, List<String>> kept = new TreeMap<>(Collections.reverseOrder());
        plan.kept().forEach(d -> kept.put(d.backup().time().toString(), d.reasons()));
        Map<String, List<String>> expected = new TreeMap<>(Collections.reverseOrder());
        expected.put(
                "2026-11-23T12:00:00Z",
                List.of(
                        "newest verified",
                        "last 3",
                        "daily 2026-11-23",
                        "weekly 2026-W48",
                        "monthly 2026-11",
                        "yearly 2026"));
        expected.put("2026-11-23T11:00:00Z", List.of("last 3"));
        expected.put("2026-11-23T10:00:00Z", List.of("last 3"));
        expected.put("2026-11-22T23:00:00Z", List.of("daily 2026-11-22", "weekly 2026-W47"));
        expected.put("2026-11-21T23:00:00Z", List.of("daily 2026-11-21"));
        expected.put("2026-11-20T23:00:00Z", List.of("daily 2026-11-20"));
        expected.put("2026-11-19T23:00:00Z", List.of("daily 2026-11-19"));
        expected.put("2026-11-18T23:00:00Z", List.of("daily 2026-11-18"));
        expected.put("2026-11-17T23:00:00Z", List.of("daily 2026-11-17"));
        expected.put("2026-11-15T23:00:00Z", List.of("weekly 2026-W46"));
        expected.put("2026-11-08T23:00:00Z", List.of("weekly 2026-W45"));
        expected.put("2026-10-31T23:00:00Z", List.of("monthly 2026-10"));
        expected.put("2026-09-30T23:00:00Z", List.of("monthly 2026-09"));
        expected.put("2026-08-31T23:00:00Z", List.of("monthly 2026-08"));
        expected.put("2026-07-31T23:00:00Z", List.of("monthly 2026-07"));
        expected.put("2026-06-30T23:00:00Z", List.of("monthly 2026-06"));
        expected.put("2026-05-31T23:00:00Z", List.of("monthly 2026-05"));
        expected.put("2026-04-30T23:00:00Z", List.of("monthly 2026-04"));
        expected.put("2026-03-31T23:00:00Z", List.of("monthly 2026-03"));
        expected.put("2026-02-28T23:00:00Z", List.of("monthly 2026-02"));
        expected.put("2026-01-31T23:00:00Z", List.of("monthly 2026-01"));
        expected.put("2025-12-31T23:00:00Z", List.of("monthly 2025-12", "yearly 2025"));
        assertThat(kept).containsExactlyEntriesOf(expected);

        assertThat(plan.deleted())
                .hasSize(365 * 24 - 22)
                .allSatisfy(d -> assertThat(d.reasons()).containsExactly("no rule keeps it"));
        assertThat(plan.decisions()).extracting(d -> d.backup().time()).isSortedAccordingTo((a, b) -> b.compareTo(a));
    }

    @Test
    void periodsWithoutABackupDoNotCount() {
        // daily backups with a gap of ten days: daily 3 still keeps three backups, reaching over the gap
        List<Backup> history = List.of(
                verified("2026-11-23T02:00:00Z"),
                verified("2026-11-22T02:00:00Z"),
                verified("2026-11-10T02:00:00Z"),
                verified("2026-11-09T02:00:00Z"));
        Plan plan = RetentionPlanner.plan(new RetentionPolicy(0, 0, 3, 0, 0, 0, null), history, NOW, GRACE);
        assertThat(keptTimes(plan))
                .containsExactly("2026-11-23T02:00:00Z", "2026-11-22T02:00:00Z", "2026-11-10T02:00:00Z");
    }

    @Test
    void whenTheHistoryIsShorterThanTheCountTheOldestIsKeptAsResticDoes() {
        // two backups the same day: daily 5 keeps the newest of the day and, counts left, the oldest too
        List<Backup> history = List.of(
                verified("2026-11-23T09:00:00Z"), verified("2026-11-23T05:00:00Z"), verified("2026-11-23T01:00:00Z"));
        Plan plan = RetentionPlanner.plan(new RetentionPolicy(0, 0, 5, 0, 0, 0, null), history, NOW, GRACE);
        assertThat(plan.decision(id("2026-11-23T01:00:00Z")).orElseThrow().reasons())
                .containsExactly("daily 2026-11-23 (oldest)");
        assertThat(plan.decision(id("2026-11-23T05:00:00Z")).orElseThrow().keep())
                .isFalse();
    }

    @Test
    void withinKeepsEveryVerifiedBackupCloseToTheNewestOne() {
        List<Backup> history = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            history.add(verified(Instant.parse("2026-11-13T06:00:00Z").minus(Duration.ofDays(d))));
        }
        // backups stopped ten days ago: within 3d counts from the newest backup, not from now
        Plan plan =
                RetentionPlanner.plan(new RetentionPolicy(0, 0, 0, 0, 0, 0, Duration.ofDays(3)), history, NOW, GRACE);
        assertThat(keptTimes(plan))
                .containsExactly("2026-11-13T06:00:00Z", "2026-11-12T06:00:00Z", "2026-11-11T06:00:00Z");
        assertThat(plan.decision(id("2026-11-13T06:00:00Z")).orElseThrow().reasons())
                .containsExactly("newest verified", "within 3d");
        assertThat(plan.decision(id("2026-11-12T06:00:00Z")).orElseThrow().reasons())
                .containsExactly("within 3d");
        assertThat(plan.decision(id("2026-11-10T06:00:00Z")).orElseThrow().keep())
                .as("exactly 3 days before the newest is outside the window")
                .isFalse();
    }

    @Test
    void aClockThatRanAheadDoesNotWidenTheWithinWindow() {
        List<Backup> history = List.of(
                verified("2026-12-30T00:00:00Z"), // written by a host whose clock was wrong
                verified("2026-11-23T00:00:00Z"),
                verified("2026-11-20T00:00:00Z"));
        Plan plan =
                RetentionPlanner.plan(new RetentionPolicy(0, 0, 0, 0, 0, 0, Duration.ofDays(2)), history, NOW, GRACE);
        assertThat(keptTimes(plan)).containsExactly("2026-12-30T00:00:00Z", "2026-11-23T00:00:00Z");
    }

    @Test
    void unverifiedBackupsCountForNoRuleAndAreLeftoversAfterTheGrace() {
        List<Backup> history = List.of(
                new Backup(id("2026-11-23T11:00:00Z"), t("2026-11-23T11:00:00Z"), Status.UNVERIFIED, null),
                new Backup(id("2026-11-23T10:00:00Z"), t("2026-11-23T10:00:00Z"), Status.FAILED, null),
                verified("2026-11-23T09:00:00Z"),
                new Backup(id("2026-11-21T10:00:00Z"), t("2026-11-21T10:00:00Z"), Status.UNVERIFIED, null),
                new Backup(id("2026-11-20T10:00:00Z"), t("2026-11-20T10:00:00Z"), Status.FAILED, null),
                // verified long ago, its re-verification failed an hour ago: the grace counts from that attempt
                new Backup(
                        id("2026-10-01T10:00:00Z"),
                        t("2026-10-01T10:00:00Z"),
                        Status.FAILED,
                        t("2026-11-23T11:30:00Z")));
        Plan plan = RetentionPlanner.plan(new RetentionPolicy(1, 0, 0, 0, 0, 0, null), history, NOW, GRACE);

        assertThat(reasonsById(plan))
                .containsExactly(
                        Map.entry(id("2026-11-23T11:00:00Z"), "KEEP unverified, within grace"),
                        Map.entry(id("2026-11-23T10:00:00Z"), "KEEP unverified, within grace (verification failed)"),
                        Map.entry(id("2026-11-23T09:00:00Z"), "KEEP newest verified, last 1"),
                        Map.entry(id("2026-11-21T10:00:00Z"), "DELETE unverified leftover older than 24h"),
                        Map.entry(
                                id("2026-11-20T10:00:00Z"),
                                "DELETE unverified leftover older than 24h (verification failed)"),
                        Map.entry(id("2026-10-01T10:00:00Z"), "KEEP unverified, within grace (verification failed)"));
    }

    @Test
    void theNewestVerifiedBackupSurvivesEvenWhenOnlyUnverifiedOnesAreNewer() {
        List<Backup> history = List.of(
                new Backup(id("2026-11-23T11:00:00Z"), t("2026-11-23T11:00:00Z"), Status.FAILED, null),
                verified("2025-01-01T00:00:00Z"));
        // within 0s selects nothing: only the rule 'newest verified' protects it
        Plan plan = RetentionPlanner.plan(new RetentionPolicy(0, 0, 0, 0, 0, 0, Duration.ZERO), history, NOW, GRACE);
        assertThat(plan.decision(id("2025-01-01T00:00:00Z")).orElseThrow().reasons())
                .containsExactly("newest verified");
    }

    @Test
    void aPolicyWithoutRulesKeepsEverything() {
        List<Backup> history = List.of(
                verified("2020-01-01T00:00:00Z"),
                new Backup(id("2019-01-01T00:00:00Z"), t("2019-01-01T00:00:00Z"), Status.FAILED, null));
        Plan plan = RetentionPlanner.plan(RetentionPolicy.KEEP_ALL, history, NOW, GRACE);
        assertThat(plan.deleted()).isEmpty();
        assertThat(plan.kept()).allSatisfy(d -> assertThat(d.reasons()).containsExactly("no retention policy"));
    }

    @Test
    void hostileInputIsRefusedClearly() {
        Backup b = verified("2026-11-23T00:00:00Z");
        assertThatThrownBy(() -> RetentionPlanner.plan(RetentionPolicy.KEEP_ALL, List.of(b, b), NOW, GRACE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> RetentionPlanner.plan(
                        new RetentionPolicy(1, 0, 0, 0, 0, 0, null), List.of(b), NOW, Duration.ofHours(-1)))
                .hasMessageContaining("grace must not be negative");
        List<Backup> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> RetentionPlanner.plan(RetentionPolicy.KEEP_ALL, withNull, NOW, GRACE))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("backup");
        assertThatThrownBy(() -> new Backup(null, NOW, Status.VERIFIED, null)).hasMessageContaining("id");
        assertThatThrownBy(() -> new RetentionPolicy(-1, 0, 0, 0, 0, 0, null)).hasMessageContaining("negative");
    }

    @Test
    void anEmptyHistoryPlansNothingAndAnOversizedCountKeepsAll() {
        assertThat(RetentionPlanner.plan(new RetentionPolicy(3, 0, 0, 0, 0, 0, null), List.of(), NOW, GRACE)
                        .decisions())
                .isEmpty();
        List<Backup> history = List.of(verified("2026-11-23T00:00:00Z"), verified("2026-11-22T00:00:00Z"));
        Plan plan = RetentionPlanner.plan(
                new RetentionPolicy(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, null),
                history,
                NOW,
                GRACE);
        assertThat(plan.deleted()).isEmpty();
    }

    // ---- properties over random histories

    @Test
    void propertiesHoldOverRandomHistories() {
        for (long seed = 1; seed <= 1000; seed++) {
            Random random = new Random(seed);
            List<Backup> history = randomHistory(random);
            RetentionPolicy policy = randomPolicy(random);
            Instant now = NOW.plus(Duration.ofMinutes(random.nextInt(60 * 24 * 3)));
            Plan plan = RetentionPlanner.plan(policy, history, now, GRACE);
            String where = "seed " + seed + ", policy " + policy + ", " + history.size() + " backups";

            // every backup has exactly one decision
            assertThat(plan.decisions())
                    .as(where)
                    .extracting(d -> d.backup())
                    .containsExactlyInAnyOrderElementsOf(history);

            // the newest verified backup always survives
            history.stream()
                    .filter(Backup::verified)
                    .max((a, b) ->
                            a.time().compareTo(b.time()) != 0 ? a.time().compareTo(b.time()) : a.id().compareTo(b.id()))
                    .ifPresent(newest -> assertThat(
                                    plan.decision(newest.id()).orElseThrow().keep())
                            .as(where + ": newest verified " + newest.id())
                            .isTrue());

            // every kept backup names at least one rule, every deleted one a reason
            assertThat(plan.decisions())
                    .as(where)
                    .allSatisfy(d -> assertThat(d.reasons())
                            .isNotEmpty()
                            .allSatisfy(r -> assertThat(r).isNotBlank()));

            // the order the backups come in does not matter
            List<Backup> shuffled = new ArrayList<>(history);
            Collections.shuffle(shuffled, random);
            assertThat(RetentionPlanner.plan(policy, shuffled, now, GRACE))
                    .as(where + ": shuffled")
                    .isEqualTo(plan);

            // no verified backup that a rule selects is deleted (checked against a set-based oracle)
            Set<String> selected = oracle(policy, history, now);
            assertThat(plan.deleted())
                    .as(where)
                    .noneMatch(d -> selected.contains(d.backup().id()));
            if (!policy.keepsAll()) {
                Set<String> keptVerified = plan.kept().stream()
                        .filter(d -> d.backup().verified())
                        .map(d -> d.backup().id())
                        .collect(Collectors.toSet());
                assertThat(selected).as(where).isSubsetOf(keptVerified);
            }

            // unverified backups: kept within the grace, deleted after it (unless there is no policy)
            for (Decision d : plan.decisions()) {
                if (!d.backup().verified()) {
                    boolean young = d.backup().lastActivity().plus(GRACE).isAfter(now);
                    assertThat(d.keep()).as(where + ": " + d).isEqualTo(young || policy.keepsAll());
                }
            }

            // planning again over what was kept keeps all of it
            List<Backup> kept = plan.kept().stream().map(Decision::backup).toList();
            assertThat(RetentionPlanner.plan(policy, kept, now, GRACE).deleted())
                    .as(where + ": second pass")
                    .isEmpty();
        }
    }

    /** Which verified backups the rules select, computed as sets rather than by restic's walk. */
    private static Set<String> oracle(RetentionPolicy policy, List<Backup> history, Instant now) {
        List<Backup> verified = history.stream()
                .filter(Backup::verified)
                .sorted((a, b) ->
                        a.time().compareTo(b.time()) != 0 ? b.time().compareTo(a.time()) : b.id().compareTo(a.id()))
                .toList();
        Set<String> ids = new HashSet<>();
        if (verified.isEmpty()) {
            return ids;
        }
        ids.add(verified.get(0).id()); // newest verified
        verified.stream().limit(policy.last()).forEach(b -> ids.add(b.id()));
        newestOfNewestPeriods(verified, policy.hourly(), t -> t.truncatedTo(ChronoUnit.HOURS), ids);
        newestOfNewestPeriods(verified, policy.daily(), t -> t.truncatedTo(ChronoUnit.DAYS), ids);
        newestOfNewestPeriods(
                verified,
                policy.weekly(),
                t -> t.get(IsoFields.WEEK_BASED_YEAR) * 100 + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR),
                ids);
        newestOfNewestPeriods(verified, policy.monthly(), t -> t.getYear() * 100 + t.getMonthValue(), ids);
        newestOfNewestPeriods(verified, policy.yearly(), ZonedDateTime::getYear, ids);
        if (policy.within() != null) {
            Instant anchor =
                    verified.get(0).time().isAfter(now) ? now : verified.get(0).time();
            verified.stream()
                    .filter(b -> b.time().isAfter(anchor.minus(policy.within())))
                    .forEach(b -> ids.add(b.id()));
        }
        return ids;
    }

    private static void newestOfNewestPeriods(
            List<Backup> newestFirst, int count, Function<ZonedDateTime, Object> period, Set<String> ids) {
        Map<Object, Backup> newestOfPeriod = new java.util.LinkedHashMap<>();
        for (Backup b : newestFirst) {
            newestOfPeriod.putIfAbsent(period.apply(b.time().atZone(ZoneOffset.UTC)), b);
        }
        newestOfPeriod.values().stream().limit(count).forEach(b -> ids.add(b.id()));
    }

    private static List<Backup> randomHistory(Random random) {
        int n = random.nextInt(5) == 0 ? random.nextInt(4) : random.nextInt(300);
        // some histories are dense (minutes apart), some sparse (weeks apart); some cross a year end
        long spanMinutes =
                List.of(60L * 6, 60L * 24 * 10, 60L * 24 * 120, 60L * 24 * 900).get(random.nextInt(4));
        Instant end = NOW.plus(Duration.ofHours(random.nextInt(48) - 40));
        List<Backup> history = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Instant time = end.minus(Duration.ofMinutes((long) (random.nextDouble() * spanMinutes)))
                    .truncatedTo(ChronoUnit.SECONDS);
            if (random.nextInt(10) == 0 && !history.isEmpty()) {
                time = history.get(random.nextInt(history.size())).time(); // two backups in the same second
            }
            String id = randomId(time, random);
            if (!ids.add(id)) {
                continue;
            }
            int s = random.nextInt(10);
            Status status = s < 7 ? Status.VERIFIED : s < 9 ? Status.FAILED : Status.UNVERIFIED;
            Instant activity = random.nextBoolean() ? time.plus(Duration.ofHours(random.nextInt(72))) : null;
            history.add(new Backup(id, time, status, activity));
        }
        return history;
    }

    private static String randomId(Instant time, Random random) {
        return BackupId.at(time).value().substring(0, 17) + String.format("%06x", random.nextInt(1 << 24));
    }

    private static RetentionPolicy randomPolicy(Random random) {
        if (random.nextInt(12) == 0) {
            return RetentionPolicy.KEEP_ALL;
        }
        int[] c = new int[6];
        for (int i = 0; i < 6; i++) {
            c[i] = random.nextInt(3) == 0 ? 0 : random.nextInt(8);
        }
        int w = random.nextInt(6);
        // within 0s selects nothing: only the newest-verified rule keeps the newest then
        Duration within = w == 0 ? Duration.ZERO : w == 1 ? Duration.ofHours(1 + random.nextInt(24 * 20)) : null;
        return new RetentionPolicy(c[0], c[1], c[2], c[3], c[4], c[5], within);
    }

    // ---- helpers

    private static Backup verified(String time) {
        return verified(t(time));
    }

    private static Backup verified(Instant time) {
        return new Backup(id(time), time, Status.VERIFIED, null);
    }

    private static Instant t(String time) {
        return Instant.parse(time);
    }

    private static String id(String time) {
        return id(t(time));
    }

    private static String id(Instant time) {
        return BackupId.at(time).value().substring(0, 17) + "000000";
    }

    private static List<String> keptTimes(Plan plan) {
        return plan.kept().stream().map(d -> d.backup().time().toString()).toList();
    }

    private static Map<String, String> reasonsById(Plan plan) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        plan.decisions().forEach(d -> out.put(d.backup().id(), (d.keep() ? "KEEP " : "DELETE ") + d.reason()));
        return out;
    }
}
