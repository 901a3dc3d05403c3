package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Alert;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.RecoverySet;
import io.lifeboat.domain.Trigger;
import io.lifeboat.events.Events;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.RecoverySets;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./lifeboat backup --all}: one backup of every target started at the same moment (one thread
 * per target; each target still one backup at a time through {@link BackupService}'s lock), then the
 * set manifest {@code sets/<set-id>/set.json} naming each member's verified backup or its failure,
 * in the primary store and, when configured, off-site.
 */
public final class RecoverySetService {

    private static final Logger LOG = LoggerFactory.getLogger(RecoverySetService.class);

    private final LifeboatConfig config;
    private final BackupService service;
    private final BackupStore store;
    private final Events events;
    private final Clock clock;

    public RecoverySetService(
            LifeboatConfig config, BackupService service, BackupStore store, Events events, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.service = requireNonNull(service, "service");
        this.store = requireNonNull(store, "store");
        this.events = requireNonNull(events, "events");
        this.clock = requireNonNull(clock, "clock");
    }

    /** What {@link #backupAll} did: the set as stored, and whether its copy off-site failed (null if fine or not configured). */
    public record Outcome(RecoverySet set, String offsiteError) {}

    /**
     * Backs up every target concurrently and stores the set. {@code memberDone} hears each member as it
     * ends (from the member's thread).
     *
     * @throws IOException if the set manifest cannot be written to the primary store (the member
     *     backups stand on their own)
     */
    public Outcome backupAll(String reason, Consumer<RecoverySet.Member> memberDone) throws IOException {
        requireNonNull(memberDone, "memberDone");
        Instant created = clock.instant();
        String setId = RecoverySet.newId(created);
        List<String> targets = List.copyOf(config.targets().keySet());
        Trigger trigger =
                Trigger.manual("recovery set " + setId + (reason == null || reason.isBlank() ? "" : ": " + reason));
        events.event("set", "started", null, created, Map.of("setId", setId, "targets", targets));
        ExecutorService pool = Executors.newFixedThreadPool(targets.size(), r -> {
            Thread t = new Thread(r, "lifeboat-set-member");
            t.setDaemon(true);
            return t;
        });
        List<RecoverySet.Member> members = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1); // every member starts at the same moment
            List<Future<RecoverySet.Member>> futures = new ArrayList<>();
            for (String target : targets) {
                futures.add(pool.submit(() -> {
                    go.await();
                    RecoverySet.Member member = member(target, trigger);
                    try {
                        memberDone.accept(member);
                    } catch (RuntimeException e) {
                        LOG.warn("reporting member {} failed: {}", target, e.toString());
                    }
                    return member;
                }));
            }
            go.countDown();
            for (int i = 0; i < targets.size(); i++) {
                members.add(result(targets.get(i), futures.get(i)));
            }
        } finally {
            pool.shutdownNow();
        }
        RecoverySet set = new RecoverySet(RecoverySet.FORMAT_VERSION, setId, created, clock.instant(), members);
        RecoverySets.write(store, set);
        String offsiteError = null;
        var copier = service.offsite();
        if (copier.isPresent()) {
            try {
                copier.get().copySet(set);
            } catch (IOException | RuntimeException e) {
                offsiteError = BackupPipeline.message(e);
                events.alert(Alert.firing(
                        OffsiteCopier.COPY_FAILED,
                        "warning",
                        "sets",
                        "Off-site copy of recovery set " + setId + " failed",
                        offsiteError + "\nThe set is stored in the primary store. Retry: ./lifeboat copy --all-missing",
                        clock.instant()));
            }
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("setId", setId);
        fields.put("verified", set.verifiedCount());
        fields.put("members", set.members().size());
        List<String> failed = set.members().stream()
                .filter(m -> !m.ok())
                .map(RecoverySet.Member::target)
                .toList();
        if (!failed.isEmpty()) {
            fields.put("failedTargets", failed);
        }
        if (offsiteError != null) {
            fields.put("offsiteError", offsiteError);
        }
        events.event("set", set.complete() ? "finished" : "failed", null, clock.instant(), fields);
        return new Outcome(set, offsiteError);
    }

    private RecoverySet.Member member(String target, Trigger trigger) {
        try {
            Manifest m = service.backup(target, trigger, new Progress());
            return RecoverySet.Member.verified(target, m.id());
        } catch (BackupFailedException e) {
            return RecoverySet.Member.failed(target, nonBlank(e.getMessage()));
        } catch (RuntimeException e) {
            return RecoverySet.Member.failed(target, "backup failed: " + BackupPipeline.message(e));
        }
    }

    private static RecoverySet.Member result(String target, Future<RecoverySet.Member> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            return RecoverySet.Member.failed(target, "backup failed: " + BackupPipeline.message(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RecoverySet.Member.failed(target, "interrupted");
        }
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? "backup failed" : s;
    }
}
