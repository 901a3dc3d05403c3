package io.lifeboat.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.CopyRecord;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.OffsiteLag;
import io.lifeboat.domain.OffsiteState;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.FilesystemStore;
import io.lifeboat.store.OffsiteCopies;
import io.lifeboat.store.StoredBackups;
import io.lifeboat.testsupport.ManualClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Off-site copies on local parts: two folder stores (the off-site one a "USB disk" that can be made
 * unwritable by putting a file where its folder should be), the embedded catalog, a folder target.
 */
class OffsiteCopierTest {

    @TempDir
    Path dir;

    LifeboatConfig config;
    FilesystemStore primary;
    FilesystemStore offsite;
    Path usb;
    Catalog catalog;
    List<String[]> published = Collections.synchronizedList(new ArrayList<>());
    ManualClock clock = new ManualClock(Instant.parse("2026-11-23T02:00:00Z"));

    @BeforeEach
    void setUp() throws Exception {
        Path files = Files.createDirectories(dir.resolve("files"));
        Files.writeString(files.resolve("a.txt"), "hello\n".repeat(1000));
        Files.writeString(dir.resolve("lifeboat.yaml"), """
                dataDir: data
                storage:
                  primary: {type: filesystem, path: store}
                  offsite: {type: filesystem, path: usb/lifeboat}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h}
                """);
        config = ConfigLoader.load(dir.resolve("lifeboat.yaml"), Map.of());
        primary = new FilesystemStore(config.primary().path());
        offsite = new FilesystemStore(config.offsite().path());
        usb = dir.resolve("usb");
        catalog = Catalog.open(config.catalog(), config.dataDir());
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    BackupService service(Clock clock) {
        EventSink sink = (topic, payload, retained) ->
                published.add(new String[] {topic, new String(payload, StandardCharsets.UTF_8)});
        return new BackupService(config, primary, catalog, new Events(sink), clock, new BackupService.Compression(3, 1))
                .withOffsite(offsite);
    }

    void unplugTheDisk() throws Exception {
        Files.writeString(usb, "a file where the off-site folder should be"); // unwritable even for root
    }

    void plugItBackIn() throws Exception {
        Files.delete(usb);
        Files.createDirectories(usb);
    }

    List<String> alerts() {
        return published.stream()
                .filter(p -> p[0].equals("alerts"))
                .map(p -> p[1])
                .toList();
    }

    OffsiteCopies.Status offsiteStatus(Manifest m) {
        return OffsiteCopies.scan(primary, offsite, null, w -> {}).status(m);
    }

    @Test
    void aVerifiedBackupIsCopiedOffsiteWithTheSameLayoutAndVerifiedThere() throws Exception {
        Manifest m = service(Clock.systemUTC()).backup("files", Trigger.manual("test"), new Progress());

        String manifestKey = StorageLayout.manifestKey("files", m.backupId());
        assertThat(offsite.getBytes(m.artifactKey()))
                .as("the stored bytes, as they are")
                .isEqualTo(primary.getBytes(m.artifactKey()));
        assertThat(offsite.getBytes(manifestKey))
                .as("the manifest, byte for byte")
                .isEqualTo(primary.getBytes(manifestKey));
        assertThat(new StoredBackups(offsite).scan("files")).singleElement().satisfies(f -> {
            assertThat(f.manifest()).isEqualTo(m);
            assertThat(f.verified()).as("read back off-site and matched").isTrue();
        });
        assertThat(offsiteStatus(m).state()).isEqualTo(OffsiteState.COPIED);

        List<String> records = primary.list(StorageLayout.copyRecordPrefix("files", m.backupId()));
        assertThat(records).hasSize(1);
        CopyRecord record = Json.read(primary.getBytes(records.get(0)), CopyRecord.class);
        assertThat(record.ok()).isTrue();
        assertThat(record.sha256()).isEqualTo(m.sha256());
        assertThat(record.reencrypted()).isFalse();
        assertThat(record.store()).isEqualTo(offsite.describe());

        assertThat(catalog.lastRun("files", "copy")).hasValueSatisfying(r -> {
            assertThat(r.result()).isEqualTo("succeeded");
            assertThat(r.backupId()).isEqualTo(m.id());
            assertThat(r.detail()).contains(m.sha256());
        });
        assertThat(catalog.lastRun("files", "backup"))
                .hasValueSatisfying(r -> assertThat(r.result()).isEqualTo("succeeded"));
        assertThat(published).extracting(p -> p[1]).anyMatch(p -> p.contains("\"copy.verified\""));
        assertThat(alerts()).isEmpty();
    }

    @Test
    void storesWithDifferentKeysGetTheBackupReencryptedAndEachOpensWithItsOwnKey() throws Exception {
        String[] primaryKey = io.lifeboat.crypto.AgeEncryption.generateKeyPair();
        String[] offsiteKey = io.lifeboat.crypto.AgeEncryption.generateKeyPair();
        Files.writeString(dir.resolve("primary-key.txt"), primaryKey[0] + "\n");
        Files.writeString(dir.resolve("offsite-key.txt"), offsiteKey[0] + "\n");
        Files.writeString(dir.resolve("lifeboat.yaml"), """
                dataDir: data
                storage:
                  primary: {type: filesystem, path: store, encryption: {type: age, recipients: ["%s"], identityFile: primary-key.txt}}
                  offsite: {type: filesystem, path: usb/lifeboat, encryption: {type: age, recipients: ["%s"]}}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h}
                """.formatted(primaryKey[1], offsiteKey[1]));
        config = ConfigLoader.load(dir.resolve("lifeboat.yaml"), Map.of());

        Manifest m = service(Clock.systemUTC()).backup("files", Trigger.manual("test"), new Progress());

        assertThat(m.recipients()).containsExactly(primaryKey[1]);
        Manifest copy = new StoredBackups(offsite).scan("files").get(0).manifest();
        assertThat(copy.id()).isEqualTo(m.id());
        assertThat(copy.recipients()).as("encrypted for the off-site key").containsExactly(offsiteKey[1]);
        assertThat(copy.sha256()).isNotEqualTo(m.sha256());
        assertThat(new StoredBackups(offsite).scan("files").get(0).verified()).isTrue();
        byte[] plainFromPrimary = decrypt(primary.getBytes(m.artifactKey()), primaryKey[0]);
        byte[] plainFromOffsite = decrypt(offsite.getBytes(copy.artifactKey()), offsiteKey[0]);
        assertThat(plainFromOffsite)
                .as("the same compressed backup under both keys")
                .isEqualTo(plainFromPrimary);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> decrypt(offsite.getBytes(copy.artifactKey()), primaryKey[0]))
                .isInstanceOf(IOException.class);
    }

