package io.lifeboat.camel;

import static java.util.Objects.requireNonNull;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.CronSchedule;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Trigger;
import io.lifeboat.jobs.JobRequest;
import io.lifeboat.pipeline.BackupFailedException;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bean the routes call: runs one backup job, and finds the targets whose schedule was missed. */
public final class BackupJobs {

    private static final Logger LOG = LoggerFactory.getLogger(BackupJobs.class);
    /** The trigger detail of a catch-up job. */
    static final String CATCH_UP = "catch-up: a scheduled slot passed without a backup";

    private final LifeboatConfig config;
    private final BackupService service;
    private final Catalog catalog;
    private final Clock clock;

    public BackupJobs(LifeboatConfig config, BackupService service, Catalog catalog, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.service = requireNonNull(service, "service");
        this.catalog = requireNonNull(catalog, "catalog");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Runs one backup. A failed backup is already recorded, announced and alerted by the service, so it
     * does not fail the exchange: the answer says what happened.
     */
    public String run(String target, String trigger, String reason) {
        try {
            Manifest m =
                    service.backup(target, new Trigger(trigger == null ? "manual" : trigger, reason), new Progress());
            return "verified " + m.id();
        } catch (io.lifeboat.pipeline.BackupAbortedException e) {
            // thrown so the transacted job-run route rolls back: the job stays queued for the next start
            throw new IllegalStateException("backup of " + target + " " + e.getMessage() + "; its job runs again", e);
        } catch (BackupFailedException e) {
            LOG.warn("backup of {} failed: {}", target, e.getMessage());
            return "failed: " + e.getMessage();
        }
    }

    /**
     * Runs one job from the queue: a scheduled slot already served by a backup that started after the
     * slot was queued (the target was busy while slots piled up) is skipped, so a slow backup on a
     * frequent schedule does not grow an endless queue; every other job runs.
     */
    public String run(String target, String trigger, String reason, String submittedAt) {
        Instant queued = parse(submittedAt);
        Optional<Instant> lastVerified =
                catalog.lastRun(target, "backup", RunRow.SUCCEEDED).map(RunRow::startedAt);
        if (superseded(trigger, queued, lastVerified)) {
            LOG.info(
                    "{}: the scheduled slot queued at {} is served by the backup started at {}; skipped",
                    target,
                    queued,
                    lastVerified.get());
            return "skipped: served by the backup started at " + lastVerified.get();
        }
        return run(target, trigger, reason);
    }

    static boolean superseded(String trigger, Instant queued, Optional<Instant> lastVerifiedStart) {
        return "schedule".equals(trigger)
                && queued != null
                && lastVerifiedStart.map(s -> s.isAfter(queued)).orElse(false);
    }

    private static Instant parse(String instant) {
        try {
            return instant == null ? null : Instant.parse(instant);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** Publishes every target's retained state; the catch-up route calls it once the routes run. */
    public void publishStates() {
        service.publishStates();
    }

    /** Targets whose last attempt is older than the slot that should have fired since: each runs once. */
    public List<String> missedTargets() {
        return config.targets().values().stream()
                .filter(t -> missed(t))
                .map(TargetConfig::name)
                .toList();
    }

    /**
     * One job per target whose scheduled slot was missed. Its key is the first missed slot's schedule
     * key, so a slot some other process already queued (and has not run yet) is not queued twice; a
     * target never attempted gets a key coalesced within {@code artemis.coalesce}.
     */
    public List<JobRequest> catchUpJobs() {
        List<JobRequest> jobs = new java.util.ArrayList<>();
        for (TargetConfig t : config.targets().values()) {
            if (!missed(t)) {
                continue;
            }
            Trigger trigger = Trigger.schedule(CATCH_UP);
            Optional<java.time.Instant> slot =
                    lastAttempt(t).flatMap(a -> new CronSchedule(t.schedule(), TimeZone.getDefault()).next(a));
            jobs.add(slot.map(s -> new JobRequest(
                            t.name(),
                            trigger,
                            JobRequest.scheduled(t.name(), t.schedule(), s).key()))
                    .orElseGet(() -> JobRequest.coalesced(
                            t.name(), trigger, clock.instant(), config.artemis().coalesce())));
        }
        return jobs;
    }

    private Optional<java.time.Instant> lastAttempt(TargetConfig t) {
        return catalog.lastRun(t.name(), "backup")
                .map(r -> r.startedAt())
                .or(() -> catalog.backups(t.name()).stream().findFirst().map(b -> b.startedAt()));
    }

    private boolean missed(TargetConfig t) {
        // the last backup run on record (a drill or verify is no backup attempt), or, with no history (a
        // rebuilt catalog), the newest backup in storage
        Optional<java.time.Instant> lastAttempt = lastAttempt(t);
        boolean missed =
                new CronSchedule(t.schedule(), TimeZone.getDefault()).missedSince(lastAttempt, clock.instant());
        if (missed) {
            LOG.info(
                    "{}: {} - running it once now",
                    t.name(),
                    lastAttempt
                            .map(a -> "a scheduled backup was missed since the last attempt at " + a)
                            .orElse("no backup attempt yet"));
        }
        return missed;
    }
}
