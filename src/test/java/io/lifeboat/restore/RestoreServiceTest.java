package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Validation;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.restore.RestoreService.Options;
import io.lifeboat.restore.RestoreService.Outcome;
import io.lifeboat.store.FilesystemStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore service's rules on local parts only (a folder store, the embedded catalog, command
 * backups), with a restorer that writes what it reads into a folder: the order of checks for a restore
 * that writes into live data, the discard of a copy whose hash did not match, and which backups may be
 * restored at all.
 */
class RestoreServiceTest {

    @TempDir
    Path dir;

    LifeboatConfig config;
    FilesystemStore store;
    Catalog catalog;
    List<String[]> published = Collections.synchronizedList(new ArrayList<>());
    BackupService backups;
    FolderRestorer restorer;
    RestoreService restores;

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(dir.resolve("lifeboat.yaml"), """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  tool:
                    kind: command
                    command: ["sh", "-c", "seq 1 400000"]
                    restore: ["sh", "-c", "cat > /dev/null"]
                    schedule: "0 0 2 * * ?"
                    rpo: 26h
                    drill: {validate: [{command: "true"}]}
                """);
        config = ConfigLoader.load(dir.resolve("lifeboat.yaml"), Map.of());
        store = new FilesystemStore(config.primary().path());
        catalog = Catalog.open(config.catalog(), config.dataDir());
        EventSink sink = (topic, payload, retained) ->
                published.add(new String[] {topic, new String(payload, StandardCharsets.UTF_8)});
        Events events = new Events(sink);
        backups = new BackupService(
                config, store, catalog, events, Clock.systemUTC(), new BackupService.Compression(3, 1));
        restorer = new FolderRestorer(dir.resolve("restored"));
        restores = new RestoreService(config, store, catalog, events, Clock.systemUTC(), t -> restorer);
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    Manifest backup() throws Exception {
        return backups.backup("tool", Trigger.manual("test"), new Progress());
    }

    void flipAByte(Manifest m, int at) throws IOException {
        byte[] bytes = store.getBytes(m.artifactKey());
        bytes[at < 0 ? bytes.length + at : at] ^= 0x01;
        store.putBytes(m.artifactKey(), bytes);
    }

    @Test
    void aRestoreIntoLiveDataIsVerifiedWholeFirstAndNeverStartsOnAMismatch() throws Exception {
        Manifest m = backup();
        restorer.inPlace = true;
        flipAByte(m, -1);

        Outcome o = restores.restore(m.id(), Options.defaults(), new Progress());

        assertThat(o.ok()).isFalse();
        assertThat(o.error()).contains("sha256 mismatch").contains("nothing live was touched");
        assertThat(restorer.restoreCalls).as("the restore command never ran").isZero();
        assertThat(o.report().timeline()).anyMatch(s -> s.what().contains("verifying the whole stored object first"));
        assertThat(alerts())
                .singleElement()
                .asString()
                .contains("RestoreIntegrityFailed")
                .contains("critical");
        RunRow run = catalog.lastRun("tool", "restore").orElseThrow();
        assertThat(run.result()).isEqualTo("failed");
        assertThat(Json.MAPPER.readTree(run.detail()).get("ok").asBoolean()).isFalse();
        assertThat(store.list(StorageLayout.prefix("tool", m.backupId()) + "reports/"))
                .containsExactly(o.reportKey());
    }