    private static byte[] decrypt(byte[] stored, String identity) throws IOException {
        try (InputStream in = io.lifeboat.crypto.AgeEncryption.withIdentities(List.of(identity))
                .decrypt(new java.io.ByteArrayInputStream(stored))) {
            return in.readAllBytes();
        }
    }

    @Test
    void anUnwritableOffsiteStoreFailsTheCopyButNotTheBackupAndTheCopyCatchesUpLater() throws Exception {
        unplugTheDisk();
        BackupService service = service(Clock.systemUTC());

        Manifest m = service.backup("files", Trigger.manual("test"), new Progress());

        assertThat(catalog.latestVerified("files"))
                .hasValueSatisfying(b -> assertThat(b.id()).isEqualTo(m.id()));
        assertThat(catalog.lastRun("files", "backup"))
                .hasValueSatisfying(r -> assertThat(r.result()).isEqualTo("succeeded"));
        assertThat(catalog.lastRun("files", "copy")).hasValueSatisfying(r -> {
            assertThat(r.result()).isEqualTo("failed");
            assertThat(r.backupId()).isEqualTo(m.id());
            assertThat(r.error()).contains("off-site store").contains("usb");
        });
        assertThat(alerts())
                .singleElement()
                .asString()
                .contains("\"fingerprint\":\"OffsiteCopyFailed:files\"")
                .contains("\"status\":\"firing\"")
                .contains("./lifeboat copy " + m.id());
        assertThat(published).extracting(p -> p[1]).anyMatch(p -> p.contains("\"copy.failed\""));
        OffsiteCopies.Status failed = offsiteStatus(m);
        assertThat(failed.state()).isEqualTo(OffsiteState.FAILED);
        assertThat(failed.detail()).contains("usb");

        plugItBackIn();
        OffsiteCopier copier = service.offsite().orElseThrow();
        assertThat(copier.missing(null, w -> {})).containsExactly(m);
        CopyRecord again = copier.copy(m, Trigger.manual("copy command"), new Progress());

        assertThat(again.ok()).as(again.detail()).isTrue();
        assertThat(offsiteStatus(m).state()).isEqualTo(OffsiteState.COPIED);
        assertThat(copier.missing(null, w -> {})).isEmpty();
        assertThat(alerts())
                .hasSize(2)
                .last()
                .asString()
                .contains("OffsiteCopyFailed:files")
                .contains("\"status\":\"resolved\"");
    }

