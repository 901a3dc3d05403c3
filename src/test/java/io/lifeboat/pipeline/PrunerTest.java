package io.lifeboat.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.catalog.BackupRow;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.FilesystemStore;
import io.lifeboat.testsupport.FakeHistory;
import io.lifeboat.testsupport.FakeHistory.State;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pruner on local parts: a folder store holding a fabricated history, the embedded catalog. */
class PrunerTest {

    static final Instant NOW = Instant.parse("2026-11-23T12:30:00Z");

    @TempDir
    Path dir;

    LifeboatConfig config;
    FilesystemStore store;
    Catalog catalog;
    List<String[]> published = Collections.synchronizedList(new ArrayList<>());
    Events events;
    FakeHistory history;
    Map<String, Manifest> b = new LinkedHashMap<>();
    String oldLeftover;
    String youngLeftover;
    Path partial;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(dir.resolve("files"));
        Files.writeString(dir.resolve("lifeboat.yaml"), """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                prune: {schedule: "0 15 3 * * ?", grace: 24h}
                targets:
                  files:
                    kind: directory
                    path: files
                    schedule: "0 0 2 * * ?"
                    rpo: 26h
                    retention: {last: 2, daily: 3}
                  keepall: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h}
                """);
        config = ConfigLoader.load(dir.resolve("lifeboat.yaml"), Map.of());
        store = new FilesystemStore(config.primary().path());
        catalog = Catalog.open(config.catalog(), config.dataDir());
        EventSink sink = (topic, payload, retained) ->
                published.add(new String[] {topic, new String(payload, StandardCharsets.UTF_8)});
        events = new Events(sink);
        history = new FakeHistory(store);

