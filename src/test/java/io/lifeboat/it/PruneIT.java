package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.BackupRow;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.pipeline.PruneReport;
import io.lifeboat.pipeline.Pruner;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.FilesystemStore;
import io.lifeboat.store.S3Store;
import io.lifeboat.store.StoredBackups;
import io.lifeboat.store.Stores;
import io.lifeboat.testsupport.FakeHistory;
import io.lifeboat.testsupport.FakeHistory.State;
import io.lifeboat.testsupport.S3ProxyServer;
import io.minio.MinioAsyncClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Prune against real stores (a folder, and an S3 API server): real backups taken by the backup
 * service next to a fabricated older history, a run killed before its manifest, and an upload killed
 * mid-way; after the prune, storage holds exactly what the policy keeps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PruneIT {

    @TempDir
    Path work;

    S3ProxyServer s3;

    @BeforeAll
    void startS3() {
        s3 = S3ProxyServer.launch();
    }

    @AfterAll
    void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"filesystem", "s3"})
    void storageHoldsExactlyWhatThePolicyKeeps(String kind) throws Exception {
        Path dir = Files.createDirectories(work.resolve(kind));
        Path files = Files.createDirectories(dir.resolve("app-config"));
        Files.writeString(files.resolve("settings.yaml"), "answer: 42\n");
        String storage = kind.equals("s3")
                ? "{type: s3, endpoint: \"%s\", bucket: prune-it, accessKey: \"%s\", secretKey: \"%s\"}"
                        .formatted(s3.endpoint(), s3.accessKey(), s3.secretKey())
                : "{type: filesystem, path: store}";
        Files.writeString(dir.resolve("lifeboat.yaml"), """
                dataDir: data
                storage: {primary: %s}
                targets:
                  app-config:
                    kind: directory
                    path: app-config
                    schedule: "0 0 2 * * ?"
                    rpo: 26h
                    retention: {last: 2, daily: 2}
                """.formatted(storage));
        LifeboatConfig config = ConfigLoader.load(dir.resolve("lifeboat.yaml"), Map.of());
        try (BackupStore store = Stores.open(config.primary());
                Catalog catalog = Catalog.open(config.catalog(), config.dataDir())) {
            List<String[]> published = new ArrayList<>();
            EventSink sink = (topic, payload, retained) -> published.add(new String[] {topic, new String(payload)});
            BackupService service = new BackupService(
                    config, store, catalog, new Events(sink), Clock.systemUTC(), new BackupService.Compression(3, 1));

            // two real backups now, then an older history written the way Lifeboat lays it out
            Manifest r1 = service.backup("app-config", Trigger.manual("prune it"), new Progress());
            Manifest r2 = service.backup("app-config", Trigger.manual("prune it"), new Progress());
            Instant realNow = Instant.now();
            Instant today = r1.startedAt().truncatedTo(ChronoUnit.DAYS);
            FakeHistory history = new FakeHistory(store);
            Manifest f1 = history.backup("app-config", today.minus(Duration.ofHours(21)), State.VERIFIED, 40);
            Manifest f2 = history.backup("app-config", today.minus(Duration.ofHours(23)), State.VERIFIED, 50);
            Manifest f3 = history.backup("app-config", today.minus(Duration.ofDays(5)), State.VERIFIED, 60);
            Manifest f4 = history.backup("app-config", today.minus(Duration.ofDays(3)), State.FAILED, 70);
            String f5 = history.leftover(
                    "app-config", today.minus(Duration.ofDays(3)).plusSeconds(3600));
            // the pruner runs a day and an hour from now: this one is an hour old then, still in its grace
            Instant pruneAt = realNow.plus(Duration.ofHours(25));
            Manifest young = history.backup("app-config", pruneAt.minus(Duration.ofHours(1)), State.UNVERIFIED, 80);
            String killedUpload = killedUpload(store, config);
            catalog.rebuild(store);

            Pruner pruner = new Pruner(
                    config, store, catalog, service.events(), service.locks(), Clock.fixed(pruneAt, ZoneOffset.UTC));
            PruneReport dry = pruner.plan("app-config");
            PruneReport report = pruner.prune("app-config", Trigger.manual("prune it"));

            assertThat(report.ok()).as(report.errors().toString()).isTrue();
            assertThat(dry.rows()).isEqualTo(report.rows());
            assertThat(report.deleted())
                    .extracting(PruneReport.Row::id)
                    .containsExactlyInAnyOrder(f2.id(), f3.id(), f4.id(), f5);
            assertThat(report.abortedUploads()).containsExactly(killedUpload);
            assertThat(report.bytesFreed()).isEqualTo(50 + 60 + 70);

            List<String> expected = new ArrayList<>();
            for (Manifest m : List.of(r1, r2, f1, young)) {
                expected.add(m.artifactKey());
                expected.add(StorageLayout.manifestKey("app-config", m.backupId()));
            }
            List<String> left = store.list("");
            assertThat(left.stream().filter(k -> !k.contains("/verify/")))
                    .containsExactlyInAnyOrderElementsOf(expected);
            assertThat(left.stream().filter(k -> k.contains("/verify/")).map(k -> k.split("/")[1]))
                    .as("verification records of the kept backups only")
                    .containsOnly(r1.id(), r2.id(), f1.id());
            // newest first by id; two backups taken within one second sort by their random suffix
            List<String> newestFirst = java.util.stream.Stream.of(young, r2, r1, f1)
                    .map(Manifest::id)
                    .sorted(java.util.Comparator.reverseOrder())
                    .toList();
            assertThat(new StoredBackups(store).scan(null))
                    .extracting(f -> f.manifest().id())
                    .containsExactlyElementsOf(newestFirst);
            assertThat(catalog.backups("app-config"))
                    .extracting(BackupRow::id)
                    .containsExactlyInAnyOrderElementsOf(newestFirst);
            assertThat(report.kept())
                    .filteredOn(row -> row.id().equals(r2.id()))
                    .singleElement()
                    .satisfies(row -> assertThat(row.reason()).startsWith("newest verified, last 2, daily "));
            if (store instanceof S3Store) {
                assertThat(openUploads()).isEmpty();
            } else {
                assertThat(Files.walk(((FilesystemStore) store).root())
                                .map(p -> p.getFileName().toString()))
                        .noneMatch(n -> n.contains(".partial-"));
            }
            assertThat(published)
                    .extracting(p -> p[1])
                    .anyMatch(p -> p.contains("\"prune.finished\"") && p.contains("\"deleted\":4"));
        }
    }

    /** An upload a SIGKILL interrupted: an S3 multipart upload never completed, or a partial file. */
    private String killedUpload(BackupStore store, LifeboatConfig config) throws Exception {
        String key = "app-config/20261101T000000Z-00dead/data.tar.zst";
        if (store instanceof S3Store) {
            try (MinioAsyncClient client = client()) {
                String uploadId = client.createMultipartUploadAsync("prune-it", null, key, null, null)
                        .get()
                        .result()
                        .uploadId();
                byte[] part = new byte[5 * 1024 * 1024];
                client.uploadPartAsync("prune-it", null, key, part, part.length, uploadId, 1, null, null)
                        .get();
            }
            assertThat(openUploads()).containsExactly(key);
        } else {
            Path folder =
                    Files.createDirectories(config.primary().path().resolve("app-config/20261101T000000Z-00dead"));
            Files.write(folder.resolve(".data.tar.zst.partial-00000000deadbeef"), new byte[100]);
        }
        return key;
    }

    private MinioAsyncClient client() {
        return MinioAsyncClient.builder()
                .endpoint(s3.endpoint())
                .credentials(s3.accessKey(), s3.secretKey())
                .build();
    }

    private List<String> openUploads() throws Exception {
        try (MinioAsyncClient client = client()) {
            return client
                    .listMultipartUploadsAsync(
                            "prune-it", null, null, null, null, 1000, "app-config/", null, null, null)
                    .get()
                    .result()
                    .uploads()
                    .stream()
                    .map(io.minio.messages.Upload::objectName)
                    .toList();
        }
    }
}
