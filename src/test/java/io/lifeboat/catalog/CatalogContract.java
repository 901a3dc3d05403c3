package io.lifeboat.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.Json;
import io.lifeboat.domain.BackupId;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Verification;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every catalog database must do; {@link CatalogTest} runs it on H2, {@link CatalogIT} on PostgreSQL. */
abstract class CatalogContract {

    static final Instant T0 = Instant.parse("2026-03-01T02:00:00Z");
    static final String SHA = "a".repeat(64);
    static final String HOSTILE = "x'; drop table backups; --";

    Catalog catalog;

    /** A new, empty catalog. */
    abstract Catalog openCatalog() throws Exception;

    /** Another catalog on the same database as the one {@link #openCatalog()} returned. */
    abstract Catalog openAgain() throws Exception;

    @BeforeEach
    void open() throws Exception {
        catalog = openCatalog();
    }

    @AfterEach
    void close() {
        if (catalog != null) {
            catalog.close();
        }
    }

    // ---- runs

    @Test
    void aRunIsRecordedFromStartToFinish() {
        long run = catalog.runStarted("app-db", "backup", Trigger.schedule("0 0 2 * * ?"), T0);

        RunRow running = catalog.lastRun("app-db").orElseThrow();
        assertThat(running.runId()).isEqualTo(run);
        assertThat(running.result()).isEqualTo("running");
        assertThat(running.running()).isTrue();
        assertThat(running.trigger()).isEqualTo(Trigger.schedule("0 0 2 * * ?"));
        assertThat(running.startedAt()).isEqualTo(T0);
        assertThat(running.finishedAt()).isNull();

        catalog.runFinished(run, "succeeded", "20260301T020000Z-abc123", null, "pg_dump: done", T0.plusSeconds(42));

        RunRow done = catalog.lastRun("app-db").orElseThrow();
        assertThat(done)
                .isEqualTo(new RunRow(
                        run,
                        "app-db",
                        "backup",
                        Trigger.schedule("0 0 2 * * ?"),
                        T0,
                        T0.plusSeconds(42),
                        "succeeded",
                        "20260301T020000Z-abc123",
                        null,
                        "pg_dump: done",
                        null));
    }

    @Test
    void aFailedRunKeepsItsErrorAndStderr() {
        long run = catalog.runStarted("cache", "verify", Trigger.manual("operator asked"), T0);
        catalog.runFinished(run, "failed", null, "sha256 mismatch", "line 1\nline 2", T0.plusSeconds(1));

        RunRow failed = catalog.lastRun("cache").orElseThrow();
        assertThat(failed.result()).isEqualTo("failed");
        assertThat(failed.operation()).isEqualTo("verify");
        assertThat(failed.error()).isEqualTo("sha256 mismatch");
        assertThat(failed.stderr()).isEqualTo("line 1\nline 2");
        assertThat(failed.backupId()).isNull();
    }