        b.put("A", history.backup("files", t("2026-11-23T11:30:00Z"), State.VERIFIED, 100));
        b.put("B", history.backup("files", t("2026-11-23T09:30:00Z"), State.VERIFIED, 200));
        b.put("C", history.backup("files", t("2026-11-23T07:30:00Z"), State.VERIFIED, 300));
        b.put("D", history.backup("files", t("2026-11-22T20:00:00Z"), State.VERIFIED, 400));
        b.put("E", history.backup("files", t("2026-11-22T10:00:00Z"), State.VERIFIED, 500));
        b.put("F", history.backup("files", t("2026-11-21T10:00:00Z"), State.VERIFIED, 600));
        b.put("G", history.backup("files", t("2026-11-20T10:00:00Z"), State.VERIFIED, 700));
        b.put("H", history.backup("files", t("2026-11-23T12:00:00Z"), State.FAILED, 800));
        b.put("I", history.backup("files", t("2026-11-21T05:00:00Z"), State.UNVERIFIED, 900));
        oldLeftover = history.leftover("files", t("2026-11-22T00:00:00Z"));
        youngLeftover = history.leftover("files", t("2026-11-23T06:00:00Z"));
        // a put killed mid-write: its hidden temporary file, two days old
        Path killed = Files.createDirectories(store.root().resolve("files/20261121T000000Z-0000aa"));
        partial = Files.write(killed.resolve(".data.tar.zst.partial-00112233445566ff"), new byte[64]);
        Files.setLastModifiedTime(partial, FileTime.from(NOW.minus(Duration.ofDays(2))));
        store.putBytes("files/notes.txt", "not a backup".getBytes(StandardCharsets.UTF_8));
        catalog.rebuild(store);
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    Pruner pruner(BackupStore s, Instant now) {
        return new Pruner(
                config,
                s,
                catalog,
                events,
                new TargetLocks(config.dataDir().resolve("locks")),
                Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void aDryRunShowsEveryDecisionWithItsRuleAndChangesNothing() throws Exception {
        List<String> before = store.list("");

        PruneReport plan = pruner(store, NOW).plan("files");

        assertThat(plan.dryRun()).isTrue();
        assertThat(plan.policy()).isEqualTo("last 2, daily 3");
        assertThat(rows(plan))
                .containsExactly(
                        "H KEEP unverified, within grace (verification failed)",
                        "A KEEP newest verified, last 2, daily 2026-11-23",
                        "B KEEP last 2",
                        "C DELETE no rule keeps it",
                        youngLeftover + " KEEP no manifest yet, within grace (a run may still be writing it)",
                        "D KEEP daily 2026-11-22",
                        "E DELETE no rule keeps it",
                        oldLeftover + " DELETE leftover without a manifest (a run that never finished), older than 24h",
                        "F KEEP daily 2026-11-21",
                        "I DELETE unverified leftover older than 24h",
                        "G DELETE no rule keeps it");
        assertThat(plan.bytesFreed()).isEqualTo(300 + 500 + 900 + 700);
        assertThat(plan.warnings()).singleElement().asString().contains("files/notes.txt");
        assertThat(store.list("")).isEqualTo(before);
        assertThat(partial).exists();
        assertThat(catalog.lastRun("files", "prune")).isEmpty();
        assertThat(published).isEmpty();
    }

    @Test
    void aPruneDeletesExactlyWhatThePlanDropsAndRecordsIt() throws Exception {
        PruneReport r = pruner(store, NOW).prune("files", Trigger.manual("test"));

        assertThat(r.ok()).as(r.errors().toString()).isTrue();
        assertThat(r.deleted())
                .extracting(PruneReport.Row::id)
                .containsExactly(id("C"), id("E"), oldLeftover, id("I"), id("G"));
        assertThat(r.abortedUploads()).containsExactly("files/20261121T000000Z-0000aa/data.tar.zst");
        assertThat(partial).doesNotExist();

        List<String> left = new ArrayList<>();
        for (String k : List.of("H", "A", "B", "D", "F")) {
            left.addAll(store.list(StorageLayout.prefix("files", b.get(k).backupId())));
        }
        left.add("files/" + youngLeftover + "/data.tar.zst");
        left.add("files/notes.txt");
        assertThat(store.list("files/")).containsExactlyInAnyOrderElementsOf(left);
        assertThat(Files.exists(store.root().resolve("files/" + id("C"))))
                .as("empty folders go too")
                .isFalse();

        assertThat(catalog.backups("files"))
                .extracting(BackupRow::id)
                .containsExactly(id("H"), id("A"), id("B"), id("D"), id("F"));
        RunRow run = catalog.lastRun("files", "prune").orElseThrow();
        assertThat(run.result()).isEqualTo("succeeded");
        assertThat(run.trigger()).isEqualTo(Trigger.manual("test"));
        JsonNode detail = Json.MAPPER.readTree(run.detail());
        assertThat(detail.get("policy").asText()).isEqualTo("last 2, daily 3");
        assertThat(detail.get("deletedCount").asInt()).isEqualTo(5);
        assertThat(detail.get("bytesFreed").asLong()).isEqualTo(2400);
        assertThat(detail.get("deleted").toString())
                .contains(id("G"))
                .contains("no rule keeps it")
                .contains("unverified leftover older than 24h");
        assertThat(detail.get("kept").toString()).contains("newest verified, last 2, daily 2026-11-23");
        assertThat(published)
                .filteredOn(p -> p[0].equals("events"))
                .extracting(p -> Json.MAPPER.readTree(p[1]).get("type").asText())
                .containsExactly("prune.started", "prune.finished");
        assertThat(published.get(1)[1]).contains("\"deleted\":5").contains("\"bytesFreed\":2400");

        // planning again over what is left deletes nothing more
        PruneReport again = pruner(store, NOW).prune("files", Trigger.manual("again"));
        assertThat(again.deleted()).isEmpty();
        assertThat(again.kept()).hasSize(r.kept().size());
    }

    @Test
    void safeModeRefusesEveryPruneAndTouchesNothing() throws Exception {
        List<String> before = store.list("");
        catalog.safeModeChanged(true, "3 services down within 5m", "mqtt", NOW.minusSeconds(600));
        Pruner pruner = pruner(store, NOW);

        assertThatThrownBy(() -> pruner.prune("files", Trigger.manual("test")))
                .isInstanceOf(PruneRefusedException.class)
                .hasMessageContaining("Safe Mode is on")
                .hasMessageContaining("3 services down within 5m")
                .hasMessageContaining("by mqtt");
        assertThat(pruner.scheduled()).startsWith("skipped: Safe Mode is on");
        assertThat(pruner.plan("files").deleted())
                .as("a dry run still shows the plan")
                .hasSize(5);

        assertThat(store.list("")).isEqualTo(before);
        assertThat(partial).exists();
        assertThat(catalog.backups("files")).hasSize(9);
        assertThat(catalog.lastRun("files", "prune")).isEmpty();
        // only the scheduled prune tells the owner, as a warning Safe Mode caused (inhibited while it fires)
        assertThat(published).singleElement().satisfies(p -> {
            assertThat(p[0]).isEqualTo("alerts");
            assertThat(p[1])
                    .contains("PruneSkipped")
                    .contains("\"cause\":\"safe_mode\"")
                    .contains("\"warning\"");
        });

        catalog.safeModeChanged(false, "resumed", "test", NOW.minusSeconds(60));
        assertThat(pruner.prune("files", Trigger.manual("test")).deleted()).hasSize(5);
    }

    @Test
    void theScheduledPrunePrunesEveryTarget() throws Exception {
        Manifest oldFailed = history.backup("keepall", t("2026-01-01T00:00:00Z"), State.FAILED, 10);
        String keepallLeftover = history.leftover("keepall", t("2026-11-01T00:00:00Z"));

        String answer = pruner(store, NOW).scheduled();

        assertThat(answer).contains("files: 6 kept, 5 deleted").contains("keepall: 1 kept, 1 deleted");
        assertThat(catalog.lastRun("files", "prune").orElseThrow().trigger().type())
                .isEqualTo("schedule");
        // no retention rules: every backup stays, even a failed one; a folder without a manifest is no backup
        assertThat(store.list("keepall/"))
                .allMatch(k -> k.startsWith(StorageLayout.prefix("keepall", oldFailed.backupId())));
        assertThat(store.list("keepall/" + keepallLeftover + "/")).isEmpty();
    }

    @Test
    void aDeleteThatFailsHalfWayLeavesNoBackupAndTheNextPruneCleansUp() throws Exception {
        String stuck = b.get("C").artifactKey();
        BackupStore failing = new DelegatingStore(store) {
            @Override
            public void delete(String key) throws IOException {
                if (key.equals(stuck)) {
                    throw new IOException("disk says no");
                }
                super.delete(key);
            }
        };

        PruneReport r = pruner(failing, NOW).prune("files", Trigger.manual("test"));

        assertThat(r.ok()).isFalse();
        assertThat(r.errors()).singleElement().asString().contains(id("C")).contains("disk says no");
        assertThat(store.exists(StorageLayout.manifestKey("files", b.get("C").backupId())))
                .as("the manifest went first: C no longer exists as a backup")
                .isFalse();
        assertThat(store.exists(stuck)).isTrue();
        assertThat(r.deleted())
                .extracting(PruneReport.Row::id)
                .doesNotContain(id("C"))
                .contains(id("E"), id("G"));
        RunRow run = catalog.lastRun("files", "prune").orElseThrow();
        assertThat(run.result()).isEqualTo("failed");
        assertThat(run.error()).contains("disk says no");
        assertThat(published).anyMatch(p -> p[0].equals("alerts") && p[1].contains("PruneFailed:files"));
        assertThat(published).anyMatch(p -> p[0].equals("events") && p[1].contains("\"prune.failed\""));

        // a day later the artifact without its manifest is a leftover past the grace
        PruneReport next = pruner(store, NOW.plus(Duration.ofHours(25))).prune("files", Trigger.manual("test"));
        assertThat(next.deleted())
                .filteredOn(row -> row.id().equals(id("C")))
                .singleElement()
                .satisfies(row -> assertThat(row.leftover()).isTrue());
        assertThat(store.exists(stuck)).isFalse();
    }

    @Test
    void unknownTargetsAndUnreadableManifestsAreHandledClearly() throws Exception {
        Pruner pruner = pruner(store, NOW);
        assertThatThrownBy(() -> pruner.prune("../files", Trigger.manual("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown target '../files'");
        assertThatThrownBy(() -> pruner.plan("nope")).hasMessageContaining("configured: files, keepall");

        // a manifest that does not parse: the folder is left alone and named, never taken for a leftover
        String broken = "files/20261101T000000Z-bad000/";
        store.putBytes(broken + "manifest.json", "{not json".getBytes(StandardCharsets.UTF_8));
        store.putBytes(broken + "data.tar.zst", new byte[10]);
        PruneReport r = pruner.prune("files", Trigger.manual("x"));
        assertThat(r.rows()).extracting(PruneReport.Row::id).doesNotContain("20261101T000000Z-bad000");
        assertThat(r.warnings()).anyMatch(w -> w.contains(broken + "manifest.json"));
        assertThat(store.list(broken)).hasSize(2);
    }

    private String id(String name) {
        return b.get(name).id();
    }

    private List<String> rows(PruneReport r) {
        Map<String, String> names = new LinkedHashMap<>();
        b.forEach((k, m) -> names.put(m.id(), k));
        return r.rows().stream()
                .map(row -> names.getOrDefault(row.id(), row.id()) + " " + (row.keep() ? "KEEP " : "DELETE ")
                        + row.reason())
                .toList();
    }

    private static Instant t(String s) {
        return Instant.parse(s);
    }

    /** A store that does what another does, for tests that make one operation fail. */
    static class DelegatingStore implements BackupStore {
        private final BackupStore inner;

        DelegatingStore(BackupStore inner) {
            this.inner = inner;
        }

        @Override
        public long put(String key, InputStream in) throws IOException {
            return inner.put(key, in);
        }

        @Override
        public InputStream get(String key) throws IOException {
            return inner.get(key);
        }

        @Override
        public boolean exists(String key) throws IOException {
            return inner.exists(key);
        }

        @Override
        public List<String> list(String prefix) throws IOException {
            return inner.list(prefix);
        }

        @Override
        public void delete(String key) throws IOException {
            inner.delete(key);
        }

        @Override
        public String describe() {
            return inner.describe();
        }
    }
}
