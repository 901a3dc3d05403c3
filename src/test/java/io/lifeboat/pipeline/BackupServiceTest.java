package io.lifeboat.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Verification;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.store.FilesystemStore;
import io.lifeboat.store.StoredBackups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup service on local parts only: a folder store, the embedded catalog, folder and command sources. */
class BackupServiceTest {

    @TempDir
    Path dir;

    LifeboatConfig config;
    FilesystemStore store;
    Catalog catalog;
    List<String[]> published = Collections.synchronizedList(new ArrayList<>());
    BackupService service;

    @BeforeEach
    void setUp() throws Exception {
        Path files = Files.createDirectories(dir.resolve("files"));
        Files.writeString(files.resolve("a.txt"), "hello\n".repeat(1000));
        Files.writeString(dir.resolve("lifeboat.yaml"), """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h}
                  slow: {kind: command, command: ["sh", "-c", "sleep 1; echo slow"], schedule: "0 0 2 * * ?", rpo: 26h}
                  failing: {kind: command, command: ["sh", "-c", "echo oops >&2; exit 4"], schedule: "0 0 2 * * ?", rpo: 26h}
                  flaky: {kind: command, command: ["sh", "-c", "test -f FLAKY && echo fine || { touch FLAKY; exit 4; }"], schedule: "0 0 2 * * ?", rpo: 26h}
                """.replace(
                        "FLAKY", dir.resolve("flaky.ok").toString()));
        config = ConfigLoader.load(dir.resolve("lifeboat.yaml"), Map.of());
        store = new FilesystemStore(config.primary().path());
        catalog = Catalog.open(config.catalog(), config.dataDir());
        EventSink sink = (topic, payload, retained) ->
                published.add(new String[] {topic, new String(payload, StandardCharsets.UTF_8)});
        service = new BackupService(
                config, store, catalog, new Events(sink), Clock.systemUTC(), new BackupService.Compression(3, 1));
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    @Test
    void aBackupIsStoredManifestedVerifiedRecordedAndAnnounced() throws Exception {
        Progress progress = new Progress();
        Manifest m = service.backup("files", Trigger.manual("test"), progress);

        assertThat(progress.rawBytes()).isEqualTo(m.rawBytes());
        assertThat(progress.storedBytes()).isEqualTo(m.storedBytes());
        assertThat(progress.verifiedBytes())
                .as("the whole object was read back")
                .isEqualTo(m.storedBytes());
        assertThat(store.list("files/"))
                .containsExactlyInAnyOrder(
                        m.artifactKey(),
                        StorageLayout.manifestKey("files", m.backupId()),
                        store.list(StorageLayout.verificationPrefix("files", m.backupId()))
                                .get(0));
        Manifest stored = Json.read(store.getBytes(StorageLayout.manifestKey("files", m.backupId())), Manifest.class);
        assertThat(stored).isEqualTo(m);
        assertThat(stored.restoreHint()).contains("tar -x");
        assertThat(new StoredBackups(store).scan("files"))
                .singleElement()
                .satisfies(f -> assertThat(f.verified()).isTrue());
        assertThat(catalog.latestVerified("files"))
                .hasValueSatisfying(b -> assertThat(b.id()).isEqualTo(m.id()));
        assertThat(catalog.lastRun("files"))
                .hasValueSatisfying(r -> assertThat(r.result()).isEqualTo("succeeded"));
        assertThat(published)
                .extracting(p -> p[0])
                .containsSubsequence("events", "events", "events", "backup/files/state");
        assertThat(published).extracting(p -> p[1]).anyMatch(p -> p.contains("\"verify.verified\""));
    }

    @Test
    void aFailedSourceIsRecordedWithItsStderrAndAlerts() {
        assertThatThrownBy(() -> service.backup("failing", Trigger.manual("test"), new Progress()))
                .isInstanceOf(BackupFailedException.class)
                .hasMessageContaining("exited with code 4");
        assertThat(catalog.lastRun("failing")).hasValueSatisfying(r -> {
            assertThat(r.result()).isEqualTo("failed");
            assertThat(r.stderr()).contains("oops");
        });
        assertThat(published).anyMatch(p -> p[0].equals("alerts") && p[1].contains("BackupFailed:failing"));
        assertThat(published)
                .anyMatch(p -> p[0].equals("backup/failing/state") && p[1].contains("\"rpoState\":\"breached\""));
    }

    @Test
    void theNextVerifiedBackupResolvesTheFailureAlertOnce() throws Exception {
        assertThatThrownBy(() -> service.backup("flaky", Trigger.manual("test"), new Progress()))
                .isInstanceOf(BackupFailedException.class);
        assertThat(published)
                .anyMatch(p ->
                        p[0].equals("alerts") && p[1].contains("BackupFailed:flaky") && p[1].contains("\"firing\""));
        service.backup("flaky", Trigger.manual("test"), new Progress());
        service.backup("flaky", Trigger.manual("test"), new Progress());
        assertThat(published.stream()
                        .filter(p -> p[0].equals("alerts")
                                && p[1].contains("BackupFailed:flaky")
                                && p[1].contains("\"resolved\""))
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aChangedByteFailsVerificationAndAlertsCritical() throws Exception {
        Manifest m = service.backup("files", Trigger.manual("test"), new Progress());
        byte[] bytes = store.getBytes(m.artifactKey());
        bytes[bytes.length / 2] ^= 1;
        store.putBytes(m.artifactKey(), bytes);

        Verification v = service.verify(m, new Progress());

        assertThat(v.ok()).isFalse();
        assertThat(v.detail()).contains("sha256 mismatch");
        assertThat(published)
                .anyMatch(p -> p[0].equals("alerts") && p[1].contains("\"critical\"") && p[1].contains(m.id()));
        assertThat(catalog.latestVerified("files")).isEmpty();
        assertThat(new StoredBackups(store).scan("files"))
                .singleElement()
                .satisfies(f -> assertThat(f.verified()).isFalse());
    }

    @Test
    void twoBackupsOfOneTargetRunOneAfterTheOther() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Manifest> a = pool.submit(() -> service.backup("slow", Trigger.manual("a"), new Progress()));
            Future<Manifest> b = pool.submit(() -> service.backup("slow", Trigger.manual("b"), new Progress()));
            Manifest first = a.get();
            Manifest second = b.get();
            Manifest earlier = first.startedAt().isBefore(second.startedAt()) ? first : second;
            Manifest later = earlier == first ? second : first;
            assertThat(later.startedAt()).isAfterOrEqualTo(earlier.finishedAt());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void referencesResolveToStoredBackupsAndHostileOnesAreRefused() throws Exception {
        Manifest m = service.backup("files", Trigger.manual("test"), new Progress());
        assertThat(service.resolve("latest:files").id()).isEqualTo(m.id());
        assertThat(service.resolve(m.id()).target()).isEqualTo("files");
        assertThatThrownBy(() -> service.resolve("latest:nothing")).hasMessageContaining("no backup of 'nothing'");
        assertThatThrownBy(() -> service.resolve("../files")).hasMessageContaining("neither a backup id");
        assertThatThrownBy(() -> service.backup("../etc", Trigger.manual("x"), new Progress()))
                .hasMessageContaining("unknown target");
    }
}