    @Test
    void stderrIsBoundedKeepingItsEndAndWithoutNulCharacters() {
        long run = catalog.runStarted("app-db", "backup", Trigger.manual(null), T0);
        String huge = "noise ü\u0000".repeat(10_000) + "pg_dump: error: connection refused";
        catalog.runFinished(run, "failed", null, "x".repeat(100_000), huge, T0.plusSeconds(1));

        RunRow row = catalog.lastRun("app-db").orElseThrow();
        assertThat(row.stderr().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(16 * 1024)
                .isGreaterThan(15 * 1024);
        assertThat(row.stderr()).endsWith("pg_dump: error: connection refused").doesNotContain("\u0000");
        assertThat(row.error()).hasSizeLessThanOrEqualTo(16 * 1024).endsWith("xxxx");
    }

    @Test
    void aRunEndsOnlyAsSucceededOrFailedAndMustExist() {
        long run = catalog.runStarted("app-db", "backup", Trigger.manual(null), T0);
        assertThatThrownBy(() -> catalog.runFinished(run, "running", null, null, null, T0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> catalog.runFinished(run + 1000, "failed", null, null, null, T0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(run + 1000));
        assertThat(catalog.lastRun("app-db").orElseThrow().running()).isTrue();
    }

    @Test
    void recentRunsAreNewestFirstAndLimited() {
        long older = catalog.runStarted("a", "backup", Trigger.manual(null), T0);
        long newest = catalog.runStarted("b", "verify", Trigger.manual(null), T0.plusSeconds(20));
        long middle = catalog.runStarted("c", "backup", Trigger.manual(null), T0.plusSeconds(10));

        assertThat(catalog.recentRuns(10)).extracting(RunRow::runId).containsExactly(newest, middle, older);
        assertThat(catalog.recentRuns(2)).extracting(RunRow::runId).containsExactly(newest, middle);
        assertThat(catalog.recentRuns(0)).isEmpty();
    }

    @Test
    void lastRunIsPerTargetAndOptionallyPerOperation() {
        long backup = catalog.runStarted("app-db", "backup", Trigger.manual(null), T0);
        long verify = catalog.runStarted("app-db", "verify", Trigger.manual(null), T0.plusSeconds(5));
        catalog.runStarted("other", "backup", Trigger.manual(null), T0.plusSeconds(9));

        assertThat(catalog.lastRun("app-db")).map(RunRow::runId).contains(verify);
        assertThat(catalog.lastRun("app-db", "backup")).map(RunRow::runId).contains(backup);
        assertThat(catalog.lastRun("nobody")).isEmpty();
    }

    @Test
    void lastRunWithAResultSkipsNewerRunsThatEndedOtherwise() {
        long passed = catalog.runStarted("app-db", "drill", Trigger.manual(null), T0);
        catalog.runFinished(passed, "succeeded", "b1", null, null, "{\"rtoSeconds\":2.5}", T0.plusSeconds(3));
        long failed = catalog.runStarted("app-db", "drill", Trigger.manual(null), T0.plusSeconds(60));
        catalog.runFinished(failed, "failed", "b2", "validation failed", null, T0.plusSeconds(61));
        catalog.runStarted("app-db", "drill", Trigger.manual(null), T0.plusSeconds(120));
        long other = catalog.runStarted("other", "drill", Trigger.manual(null), T0.plusSeconds(200));
        catalog.runFinished(other, "succeeded", "b3", null, null, T0.plusSeconds(201));

        assertThat(catalog.lastRun("app-db", "drill", "succeeded"))
                .map(RunRow::detail)
                .contains("{\"rtoSeconds\":2.5}");
        assertThat(catalog.lastRun("app-db", "drill", "failed"))
                .map(RunRow::runId)
                .contains(failed);
        assertThat(catalog.lastRun("app-db", "backup", "succeeded")).isEmpty();
        assertThat(catalog.lastRun(HOSTILE, "drill", "succeeded")).isEmpty();
    }

    @Test
    void runCountsArePerTargetAndResultAndLeaveRunningRunsOut() {
        for (int i = 0; i < 3; i++) {
            long run = catalog.runStarted("app-db", "backup", Trigger.manual(null), T0.plusSeconds(i));
            catalog.runFinished(run, "succeeded", "b" + i, null, null, T0.plusSeconds(i + 1));
        }
        long failed = catalog.runStarted("app-db", "backup", Trigger.manual(null), T0.plusSeconds(10));
        catalog.runFinished(failed, "failed", null, "pg_dump: exit 1", null, T0.plusSeconds(11));
        catalog.runStarted("app-db", "backup", Trigger.manual(null), T0.plusSeconds(20)); // still running
        long cache = catalog.runStarted(HOSTILE, "backup", Trigger.manual(null), T0.plusSeconds(30));
        catalog.runFinished(cache, "failed", null, "boom", null, T0.plusSeconds(31));
        long verify = catalog.runStarted("app-db", "verify", Trigger.manual(null), T0.plusSeconds(40));
        catalog.runFinished(verify, "succeeded", "b0", null, null, T0.plusSeconds(41));

        assertThat(catalog.runCounts("backup"))
                .isEqualTo(Map.of("app-db", Map.of("succeeded", 3L, "failed", 1L), HOSTILE, Map.of("failed", 1L)));
        assertThat(catalog.runCounts("verify")).isEqualTo(Map.of("app-db", Map.of("succeeded", 1L)));
        assertThat(catalog.runCounts("drill")).isEmpty();
    }

    @Test
    void verifyFailuresCountFailedVerifiesAndBackupsWhoseVerificationFailed() {
        long verify = catalog.runStarted("app-db", "verify", Trigger.manual(null), T0);
        catalog.runFinished(verify, "failed", "b0", RunRow.VERIFY_FAILED + "sha256 mismatch", null, T0.plusSeconds(1));
        long backup = catalog.runStarted("app-db", "backup", Trigger.manual(null), T0.plusSeconds(2));
        catalog.runFinished(backup, "failed", null, RunRow.VERIFY_FAILED + "size differs", null, T0.plusSeconds(3));
        long dumpFailed = catalog.runStarted("app-db", "backup", Trigger.manual(null), T0.plusSeconds(4));
        catalog.runFinished(dumpFailed, "failed", null, "pg_dump: exit 1", null, T0.plusSeconds(5));
        long passed = catalog.runStarted("cache", "verify", Trigger.manual(null), T0.plusSeconds(6));
        catalog.runFinished(passed, "succeeded", "b1", null, null, T0.plusSeconds(7));
        long other = catalog.runStarted("cache", "verify", Trigger.manual(null), T0.plusSeconds(8));
        catalog.runFinished(other, "failed", "b1", RunRow.VERIFY_FAILED + "object missing", null, T0.plusSeconds(9));

        assertThat(catalog.verifyFailures()).isEqualTo(Map.of("app-db", 2L, "cache", 1L));
    }

    @Test
    void runsLeftRunningByAProcessThatDiedAreMarkedAbandonedAndLiveOnesAreNot() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        String host = RunOwner.THIS_PROCESS.host();
        long dead = catalog.runStarted("app-db", "backup", Trigger.manual(null), T0, new RunOwner(host, ended.pid()));
        long mine = catalog.runStarted("cache", "backup", Trigger.manual(null), T0, RunOwner.THIS_PROCESS);
        long elsewhere = catalog.runStarted(
                "nas", "backup", Trigger.manual(null), T0, new RunOwner("another-host", ended.pid()));
        long finished = catalog.runStarted(
                "app-db", "verify", Trigger.manual(null), T0.plusSeconds(1), new RunOwner(host, ended.pid()));
        catalog.runFinished(finished, "succeeded", null, null, null, T0.plusSeconds(2));

        assertThat(catalog.markDeadRuns()).isEqualTo(1);

        List<RunRow> runs = catalog.recentRuns(10);
        RunRow abandoned =
                runs.stream().filter(r -> r.runId() == dead).findFirst().orElseThrow();
        assertThat(abandoned.result()).isEqualTo("failed");
        assertThat(abandoned.error()).isEqualTo("abandoned (process ended during the run)");
        assertThat(abandoned.finishedAt()).isNotNull();
        assertThat(runs.stream()
                        .filter(r -> r.runId() == mine)
                        .findFirst()
                        .orElseThrow()
                        .result())
                .isEqualTo("running");
        assertThat(runs.stream()
                        .filter(r -> r.runId() == elsewhere)
                        .findFirst()
                        .orElseThrow()
                        .result())
                .isEqualTo("running");
        assertThat(runs.stream()
                        .filter(r -> r.runId() == finished)
                        .findFirst()
                        .orElseThrow()
                        .result())
                .isEqualTo("succeeded");
        assertThat(catalog.markDeadRuns()).isZero();
    }

    @Test
    void anIndexWithoutBackupsIsEmptyUntilOneIsStored() {
        assertThat(catalog.isEmpty()).isTrue();
        catalog.runStarted("app-db", "backup", Trigger.manual(null), T0);
        assertThat(catalog.isEmpty()).as("runs are history, not backups").isTrue();
        catalog.backupStored(manifest("app-db", T0));
        assertThat(catalog.isEmpty()).isFalse();
    }

    @Test
    void ownersParseOnlyWhenWellFormed() {
        assertThat(RunOwner.parse("nas:1234")).contains(new RunOwner("nas", 1234));
        assertThat(RunOwner.parse("fe80::1:99")).contains(new RunOwner("fe80::1", 99));
        assertThat(RunOwner.parse(null)).isEmpty();
        assertThat(RunOwner.parse("no-pid")).isEmpty();
        assertThat(RunOwner.parse("host:abc")).isEmpty();
        assertThat(RunOwner.parse(":12")).isEmpty();
    }

    // ---- backups

    @Test
    void backupsAreListedNewestFirstPerTargetOrAll() {
        Manifest old = manifest("app-db", T0);
        Manifest newer = manifest("app-db", T0.plus(Duration.ofHours(1)));
        Manifest other = manifest("cache", T0.plus(Duration.ofMinutes(30)));
        catalog.backupStored(newer);
        catalog.backupStored(old);
        catalog.backupStored(other);

        assertThat(catalog.backups("app-db")).extracting(BackupRow::id).containsExactly(newer.id(), old.id());
        assertThat(catalog.backups(null)).extracting(BackupRow::id).containsExactly(newer.id(), other.id(), old.id());
        assertThat(catalog.backups("nobody")).isEmpty();

        BackupRow row = catalog.backups("cache").get(0);
        assertThat(row.manifest()).isEqualTo(other);
        assertThat(row.target()).isEqualTo("cache");
        assertThat(row.kind()).isEqualTo("redis");
        assertThat(row.startedAt()).isEqualTo(other.startedAt());
        assertThat(row.finishedAt()).isEqualTo(other.finishedAt());
        assertThat(row.trigger()).isEqualTo(other.trigger());
        assertThat(row.artifactKey()).isEqualTo(other.artifactKey());
        assertThat(row.storedBytes()).isEqualTo(other.storedBytes());
        assertThat(row.rawBytes()).isEqualTo(other.rawBytes());
        assertThat(row.sha256()).isEqualTo(SHA);
        assertThat(row.lastVerifiedAt()).isNull();
        assertThat(row.verified()).isFalse();
        assertThat(catalog.backup(other.id())).contains(row);
    }

    @Test
    void storingTheSameBackupAgainUpdatesItAndKeepsItsVerification() {
        Manifest m = manifest("app-db", T0);
        catalog.backupStored(m);
        catalog.verified(verification(m, T0.plusSeconds(100), true));
        Manifest corrected = withStoredBytes(m, 999);
        catalog.backupStored(corrected);

        assertThat(catalog.backups(null)).hasSize(1);
        BackupRow row = catalog.backups("app-db").get(0);
        assertThat(row.storedBytes()).isEqualTo(999);
        assertThat(row.verified()).isTrue();
        assertThat(row.lastVerifiedAt()).isEqualTo(T0.plusSeconds(100));
    }

    @Test
    void latestVerifiedIsTheNewestBackupWhoseLastVerificationMatched() {
        Manifest a = manifest("app-db", T0);
        Manifest b = manifest("app-db", T0.plus(Duration.ofHours(1)));
        Manifest c = manifest("app-db", T0.plus(Duration.ofHours(2)));
        Manifest otherTarget = manifest("cache", T0.plus(Duration.ofHours(3)));
        List.of(a, b, c, otherTarget).forEach(catalog::backupStored);
        catalog.verified(verification(otherTarget, T0.plus(Duration.ofHours(4)), true));

        assertThat(catalog.latestVerified("app-db")).as("nothing verified yet").isEmpty();

        catalog.verified(verification(a, T0.plus(Duration.ofHours(3)), true));
        catalog.verified(verification(b, T0.plus(Duration.ofHours(3)), true));
        catalog.verified(verification(c, T0.plus(Duration.ofHours(3)), false));
        assertThat(catalog.latestVerified("app-db")).map(BackupRow::id).contains(b.id());

        catalog.verified(verification(b, T0.plus(Duration.ofHours(5)), false));
        assertThat(catalog.latestVerified("app-db")).map(BackupRow::id).contains(a.id());

        catalog.verified(verification(b, T0.plus(Duration.ofHours(4)), true));
        assertThat(catalog.latestVerified("app-db"))
                .as("an older verification arriving late does not override the newer failure")
                .map(BackupRow::id)
                .contains(a.id());
        BackupRow rowB = catalog.backups("app-db").get(1);
        assertThat(rowB.lastVerifiedAt()).isEqualTo(T0.plus(Duration.ofHours(5)));
        assertThat(rowB.verified()).isFalse();
    }

    @Test
    void aPrunedBackupLeavesTheIndexAndOnlyThatOne() {
        Manifest a = manifest("app-db", T0);
        Manifest b = manifest("app-db", T0.plus(Duration.ofHours(1)));
        Manifest sameIdOtherTarget = withTarget(a, "cache");
        List.of(a, b, sameIdOtherTarget).forEach(catalog::backupStored);
        catalog.verified(verification(b, T0.plus(Duration.ofHours(2)), true));

        assertThat(catalog.backupDeleted("app-db", a.id())).isTrue();
        assertThat(catalog.backupDeleted("app-db", a.id())).as("already gone").isFalse();
        assertThat(catalog.backupDeleted("app-db", HOSTILE)).isFalse();

        assertThat(catalog.backups("app-db")).extracting(BackupRow::id).containsExactly(b.id());
        assertThat(catalog.backups("cache")).extracting(BackupRow::id).containsExactly(a.id());
        assertThat(catalog.latestVerified("app-db")).map(BackupRow::id).contains(b.id());
        assertThatThrownBy(() -> catalog.backupDeleted(null, a.id())).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aVerificationOfAnUnknownBackupChangesNothing() {
        Manifest m = manifest("app-db", T0);
        catalog.verified(verification(m, T0, true));
        assertThat(catalog.backups(null)).isEmpty();
        assertThat(catalog.latestVerified("app-db")).isEmpty();
    }

    // ---- rebuild

    @Test
    void rebuildIndexesExactlyWhatStorageHoldsAndKeepsRunHistory() throws IOException {
        Manifest verifiedOk = manifest("app-db", T0);
        Manifest lastVerifyFailed = manifest("app-db", T0.plus(Duration.ofHours(1)));
        Manifest neverVerified = manifest("cache", T0.plus(Duration.ofHours(2)));
        Manifest stale = manifest("app-db", T0.plus(Duration.ofHours(3)));
        MapBackupStore store = new MapBackupStore();
        put(store, verifiedOk);
        put(store, lastVerifyFailed);
        put(store, neverVerified);
        putVerification(store, verification(verifiedOk, T0.plusSeconds(500), false));
        putVerification(store, verification(verifiedOk, T0.plusSeconds(900), true));
        putVerification(store, verification(lastVerifyFailed, T0.plus(Duration.ofHours(2)), true));
        putVerification(store, verification(lastVerifyFailed, T0.plus(Duration.ofHours(3)), false));
        String badKey = StorageLayout.manifestKey("app-db", BackupId.at(T0.plus(Duration.ofHours(5))));
        store.putBytes(badKey, "{not json".getBytes());
        Manifest noArtifact = manifest("app-db", T0.plus(Duration.ofHours(6)));
        store.putBytes(StorageLayout.manifestKey(noArtifact.target(), noArtifact.backupId()), Json.bytes(noArtifact));
        store.putBytes("app-db/README.txt", "not a backup".getBytes());

        catalog.backupStored(stale);
        catalog.verified(verification(stale, T0.plus(Duration.ofHours(4)), true));
        catalog.backupStored(verifiedOk); // known, but its verification state is missing here
        long run = catalog.runStarted("app-db", "backup", Trigger.manual(null), T0);
        catalog.runFinished(run, "succeeded", stale.id(), null, null, T0.plusSeconds(1));

        List<String> warnings = new ArrayList<>();
        int indexed = catalog.rebuild(store, warnings::add);

        assertThat(indexed).isEqualTo(3);
        assertThat(catalog.backups(null))
                .extracting(BackupRow::id)
                .containsExactly(neverVerified.id(), lastVerifyFailed.id(), verifiedOk.id());
        assertThat(catalog.latestVerified("app-db")).map(BackupRow::id).contains(verifiedOk.id());
        BackupRow ok = catalog.backup(verifiedOk.id()).orElseThrow();
        assertThat(ok.lastVerifiedAt()).isEqualTo(T0.plusSeconds(900));
        assertThat(ok.manifest()).isEqualTo(verifiedOk);
        BackupRow failed = catalog.backup(lastVerifyFailed.id()).orElseThrow();
        assertThat(failed.verified()).isFalse();
        assertThat(failed.lastVerifiedAt()).isEqualTo(T0.plus(Duration.ofHours(3)));
        assertThat(catalog.backup(neverVerified.id()).orElseThrow().lastVerifiedAt())
                .isNull();
        assertThat(catalog.backup(stale.id())).isEmpty();
        assertThat(warnings).hasSize(2);
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains(badKey).contains("not readable"));
        assertThat(warnings)
                .anySatisfy(
                        w -> assertThat(w).contains(noArtifact.artifactKey()).contains("missing"));
        assertThat(catalog.recentRuns(10)).singleElement().satisfies(r -> {
            assertThat(r.runId()).isEqualTo(run);
            assertThat(r.backupId()).isEqualTo(stale.id());
        });
    }

    @Test
    void rebuildFromAnEmptyStoreEmptiesTheIndex() {
        catalog.backupStored(manifest("app-db", T0));
        assertThat(catalog.rebuild(new MapBackupStore())).isZero();
        assertThat(catalog.backups(null)).isEmpty();
    }

    @Test
    void aManifestInTheWrongFolderIsSkipped() throws IOException {
        Manifest m = manifest("app-db", T0);
        MapBackupStore store = new MapBackupStore();
        put(store, m);
        store.putBytes(StorageLayout.manifestKey("elsewhere", m.backupId()), Json.bytes(m));
        List<String> warnings = new ArrayList<>();

        assertThat(catalog.rebuild(store, warnings::add)).isEqualTo(1);
        assertThat(catalog.backups(null))
                .singleElement()
                .extracting(BackupRow::target)
                .isEqualTo("app-db");
        assertThat(warnings).singleElement().asString().contains("elsewhere/" + m.id());
    }

    // ---- hostile input, persistence

    @Test
    void aTargetNameWithQuotesAndSqlIsJustData() throws IOException {
        Manifest m = manifest(HOSTILE, T0);
        catalog.backupStored(manifest("app-db", T0));
        catalog.backupStored(m);
        catalog.verified(verification(m, T0.plusSeconds(5), true));
        long run = catalog.runStarted(HOSTILE, "backup'--", new Trigger("event", "'); delete from runs; --"), T0);

        assertThat(catalog.backups(HOSTILE)).singleElement().satisfies(row -> {
            assertThat(row.target()).isEqualTo(HOSTILE);
            assertThat(row.manifest()).isEqualTo(m);
        });
        assertThat(catalog.latestVerified(HOSTILE)).map(BackupRow::id).contains(m.id());
        assertThat(catalog.backups(null)).hasSize(2);
        RunRow r = catalog.lastRun(HOSTILE).orElseThrow();
        assertThat(r.runId()).isEqualTo(run);
        assertThat(r.operation()).isEqualTo("backup'--");
        assertThat(r.trigger().detail()).isEqualTo("'); delete from runs; --");

        MapBackupStore store = new MapBackupStore();
        put(store, m);
        putVerification(store, verification(m, T0.plusSeconds(5), true));
        assertThat(catalog.rebuild(store)).isEqualTo(1);
        assertThat(catalog.latestVerified(HOSTILE)).map(BackupRow::id).contains(m.id());
        assertThat(catalog.recentRuns(5)).hasSize(1);
    }

    @Test
    void openingAgainKeepsTheDataAndTheSchema() throws Exception {
        Manifest m = manifest("app-db", T0);
        catalog.backupStored(m);
        long run = catalog.runStarted("app-db", "backup", Trigger.manual(null), T0);
        catalog.close();
        catalog = null;

        try (Catalog again = openAgain()) {
            assertThat(again.backups("app-db")).extracting(BackupRow::id).containsExactly(m.id());
            assertThat(again.lastRun("app-db")).map(RunRow::runId).contains(run);
            assertThat(again.runStarted("app-db", "backup", Trigger.manual(null), T0.plusSeconds(1)))
                    .isGreaterThan(run);
        }
    }

    @Test
    void severalThreadsCanRecordAtOnce() throws Exception {
        Manifest shared = manifest("app-db", T0);
        int threads = 8;
        int runsEach = 15;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String target = "t" + t;
                futures.add(pool.submit(() -> {
                    List<Long> ids = new ArrayList<>();
                    catalog.backupStored(shared);
                    for (int i = 0; i < runsEach; i++) {
                        long run = catalog.runStarted(target, "backup", Trigger.manual(null), T0.plusSeconds(i));
                        catalog.runFinished(run, "succeeded", null, null, null, T0.plusSeconds(i + 1));
                        ids.add(run);
                    }
                    return ids;
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<List<Long>> f : futures) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(all).hasSize(threads * runsEach).doesNotHaveDuplicates();
        } finally {
            pool.shutdownNow();
        }
        assertThat(catalog.recentRuns(1000))
                .hasSize(threads * runsEach)
                .allMatch(r -> r.result().equals("succeeded"));
        assertThat(catalog.backups(null))
                .singleElement()
                .extracting(BackupRow::id)
                .isEqualTo(shared.id());
    }

    // ---- helpers

    static Manifest manifest(String target, Instant start) {
        BackupId id = BackupId.at(start);
        String kind = target.equals("cache") ? "redis" : "postgres";
        return new Manifest(
                Manifest.FORMAT_VERSION,
                id.value(),
                target,
                kind,
                start,
                start.plusSeconds(30),
                new Trigger("schedule", "0 0 2 * * ?"),
                "pg_dump",
                "15.4",
                StorageLayout.artifactKey(target, id, "dump"),
                1234,
                5678,
                SHA,
                "zstd",
                "none",
                "zstd -d data.dump.zst | pg_restore -d app",
                List.of());
    }

    static Manifest withStoredBytes(Manifest m, long storedBytes) {
        return new Manifest(
                m.formatVersion(),
                m.id(),
                m.target(),
                m.kind(),
                m.startedAt(),
                m.finishedAt(),
                m.trigger(),
                m.sourceTool(),
                m.sourceToolVersion(),
                m.artifactKey(),
                storedBytes,
                m.rawBytes(),
                m.sha256(),
                m.compression(),
                m.encryption(),
                m.restoreHint(),
                m.recipients());
    }

    static Manifest withTarget(Manifest m, String target) {
        return new Manifest(
                m.formatVersion(),
                m.id(),
                target,
                m.kind(),
                m.startedAt(),
                m.finishedAt(),
                m.trigger(),
                m.sourceTool(),
                m.sourceToolVersion(),
                StorageLayout.artifactKey(target, m.backupId(), "dump"),
                m.storedBytes(),
                m.rawBytes(),
                m.sha256(),
                m.compression(),
                m.encryption(),
                m.restoreHint(),
                m.recipients());
    }

    static Verification verification(Manifest m, Instant at, boolean ok) {
        return new Verification(m.id(), m.target(), at, ok, SHA, ok ? SHA : "b".repeat(64), m.storedBytes(), null);
    }

    static void put(MapBackupStore store, Manifest m) throws IOException {
        store.putBytes(m.artifactKey(), new byte[] {1, 2, 3});
        store.putBytes(StorageLayout.manifestKey(m.target(), m.backupId()), Json.bytes(m));
    }

    static void putVerification(MapBackupStore store, Verification v) throws IOException {
        store.putBytes(StorageLayout.verificationKey(v.target(), new BackupId(v.backupId()), v.at()), Json.bytes(v));
    }
}
