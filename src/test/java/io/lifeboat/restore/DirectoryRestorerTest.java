package io.lifeboat.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.crypto.Encryptions;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.TargetKind;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Validation;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.ArtifactReader;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.source.DirectorySource;
import io.lifeboat.store.FilesystemStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DirectoryRestorer on real folders: round trips, the checksum check, the swap, and hostile tars. */
class DirectoryRestorerTest {

    @TempDir
    Path tmp;

    Path live;
    TargetConfig target;
    DirectoryRestorer restorer;

    @BeforeEach
    void tree() throws IOException {
        live = Files.createDirectories(tmp.resolve("live"));
        Files.createDirectories(live.resolve("a/b/c"));
        Files.writeString(live.resolve("a/b/c/deep.txt"), "deep inside\n");
        Files.createDirectories(live.resolve("empty-dir"));
        Files.createFile(live.resolve("empty.txt"));
        byte[] random = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(random);
        Files.write(live.resolve("a/random.bin"), random);
        Files.writeString(live.resolve("grüße.txt"), "non-ASCII name\n");
        Path script = Files.writeString(live.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(script, FileTime.from(Instant.parse("2001-02-03T04:05:06.123456789Z")));
        Path secret = Files.writeString(live.resolve("a/secret.conf"), "token=1\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("r--------"));
        Files.createDirectories(live.resolve("locked"));
        Files.writeString(live.resolve("locked/inside.txt"), "in a read-only folder\n");
        Files.setPosixFilePermissions(live.resolve("locked"), PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.createSymbolicLink(live.resolve("link-to-deep"), Path.of("a/b/c/deep.txt"));
        Files.createSymbolicLink(live.resolve("link-to-dir"), Path.of("a"));
        Files.createSymbolicLink(live.resolve("dangling"), Path.of("nowhere/at/all"));
        Files.createSymbolicLink(live.resolve("absolute"), Path.of("/nonexistent-lifeboat-test/target"));
        Files.setLastModifiedTime(live.resolve("a/b"), FileTime.from(Instant.parse("2010-01-01T00:00:00Z")));
        target = new TargetConfig(
                "files",
                TargetKind.DIRECTORY,
                "0 0 2 * * ?",
                Duration.ofHours(26),
                null,
                null,
                null,
                null,
                null,
                null,
                live,
                null,
                null);
        restorer = new DirectoryRestorer(target, tmp.resolve("data/restores"));
    }

    @Test
    void roundTripThroughTheStoreGivesBackTheTreeAsItWas() throws Exception {
        Path configFile = Files.writeString(tmp.resolve("lifeboat.yaml"), """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  files: {kind: directory, path: live, schedule: "0 0 2 * * ?", rpo: 26h}
                """);
        LifeboatConfig config = ConfigLoader.load(configFile, Map.of());
        FilesystemStore store = new FilesystemStore(config.primary().path());
        Map<String, String> before = snapshot(live);
        Manifest m;
        try (Catalog catalog = Catalog.open(config.catalog(), config.dataDir())) {
            BackupService service = new BackupService(
                    config,
                    store,
                    catalog,
                    new Events(EventSink.NONE),
                    Clock.systemUTC(),
                    new BackupService.Compression(3, 1));
            m = service.backup("files", Trigger.manual("test"), new Progress());
        }
        // the live folder is damaged after the backup
        Files.delete(live.resolve("a/b/c/deep.txt"));
        Files.writeString(live.resolve("grüße.txt"), "changed");
        Files.delete(live.resolve("link-to-dir"));

        Path into = tmp.resolve("restored/here");
        Restored restored;
        try (ArtifactReader reader =
                ArtifactReader.open(store, m, Encryptions.forReading(m, config.primary()), new Progress())) {
            restored = restorer.restore(reader.raw(), request(m, into.toString(), false, Map.of()));
            reader.finish();
        }

        assertThat(restored.location()).isEqualTo(into.toString());
        assertThat(restored.resource()).isNull();
        assertThat(snapshot(into)).isEqualTo(before);
        assertThat(Files.getLastModifiedTime(into.resolve("run.sh")).toInstant())
                .isEqualTo(Instant.parse("2001-02-03T04:05:06.1234567Z")); // what a pax mtime keeps
        assertThat(siblings(into)).containsExactly("here");
    }

    @Test
    void aScratchRestoreGoesUnderDataDirAndDiscardRemovesIt() throws Exception {
        Restored restored = restorer.restore(tar(live), request(manifest(), null, true, Map.of()));

        Path folder = Path.of(restored.location());
        assertThat(folder).startsWith(tmp.resolve("data/restores")).isDirectory();
        assertThat(folder.getFileName().toString()).startsWith("files-");
        assertThat(snapshot(folder)).isEqualTo(snapshot(live));

        restorer.discard(restored);

        assertThat(folder).doesNotExist();
        assertThat(live.resolve("a/b/c/deep.txt")).exists(); // links were removed, never followed
    }

    @Test
    void intoMustBeNewOrEmpty() throws Exception {
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("keep.txt"), "mine");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Path empty = Files.createDirectories(tmp.resolve("empty"));

        RestoreFailedException notEmpty = catchThrowableOfType(
                RestoreFailedException.class,
                () -> restorer.restore(tar(live), request(manifest(), full.toString(), false, Map.of())));
        RestoreFailedException notFolder = catchThrowableOfType(
                RestoreFailedException.class,
                () -> restorer.restore(tar(live), request(manifest(), file.toString(), false, Map.of())));
        RestoreFailedException intoLive = catchThrowableOfType(
                RestoreFailedException.class,
                () -> restorer.restore(tar(live), request(manifest(), live.toString(), false, Map.of())));
        Restored intoEmpty = restorer.restore(tar(live), request(manifest(), empty.toString(), false, Map.of()));

        assertThat(notEmpty).hasMessageContaining(full.toString()).hasMessageContaining("not empty");
        assertThat(Files.readString(full.resolve("keep.txt"))).isEqualTo("mine");
        assertThat(notFolder).hasMessageContaining("is not a folder");
        assertThat(intoLive).hasMessageContaining("live folder");
        assertThat(snapshot(Path.of(intoEmpty.location()))).isEqualTo(snapshot(live));
    }

    @Test
    void filesChecksCountMatchingRegularFiles() throws Exception {
        Restored restored = restorer.restore(tar(live), request(manifest(), null, true, Map.of()));

        List<ValidationResult> results = restorer.validate(
                restored,
                List.of(
                        files("**", 1L, null),
                        files("*.txt", 2L, 2L),
                        files("**.txt", null, 3L),
                        files("a/**", 100L, null),
                        new Validation(null, "user:*", null, null, 1L, null)));

        assertThat(results).hasSize(6); // five checks, then the checksum check
        assertThat(results.get(0).value()).isEqualTo(7L);
        assertThat(results.get(0).ok()).isTrue();
        assertThat(results.get(1).value()).isEqualTo(2L); // empty.txt, grüße.txt
        assertThat(results.get(1).ok()).isTrue();
        assertThat(results.get(2).value()).isEqualTo(4L);
        assertThat(results.get(2).ok()).isFalse();
        assertThat(results.get(2).detail()).contains("4 files match").contains("outside the bounds");
        assertThat(results.get(3).ok()).isFalse();
        assertThat(results.get(4).ok()).isFalse();
        assertThat(results.get(4).detail()).contains("does not apply");
        restorer.discard(restored);
    }

    @Test
    void theChecksumCheckComparesUnchangedFilesWithTheLiveFolder() throws Exception {
        Restored restored = restorer.restore(tar(live), request(manifest(), null, true, Map.of()));
        ValidationResult clean = restorer.validate(restored, List.of()).get(0);

        assertThat(clean.ok()).as(clean.detail()).isTrue();
        assertThat(clean.check().describe()).contains("checksums").contains(live.toString());
        assertThat(clean.value()).isEqualTo(7L);
        assertThat(clean.detail()).startsWith("7 unchanged file(s) match, 0 changed since the backup, 0 no longer");

        // one file changed normally (new time), one deleted: neither is a failure
        Files.writeString(live.resolve("empty.txt"), "now with content");
        Files.delete(live.resolve("a/b/c/deep.txt"));
        ValidationResult drift = restorer.validate(restored, List.of()).get(0);
        assertThat(drift.ok()).as(drift.detail()).isTrue();
        assertThat(drift.detail())
                .contains("5 unchanged")
                .contains("1 changed since")
                .contains("1 no longer");

        // same size and same time but other bytes: the restored copy (or the live file) is not what it claims
        Path random = live.resolve("a/random.bin");
        FileTime time = Files.getLastModifiedTime(random);
        byte[] bytes = Files.readAllBytes(random);
        bytes[12345] ^= 1;
        Files.write(random, bytes);
        Files.setLastModifiedTime(random, time);
        ValidationResult rot = restorer.validate(restored, List.of()).get(0);
        assertThat(rot.ok()).isFalse();
        assertThat(rot.detail())
                .contains("1 file(s) have the size and time of the live ones but other content: a/random.bin");
        restorer.discard(restored);
    }

    @Test
    void replaceStagesBesideTheLiveFolderAndPromoteSwapsKeepingTheOldOne() throws Exception {
        Map<String, String> before = snapshot(live);
        Restored restored = restorer.restore(tar(live), request(manifest(), null, false, Map.of("replace", "true")));
        assertThat(Path.of(restored.location()).getParent()).isEqualTo(tmp);
        assertThat(Path.of(restored.location()).getFileName().toString()).startsWith("live.lifeboat-restored-");
        Files.writeString(live.resolve("after-backup.txt"), "written after the backup");

        Restored promoted = restorer.promote(restored, request(manifest(), null, false, Map.of("replace", "true")));

        assertThat(promoted.location()).isEqualTo(live.toString());
        assertThat(snapshot(live)).isEqualTo(before);
        List<String> names = siblings(live);
        assertThat(names).hasSize(2).contains("live");
        String kept = names.stream().filter(n -> !n.equals("live")).findFirst().orElseThrow();
        assertThat(kept).startsWith("live.pre_restore_");
        assertThat(promoted.description()).contains(kept);
        assertThat(tmp.resolve(kept).resolve("after-backup.txt")).hasContent("written after the backup");
    }

    @Test
    void aTarWrittenByLifeboatWithAHardLinkInsideRestoresTheLink() throws Exception {
        byte[] tar = tar(out -> {
            file(out, "a.txt", "shared");
            TarArchiveEntry hard = new TarArchiveEntry("b.txt", TarConstants.LF_LINK);
            hard.setLinkName("a.txt");
            put(out, hard, null);
        });
        Path into = tmp.resolve("hard");

        restorer.restore(new ByteArrayInputStream(tar), request(manifest(), into.toString(), false, Map.of()));

        assertThat(into.resolve("b.txt")).hasContent("shared");
        assertThat(Files.isSameFile(into.resolve("a.txt"), into.resolve("b.txt")))
                .isTrue();
    }

    @Test
    void thePlanNamesWhatWouldBeCreatedAndReplacedAndChangesNothing() throws Exception {
        List<String> replace = restorer.plan(request(manifest(), null, false, Map.of("replace", "true")));
        List<String> full = restorer.plan(request(manifest(), live.toString(), false, Map.of()));

        assertThat(String.join("\n", replace))
                .contains("extract the tar of backup 20260101T000000Z-abcdef")
                .contains(live + ".lifeboat-restored-")
                .contains("rename the live folder " + live + " to " + live + ".pre_restore_");
        assertThat(full).singleElement().asString().startsWith("cannot restore: --into names the live folder");
        assertThat(siblings(live)).containsExactly("live");
        assertThat(tmp.resolve("data")).doesNotExist();
    }

    // ---- hostile tars

    @Test
    void dotDotIsRefused() throws Exception {
        assertRefused("../evil", out -> file(out, "../evil", "x"), tmp.resolve("evil"));
    }

    @Test
    void aDotDotInTheMiddleIsRefused() throws Exception {
        assertRefused("a/../../evil", out -> file(out, "a/../../evil", "x"), tmp.resolve("evil"));
    }

    @Test
    void anAbsolutePathIsRefused() throws Exception {
        Path outside = tmp.resolve("abs-evil");
        assertRefused(outside.toString(), out -> file(out, outside.toString(), "x"), outside);
        assertRefused("/etc/evil", out -> file(out, "/etc/evil", "x"), Path.of("/etc/evil"));
    }

    @Test
    void writingThroughASymlinkAnEarlierEntryCreatedIsRefused() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        assertRefused(
                "link/file",
                out -> {
                    symlink(out, "link", outside.toString());
                    file(out, "link/file", "escaped");
                },
                outside.resolve("file"));
        assertRefused(
                "up/evil",
                out -> {
                    symlink(out, "up", "..");
                    file(out, "up/evil", "escaped");
                },
                tmp.resolve("evil"));
        assertThat(outside).isEmptyDirectory();
    }

    @Test
    void aFileOverAnEarlierSymlinkIsRefused() throws Exception {
        Path victim = Files.writeString(tmp.resolve("victim.txt"), "untouched");
        assertRefused(
                "same",
                out -> {
                    symlink(out, "same", victim.toString());
                    file(out, "same", "overwritten");
                },
                null);
        assertThat(victim).hasContent("untouched");
    }

    @Test
    void aHardLinkOutsideIsRefused() throws Exception {
        assertRefused(
                "passwd",
                out -> {
                    TarArchiveEntry hard = new TarArchiveEntry("passwd", TarConstants.LF_LINK);
                    hard.setLinkName("/etc/passwd");
                    put(out, hard, null);
                },
                null);
        assertRefused(
                "up",
                out -> {
                    TarArchiveEntry hard = new TarArchiveEntry("up", TarConstants.LF_LINK);
                    hard.setLinkName("../victim");
                    put(out, hard, null);
                },
                null);
        Path victim = Files.writeString(tmp.resolve("linked-victim"), "untouched");
        assertRefused(
                "hl",
                out -> {
                    symlink(out, "sl", victim.toString());
                    TarArchiveEntry hard = new TarArchiveEntry("hl", TarConstants.LF_LINK);
                    hard.setLinkName("sl");
                    put(out, hard, null);
                },
                null);
        assertThat(Files.getAttribute(victim, "unix:nlink")).isEqualTo(1);
    }

    @Test
    void deviceFilesAndFifosAreRefused() throws Exception {
        for (byte type : new byte[] {TarConstants.LF_CHR, TarConstants.LF_BLK, TarConstants.LF_FIFO}) {
            assertRefused(
                    "dev-" + (char) type, out -> put(out, new TarArchiveEntry("dev-" + (char) type, type), null), null);
        }
    }

    @Test
    void aPathNamedTwiceIsRefused() throws Exception {
        assertRefused(
                "twice.txt",
                out -> {
                    file(out, "twice.txt", "first");
                    file(out, "twice.txt", "second");
                },
                null);
    }

    @Test
    void aTruncatedTarFailsAndLeavesNothing() throws Exception {
        byte[] whole = tar(live).readAllBytes();
        byte[] cut = java.util.Arrays.copyOf(whole, 4096 + 100);
        Path into = tmp.resolve("cut");

        RestoreFailedException e = catchThrowableOfType(
                RestoreFailedException.class,
                () -> restorer.restore(
                        new ByteArrayInputStream(cut), request(manifest(), into.toString(), false, Map.of())));

        assertThat(e).hasMessageContaining("could not extract").hasMessageContaining(into.toString());
        assertThat(into).doesNotExist();
        assertThat(siblings(into)).doesNotContain("cut").noneMatch(n -> n.contains("lifeboat-partial"));
    }

    @Test
    void garbageIsNotATar() throws Exception {
        byte[] garbage = new byte[10_000];
        new Random(1).nextBytes(garbage);
        Path into = tmp.resolve("garbage");

        RestoreFailedException e = catchThrowableOfType(
                RestoreFailedException.class,
                () -> restorer.restore(
                        new ByteArrayInputStream(garbage), request(manifest(), into.toString(), false, Map.of())));

        assertThat(e).isNotNull();
        assertThat(into).doesNotExist();
        assertThat(siblings(into)).noneMatch(n -> n.contains("lifeboat-partial"));
    }

    private void assertRefused(String entry, TarWriter writer, Path mustNotExist) throws Exception {
        Path into = tmp.resolve("work/out");
        byte[] tar = tar(writer);

        RestoreFailedException e = catchThrowableOfType(
                RestoreFailedException.class,
                () -> restorer.restore(
                        new ByteArrayInputStream(tar), request(manifest(), into.toString(), false, Map.of())));

        assertThat(e).as("entry " + entry + " must be refused").isNotNull();
        assertThat(e.getMessage()).contains("refused tar entry '" + entry + "'");
        if (mustNotExist != null) {
            assertThat(Files.exists(mustNotExist, LinkOption.NOFOLLOW_LINKS))
                    .as(mustNotExist + " written")
                    .isFalse();
        }
        assertThat(into).doesNotExist();
        assertThat(siblings(into)).as("staging removed").isEmpty();
        assertThat(tmp.resolve("evil")).doesNotExist();
    }

    // ---- helpers

    interface TarWriter {
        void write(TarArchiveOutputStream out) throws IOException;
    }

    private static byte[] tar(TarWriter writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes, "UTF-8")) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            writer.write(out);
        }
        return bytes.toByteArray();
    }

    private static void file(TarArchiveOutputStream out, String name, String content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, true); // true: keep a leading '/', as a hostile tar would
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        e.setSize(data.length);
        put(out, e, data);
    }

    private static void symlink(TarArchiveOutputStream out, String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        put(out, e, null);
    }

    private static void put(TarArchiveOutputStream out, TarArchiveEntry e, byte[] data) throws IOException {
        out.putArchiveEntry(e);
        if (data != null) {
            out.write(data);
        }
        out.closeArchiveEntry();
    }

    private static InputStream tar(Path folder) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DirectorySource(folder).writeTo(out);
        return new ByteArrayInputStream(out.toByteArray());
    }

    private RestoreRequest request(Manifest m, String into, boolean scratch, Map<String, String> options) {
        return new RestoreRequest(target, m, into, scratch, options);
    }

    static Manifest manifest() {
        return new Manifest(
                1,
                "20260101T000000Z-abcdef",
                "files",
                "directory",
                Instant.parse("2026-01-01T00:00:00Z"),
                Instant.parse("2026-01-01T00:00:01Z"),
                Trigger.manual("test"),
                "tar (lifeboat)",
                "test",
                "files/20260101T000000Z-abcdef/data.tar.zst",
                1,
                1,
                "0".repeat(64),
                "zstd",
                "none",
                "",
                List.of());
    }

    private static Validation files(String glob, Long min, Long max) {
        return new Validation(null, null, glob, null, min, max);
    }

    private static List<String> siblings(Path path) throws IOException {
        if (!Files.isDirectory(path.getParent())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(path.getParent())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Every entry of a tree: type, mode, time (to the microsecond), and content hash or link target. */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        Consumer<Path> add = p -> {
            try {
                String rel = root.relativize(p).toString();
                Instant time = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS)
                        .toInstant()
                        .truncatedTo(ChronoUnit.MICROS);
                if (Files.isSymbolicLink(p)) {
                    entries.put(rel, "link -> " + Files.readSymbolicLink(p) + " @" + time);
                } else {
                    String mode =
                            PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                    String what =
                            Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir" : "file " + ScratchPlaces.sha256(p);
                    entries.put(rel, what + " " + mode + " @" + time);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> !p.equals(root)).forEach(add);
        }
        return entries;
    }
}