    @Test
    void aPrimaryObjectChangedSinceItsVerificationIsNotCopiedAndLeavesNothingOffsite() throws Exception {
        BackupService service = new BackupService(
                config,
                primary,
                catalog,
                new Events(EventSink.NONE),
                Clock.systemUTC(),
                new BackupService.Compression(3, 1));
        Manifest m = service.backup("files", Trigger.manual("test"), new Progress());
        byte[] bytes = primary.getBytes(m.artifactKey());
        bytes[bytes.length / 2] ^= 1;
        primary.putBytes(m.artifactKey(), bytes);

        OffsiteCopier copier = new OffsiteCopier(config, primary, offsite, catalog, new Events(EventSink.NONE), clock);
        CopyRecord r = copier.copy(m, Trigger.manual("test"), new Progress());

        assertThat(r.ok()).isFalse();
        assertThat(r.detail()).contains("no longer matches its manifest").contains("./lifeboat verify " + m.id());
        assertThat(offsite.list("")).as("no partial copy").isEmpty();
    }

    @Test
    void aCopyLaggingPastTheRpoAlertsOnceAndResolvesWhenItCatchesUp() throws Exception {
        unplugTheDisk();
        BackupService service = service(clock);
        OffsiteCopier copier = service.offsite().orElseThrow();
        Manifest first = service.backup("files", Trigger.manual("test"), new Progress());
        published.clear();

        assertThat(copier.checkLag().targets())
                .singleElement()
                .satisfies(l -> assertThat(l.lagging()).isFalse());
        clock.advance(Duration.ofHours(26));
        assertThat(copier.checkLag().targets())
                .singleElement()
                .satisfies(l -> assertThat(l.lagging()).as("exactly at the RPO").isFalse());
        clock.advance(Duration.ofMinutes(1));
        OffsiteLag lag = copier.checkLag().targets().get(0);
        assertThat(lag.lagging()).isTrue();
        assertThat(lag.missing()).isEqualTo(1);
        assertThat(alerts())
                .singleElement()
                .asString()
                .contains("\"fingerprint\":\"OffsiteCopyLagging:files\"")
                .contains("\"status\":\"firing\"")
                .contains("copy --all-missing");
        copier.checkLag();
        assertThat(alerts()).as("no repeat while it keeps lagging").hasSize(1);

        plugItBackIn();
        for (Manifest m : copier.missing(null, w -> {})) {
            assertThat(copier.copy(m, Trigger.manual("copy"), new Progress()).ok())
                    .isTrue();
        }
        OffsiteLag caughtUp = copier.checkLag().targets().get(0);
        assertThat(caughtUp.lagging()).isFalse();
        assertThat(caughtUp.newestCopyId()).isEqualTo(first.id());
        assertThat(alerts())
                .filteredOn(a -> a.contains("OffsiteCopyLagging"))
                .hasSize(2)
                .last()
                .asString()
                .contains("\"status\":\"resolved\"");
    }

    @Test
    void whileTheOffsiteStoreIsUnreachableTheRecordsInThePrimarySayWhereEachBackupStands() throws Exception {
        BackupService service = service(Clock.systemUTC());
        Manifest copied = service.backup("files", Trigger.manual("test"), new Progress());
        Files.move(usb, dir.resolve("usb-away"));
        unplugTheDisk();
        Manifest failed = service.backup("files", Trigger.manual("test"), new Progress());

        BackupStore unreachable = new BackupStore() { // as an S3 endpoint that does not answer
                    @Override
                    public long put(String key, InputStream in) throws IOException {
                        throw new IOException("disk not mounted");
                    }

                    @Override
                    public InputStream get(String key) throws IOException {
                        throw new IOException("disk not mounted");
                    }

                    @Override
                    public boolean exists(String key) throws IOException {
                        throw new IOException("disk not mounted");
                    }

                    @Override
                    public List<String> list(String prefix) throws IOException {
                        throw new IOException("disk not mounted");
                    }

                    @Override
                    public void delete(String key) throws IOException {
                        throw new IOException("disk not mounted");
                    }

                    @Override
                    public String describe() {
                        return "filesystem /mnt/usb";
                    }
                };
        OffsiteCopies view = OffsiteCopies.scan(primary, unreachable, null, w -> {});
        assertThat(view.unreachable()).hasValueSatisfying(w -> assertThat(w).contains("disk not mounted"));
        assertThat(view.status(copied).state()).isEqualTo(OffsiteState.COPIED);
        assertThat(view.status(copied).detail()).contains("unreachable");
        assertThat(view.status(failed).state()).isEqualTo(OffsiteState.FAILED);
    }

    @Test
    void reencryptedCopiesChangeOnlyTheEncryptionSuffixOfTheKey() {
        assertThat(OffsiteCopier.reKey("db/x/data.dump.zst", "", ".age")).isEqualTo("db/x/data.dump.zst.age");
        assertThat(OffsiteCopier.reKey("db/x/data.dump.zst.age", ".age", "")).isEqualTo("db/x/data.dump.zst");
        assertThat(OffsiteCopier.reKey("db/x/data.dump.zst.gpg", ".gpg", ".age"))
                .isEqualTo("db/x/data.dump.zst.age");
    }
}
