package io.lifeboat.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DirectorySource's tar, extracted with the stock {@code tar} a user would restore with. */
class DirectorySourceTest {

    private static final String LONG_NAME = "a-file-name-longer-than-the-hundred-bytes-of-an-old-ustar-header-"
            + "so-it-needs-a-pax-path-record-to-survive.txt";

    @TempDir
    Path tmp;

    Path tree;

    @BeforeEach
    void buildTree() throws IOException {
        tree = Files.createDirectories(tmp.resolve("tree"));
        Files.createDirectories(tree.resolve("a/b/c"));
        Files.writeString(tree.resolve("a/b/c/deep.txt"), "deep inside\n");
        Files.createDirectories(tree.resolve("empty-dir"));
        Files.createFile(tree.resolve("empty.txt"));
        byte[] random = new byte[5 * 1024 * 1024];
        new Random(7).nextBytes(random);
        Files.write(tree.resolve("a/random.bin"), random);
        Files.writeString(tree.resolve("a/b/" + LONG_NAME), "long name\n");
        Files.writeString(tree.resolve("grüße.txt"), "non-ASCII name\n");
        Path script = Files.writeString(tree.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(script, FileTime.from(Instant.parse("2001-02-03T04:05:06Z")));
        Files.createSymbolicLink(tree.resolve("link-to-deep"), Path.of("a/b/c/deep.txt"));
        Files.createSymbolicLink(tree.resolve("link-to-dir"), Path.of("a"));
        Files.createSymbolicLink(tree.resolve("dangling"), Path.of("nowhere/at/all"));
    }

    @Test
    void stockTarRestoresTheSameTree() throws Exception {
        Path archive = tmp.resolve("data.tar");
        try (OutputStream out = Files.newOutputStream(archive)) {
            new DirectorySource(tree).writeTo(out);
        }
        Path restored = Files.createDirectories(tmp.resolve("restored"));

        run("tar", "-x", "-f", archive.toString(), "-C", restored.toString());

        assertThat(relativePaths(restored)).isEqualTo(relativePaths(tree));
        for (String relative : relativePaths(tree)) {
            Path original = tree.resolve(relative);
            Path copy = restored.resolve(relative);
            if (Files.isSymbolicLink(original)) {
                assertThat(Files.isSymbolicLink(copy))
                        .as(relative + " is a link")
                        .isTrue();
                assertThat(Files.readSymbolicLink(copy)).as(relative).isEqualTo(Files.readSymbolicLink(original));
            } else if (Files.isDirectory(original)) {
                assertThat(copy).isDirectory();
            } else {
                assertThat(Files.mismatch(original, copy))
                        .as(relative + " differs at byte")
                        .isEqualTo(-1L);
                assertThat(Files.getPosixFilePermissions(copy))
                        .as(relative)
                        .isEqualTo(Files.getPosixFilePermissions(original));
                assertThat(Files.getLastModifiedTime(copy).toInstant().getEpochSecond())
                        .as(relative)
                        .isEqualTo(
                                Files.getLastModifiedTime(original).toInstant().getEpochSecond());
            }
        }
        assertThat(Files.getLastModifiedTime(restored.resolve("run.sh")).toInstant())
                .isEqualTo(Instant.parse("2001-02-03T04:05:06Z"));
        assertThat(Files.getPosixFilePermissions(restored.resolve("run.sh")))
                .isEqualTo(PosixFilePermissions.fromString("rwxr-x---"));
        assertThat(Files.size(restored.resolve("a/random.bin"))).isEqualTo(5 * 1024 * 1024);
    }

    @Test
    void entriesAreRelativeSortedAndTheSameEveryTime() throws Exception {
        byte[] first = tar(tree);
        byte[] second = tar(tree);
        Path archive = Files.write(tmp.resolve("data.tar"), first);

        String listing = run("tar", "-t", "-f", archive.toString());

        assertThat(second).isEqualTo(first);
        assertThat(listing.lines())
                .containsExactly(
                        "a/",
                        "a/b/",
                        "a/b/" + LONG_NAME,
                        "a/b/c/",
                        "a/b/c/deep.txt",
                        "a/random.bin",
                        "dangling",
                        "empty-dir/",
                        "empty.txt",
                        "grüße.txt",
                        "link-to-deep",
                        "link-to-dir",
                        "run.sh");
    }

    @Test
    void doesNotCloseTheCallersStream() throws Exception {
        boolean[] closed = {false};
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };

        new DirectorySource(tree).writeTo(out);

        assertThat(closed[0]).isFalse();
        assertThat(out.size() % 512).isZero();
    }

    @Test
    void missingFolderFailsNamingThePath() {
        Path missing = tmp.resolve("no-such-folder");

        assertThatThrownBy(() -> new DirectorySource(missing).writeTo(new ByteArrayOutputStream()))
                .isInstanceOf(SourceFailedException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void aFileInsteadOfAFolderFails() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain.txt"), "x");

        assertThatThrownBy(() -> new DirectorySource(file).writeTo(new ByteArrayOutputStream()))
                .isInstanceOf(SourceFailedException.class)
                .hasMessageContaining(file + " is not a folder");
    }

    @Test
    void aFileThatVanishesBeforeItIsReadFailsNamingIt() throws IOException {
        Path victim = Files.writeString(tree.resolve("zz-victim.txt"), "gone soon");
        OutputStream deletingOut = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                try {
                    Files.deleteIfExists(victim); // removed while earlier entries are being written
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                super.write(b, off, len);
            }
        };

        assertThatThrownBy(() -> new DirectorySource(tree).writeTo(deletingOut))
                .isInstanceOf(SourceFailedException.class)
                .hasMessageContaining("cannot read file " + victim);
    }

    @Test
    void anUnreadableFileFailsNamingIt() throws IOException {
        Path secret = Files.writeString(tree.resolve("secret.txt"), "no access");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        assumeThat(Files.isReadable(secret))
                .as("runs as root, who reads anything")
                .isFalse();

        assertThatThrownBy(() -> new DirectorySource(tree).writeTo(new ByteArrayOutputStream()))
                .isInstanceOf(SourceFailedException.class)
                .hasMessageContaining("cannot read file " + secret);
    }

    @Test
    void restoreHintUsesStockTools() {
        DirectorySource source = new DirectorySource(tree);

        assertThat(source.restoreHint("data.tar.zst"))
                .isEqualTo("mkdir -p DEST && zstd -d data.tar.zst --stdout | tar -x -C DEST");
        assertThat(source.restoreHint("data.tar.zst.age"))
                .isEqualTo("mkdir -p DEST && age -d -i KEYFILE data.tar.zst.age | zstd -d --stdout | tar -x -C DEST");
        assertThat(source.tool()).isEqualTo("tar (lifeboat)");
        assertThat(source.toolVersion()).contains("commons-compress");
    }

    private static byte[] tar(Path folder) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DirectorySource(folder).writeTo(out);
        return out.toByteArray();
    }

    private static List<String> relativePaths(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> !p.equals(root))
                    .map(p -> root.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    private static String run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as(String.join(" ", command) + " said: " + output)
                .isZero();
        return output;
    }
}