    @Test
    void anIntactObjectIsVerifiedThenRestoredIntoLiveData() throws Exception {
        Manifest m = backup();
        restorer.inPlace = true;
        Progress progress = new Progress();

        Outcome o = restores.restore("latest:tool", Options.defaults(), progress);

        assertThat(o.ok()).as(o.error()).isTrue();
        assertThat(progress.verifiedBytes()).isEqualTo(m.storedBytes());
        assertThat(Files.readString(restorer.folder.resolve("data")))
                .startsWith("1\n2\n")
                .endsWith("\n399999\n400000\n");
        assertThat(o.report().validations())
                .singleElement()
                .satisfies(v -> assertThat(v.ok()).isTrue());
        assertThat(events("restore.finished")).hasSize(1);
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aCopyWhoseHashDoesNotMatchAtTheEndIsDiscarded() throws Exception {
        Manifest m = backup();
        restorer.stopAfter = 10; // reads only the start: the damaged end is found by the hash, not by the restorer
        flipAByte(m, -1);

        Outcome o = restores.restore(m.id(), Options.defaults(), new Progress());

        assertThat(o.ok()).isFalse();
        assertThat(restorer.restoreCalls).isEqualTo(1);
        assertThat(restorer.discarded).as(o.error()).containsExactly(restorer.folder.toString());
        assertThat(restorer.folder).doesNotExist();
        assertThat(o.error()).contains("sha256 mismatch").contains("was removed");
        assertThat(events("restore.failed")).singleElement().asString().contains("\"step\":\"integrity\"");
    }

    @Test
    void aFailingCheckKeepsTheCopyAndNamesIt() throws Exception {
        backup();
        restorer.checksPass = false;

        Outcome o = restores.restore("latest:tool", new Options(null, true, null, null), new Progress());

        assertThat(o.ok()).isFalse();
        assertThat(o.kept()).isEqualTo(restorer.folder.toString());
        assertThat(restorer.folder).exists();
        assertThat(restorer.promoted).as("never promoted").isFalse();
        assertThat(o.error()).contains("1 of 1 validation checks failed").contains("kept for inspection");
        assertThat(alerts()).singleElement().asString().contains("RestoreValidationFailed");
    }

    @Test
    void onlyVerifiedBackupsAreRestored() throws Exception {
        Manifest verified = backup();
        Manifest failed = backup();
        flipAByte(failed, 5);
        assertThat(backups.verify(failed, new Progress()).ok()).isFalse();

        assertThat(restores.resolve("latest:tool").manifest().id()).isEqualTo(verified.id());
        assertThatThrownBy(() -> restores.resolve(failed.id()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failed its last verification")
                .hasMessageContaining("the newest verified backup of tool is " + verified.id());
        assertThatThrownBy(() -> restores.resolve("latest:"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a target name");
        assertThatThrownBy(() -> restores.resolve("latest:nope\u0007"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown target 'nope?'");
        assertThatThrownBy(() -> restores.resolve("x".repeat(5000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither a backup id")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
        assertThat(catalog.runs("tool", "restore", 10)).isEmpty();
    }

    @Test
    void aRecoverySetMemberRestoresByItsManifest() throws Exception {
        Manifest m = backup();

        Outcome o = restores.restore(m, Options.defaults(), new Progress());

        assertThat(o.ok()).as(o.error()).isTrue();
        assertThat(o.report().backupId()).isEqualTo(m.id());
    }

    private List<String> alerts() {
        return published.stream()
                .filter(p -> p[0].equals("alerts"))
                .map(p -> p[1])
                .toList();
    }

    private List<String> events(String type) {
        return published.stream()
                .filter(p -> p[0].equals("events") && p[1].contains("\"type\":\"" + type + "\""))
                .map(p -> p[1])
                .toList();
    }

    /** A restorer that writes the raw artifact into a folder; it stands in for a kind, not for a service. */
    static final class FolderRestorer implements Restorer {
        final Path folder;
        boolean inPlace;
        boolean checksPass = true;
        boolean promoted;
        int stopAfter = -1;
        int restoreCalls;
        final List<String> discarded = new ArrayList<>();

        FolderRestorer(Path folder) {
            this.folder = folder;
        }

        @Override
        public List<String> plan(RestoreRequest request) {
            return List.of("write the artifact to " + folder);
        }

        @Override
        public boolean writesInPlace(RestoreRequest request) {
            return inPlace;
        }

        @Override
        public Restored restore(InputStream raw, RestoreRequest request) throws RestoreFailedException {
            restoreCalls++;
            try {
                Files.createDirectories(folder);
                byte[] bytes = stopAfter < 0 ? raw.readAllBytes() : raw.readNBytes(stopAfter);
                Files.write(folder.resolve("data"), bytes);
            } catch (IOException e) {
                throw new RestoreFailedException("write failed: " + e.getMessage(), "", e);
            }
            return new Restored("command", folder.toString(), "folder " + folder, null);
        }

        @Override
        public List<ValidationResult> validate(Restored restored, List<Validation> checks) {
            return checks.stream()
                    .map(c -> new ValidationResult(c, checksPass, null, checksPass ? "passed" : "failed"))
                    .toList();
        }

        @Override
        public Restored promote(Restored restored, RestoreRequest request) {
            promoted = true;
            return restored;
        }

        @Override
        public void discard(Restored restored) throws RestoreFailedException {
            discarded.add(restored.location());
            try (var files = Files.walk(folder)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new RestoreFailedException(e.getMessage());
            }
        }
    }
}
