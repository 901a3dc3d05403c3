package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.crypto.Encryptions;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Validation;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.ArtifactReader;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.store.FilesystemStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CommandRestorer with real commands: back up a command's output, feed it back to a restore command. */
class CommandRestorerTest {

    @TempDir
    Path tmp;

    LifeboatConfig config;
    FilesystemStore store;
    Catalog catalog;
    BackupService service;
    Path source;

    @BeforeEach
    void setUp() throws Exception {
        source = tmp.resolve("source.bin");
        byte[] bytes = new byte[2 * 1024 * 1024 + 17];
        new Random(3).nextBytes(bytes);
        Files.write(source, bytes);
        Files.writeString(tmp.resolve("lifeboat.yaml"), """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  snap:
                    kind: command
                    command: ["cat", "%s"]
                    restore: ["sh", "-c", "cat > \\"$0\\"/restored-by-command.bin; echo \\"$LIFEBOAT_TARGET $LIFEBOAT_BACKUP_ID\\" > \\"$0\\"/env.txt", "%s"]
                    extension: snapshot
                    schedule: "0 0 3 * * ?"
                    rpo: 26h
                  norestore: {kind: command, command: ["cat", "%s"], schedule: "0 0 3 * * ?", rpo: 26h}
                  failing:
                    kind: command
                    command: ["cat", "%s"]
                    restore: ["sh", "-c", "head -c 10 > /dev/null; echo 'snapshot rejected: bad magic' >&2; exit 3"]
                    schedule: "0 0 3 * * ?"
                    rpo: 26h
                  quitter:
                    kind: command
                    command: ["cat", "%s"]
                    restore: ["sh", "-c", "head -c 10 > /dev/null; exit 0"]
                    schedule: "0 0 3 * * ?"
                    rpo: 26h
                """.formatted(source, tmp, source, source, source));
        config = ConfigLoader.load(tmp.resolve("lifeboat.yaml"), Map.of());
        store = new FilesystemStore(config.primary().path());
        catalog = Catalog.open(config.catalog(), config.dataDir());
        service = new BackupService(
                config,
                store,
                catalog,
                new Events(EventSink.NONE),
                Clock.systemUTC(),
                new BackupService.Compression(3, 1));
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    @Test
    void theRestoreCommandGetsTheBackupOnStdinByteForByte() throws Exception {
        byte[] original = Files.readAllBytes(source);
        Manifest m = service.backup("snap", Trigger.manual("test"), new Progress());
        Files.write(source, new byte[] {1, 2, 3}); // the source changes after the backup

        Restored restored = restoreThroughTheStore(m, null, false);

        assertThat(restored.location()).isEqualTo("restore command sh");
        assertThat(restored.description()).contains(original.length + " bytes fed to sh");
        assertThat(Files.readAllBytes(tmp.resolve("restored-by-command.bin"))).isEqualTo(original);
        assertThat(tmp.resolve("env.txt")).hasContent("snap " + m.id());
        restorer("snap").discard(restored); // nothing to undo: must not fail
    }

    @Test
    void withoutARestoreCommandTheErrorSaysWhatToAdd() throws Exception {
        Manifest m = service.backup("norestore", Trigger.manual("test"), new Progress());

        RestoreFailedException e =
                catchThrowableOfType(RestoreFailedException.class, () -> restoreThroughTheStore(m, null, false));

        assertThat(e)
                .hasMessageContaining("target 'norestore' has no restore command")
                .hasMessageContaining("add `restore:");
        assertThat(restorer("norestore").plan(request("norestore", m, null, false)))
                .singleElement()
                .asString()
                .startsWith("cannot restore: target 'norestore' has no restore command");
    }

    @Test
    void aFailingRestoreCommandFailsWithItsStderr() throws Exception {
        Manifest m = service.backup("failing", Trigger.manual("test"), new Progress());

        RestoreFailedException e =
                catchThrowableOfType(RestoreFailedException.class, () -> restoreThroughTheStore(m, null, false));

        assertThat(e).hasMessageContaining("sh exited with code 3: snapshot rejected: bad magic");
        assertThat(e.stderr()).contains("snapshot rejected");
    }

    @Test
    void aRestoreCommandThatStopsReadingAndExitsZeroStillFails() throws Exception {
        Manifest m = service.backup("quitter", Trigger.manual("test"), new Progress());

        RestoreFailedException e =
                catchThrowableOfType(RestoreFailedException.class, () -> restoreThroughTheStore(m, null, false));

        assertThat(e).hasMessageContaining("exited 0 but stopped reading").hasMessageContaining("not fed whole");
    }

    @Test
    void intoAFileWritesTheRawOutputAndRefusesToOverwrite() throws Exception {
        byte[] original = Files.readAllBytes(source);
        Manifest m = service.backup("norestore", Trigger.manual("test"), new Progress());
        Path file = tmp.resolve("out/raw.bin");

        Restored restored = restoreThroughTheStore(m, file.toString(), false);

        assertThat(restored.location()).isEqualTo(file.toString());
        assertThat(Files.readAllBytes(file)).isEqualTo(original);
        RestoreFailedException again = catchThrowableOfType(
                RestoreFailedException.class, () -> restoreThroughTheStore(m, file.toString(), false));
        assertThat(again).hasMessageContaining("exists");
        assertThat(Files.readAllBytes(file)).isEqualTo(original);
    }

    @Test
    void aDrillWritesAScratchFileTheCommandChecksReadAndDiscardDeletesIt() throws Exception {
        Manifest m = service.backup("snap", Trigger.manual("test"), new Progress());
        long size = Files.size(source);

        Restored restored = restoreThroughTheStore(m, null, true);
        Path file = Path.of(restored.location());
        List<ValidationResult> results = restorer("snap")
                .validate(
                        restored,
                        List.of(
                                check("test -s \"$LIFEBOAT_RESTORED\"", null, null),
                                check("wc -c < \"$LIFEBOAT_RESTORED\"", size, size),
                                check("wc -c < \"$LIFEBOAT_RESTORED\"", size + 1, null),
                                check("echo not a number", 1L, null),
                                check("echo broken >&2; exit 7", null, null),
                                new Validation(null, "user:*", null, null, null, null)));

        assertThat(file).startsWith(tmp.resolve("data/restores")).hasFileName("data.snapshot");
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(results).extracting(ValidationResult::ok).containsExactly(true, true, false, false, false, false);
        assertThat(results.get(1).value()).isEqualTo(size);
        assertThat(results.get(2).detail()).contains("outside the bounds");
        assertThat(results.get(3).detail()).contains("not a whole number");
        assertThat(results.get(4).detail()).contains("exited with code 7: broken");
        assertThat(results.get(5).detail()).contains("does not apply");
        assertThat(tmp.resolve("restored-by-command.bin")).doesNotExist(); // a drill never runs the restore command

        restorer("snap").discard(restored);

        assertThat(file).doesNotExist();
        try (Stream<Path> left = Files.list(tmp.resolve("data/restores"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void promoteFeedsAValidatedFileToTheRestoreCommand() throws Exception {
        byte[] original = Files.readAllBytes(source);
        Manifest m = service.backup("snap", Trigger.manual("test"), new Progress());
        Path file = tmp.resolve("staged.bin");
        Restored restored = restoreThroughTheStore(m, file.toString(), false);

        Restored promoted = restorer("snap").promote(restored, request("snap", m, file.toString(), false));

        assertThat(promoted.location()).isEqualTo("restore command sh");
        assertThat(Files.readAllBytes(tmp.resolve("restored-by-command.bin"))).isEqualTo(original);
    }

    @Test
    void aBrokenStreamStopsTheRestoreCommand() throws Exception {
        InputStream broken = new InputStream() {
            int n;

            @Override
            public int read() throws java.io.IOException {
                if (n++ > 100_000) {
                    throw new java.io.IOException("zstd: data corruption detected");
                }
                return 'x';
            }
        };
        RestoreFailedException e = catchThrowableOfType(
                RestoreFailedException.class,
                () -> restorer("snap").restore(broken, request("snap", DirectoryRestorerTest.manifest(), null, false)));

        assertThat(e).hasMessageContaining("reading the backup failed").hasMessageContaining("data corruption");
        assertThat(restorer("snap")
                        .restore(
                                new ByteArrayInputStream(new byte[] {42}),
                                request("snap", DirectoryRestorerTest.manifest(), null, false))
                        .description())
                .contains("1 bytes fed");
    }

    private Restored restoreThroughTheStore(Manifest m, String into, boolean scratch) throws Exception {
        try (ArtifactReader reader =
                ArtifactReader.open(store, m, Encryptions.forReading(m, config.primary()), new Progress())) {
            Restored r = restorer(m.target()).restore(reader.raw(), request(m.target(), m, into, scratch));
            reader.finish();
            return r;
        }
    }

    private Restorer restorer(String target) {
        return Restorers.forTarget(config.target(target).orElseThrow(), config.dataDir());
    }

    private RestoreRequest request(String target, Manifest m, String into, boolean scratch) {
        TargetConfig t = config.target(target).orElseThrow();
        return new RestoreRequest(t, m, into, scratch, Map.of());
    }

    private static Validation check(String command, Long min, Long max) {
        return new Validation(null, null, null, command, min, max);
    }
}
