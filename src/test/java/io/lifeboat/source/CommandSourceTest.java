package io.lifeboat.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CommandSource and the ProcessStreamer under it, against real processes. */
class CommandSourceTest {

    @TempDir
    Path tmp;

    @Test
    void streamsStdoutExactlyInBoundedChunks() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);
        Path file = tmp.resolve("data.bin");
        Files.write(file, data);
        List<Integer> chunkSizes = new ArrayList<>();
        ByteArrayOutputStream received = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                chunkSizes.add(len);
                super.write(b, off, len);
            }
        };

        new CommandSource(List.of("cat", file.toString())).writeTo(received);

        assertThat(received.toByteArray()).isEqualTo(data);
        assertThat(chunkSizes).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(ProcessStreamer.BUFFER_SIZE));
    }

    @Test
    void bytesReachTheOutputWhileTheCommandStillRuns() throws Exception {
        Path pidFile = tmp.resolve("pid");
        List<Boolean> aliveAtFirstWrite = new ArrayList<>();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (aliveAtFirstWrite.isEmpty()) {
                    aliveAtFirstWrite.add(isAlive(readPid(pidFile)));
                }
            }
        };

        new CommandSource(List.of("sh", "-c", "echo $$ > '" + pidFile + "'; printf first; sleep 1; printf second"))
                .writeTo(out);

        assertThat(aliveAtFirstWrite).containsExactly(true);
    }

    @Test
    void nonZeroExitFailsWithToolExitCodeAndStderr() {
        CommandSource source = new CommandSource(List.of("sh", "-c", "echo partial; echo 'disk on fire' >&2; exit 3"));

        SourceFailedException e =
                catchThrowableOfType(SourceFailedException.class, () -> source.writeTo(new ByteArrayOutputStream()));

        assertThat(e).hasMessageContaining("sh exited with code 3").hasMessageContaining("disk on fire");
        assertThat(e.stderr()).isEqualTo("disk on fire\n");
    }

    @Test
    void hugeStderrBeforeAnyStdoutDoesNotBlockAndOnlyItsTailIsKept() {
        // 8 MB on stderr before stdout starts: without concurrent draining the tool blocks on a full pipe
        String script = "head -c 8000000 /dev/zero | tr '\\000' e >&2; echo ' last words' >&2;"
                + " head -c 3000000 /dev/zero; exit 1";
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        SourceFailedException e = assertTimeoutPreemptively(
                Duration.ofSeconds(60),
                () -> catchThrowableOfType(
                        SourceFailedException.class,
                        () -> new CommandSource(List.of("sh", "-c", script)).writeTo(out)));

        assertThat(out.size()).isEqualTo(3_000_000);
        assertThat(e).hasMessageContaining("exited with code 1").hasMessageContaining("last words");
        assertThat(e.stderr()).endsWith("eee last words\n").startsWith("[").contains("earlier bytes of stderr dropped");
        assertThat(e.stderr().length())
                .isBetween(ProcessStreamer.STDERR_TAIL_BYTES, ProcessStreamer.STDERR_TAIL_BYTES + 100);
    }

    @Test
    void failingOutputKillsTheCommandAndItsChildrenAndSurfacesTheIOException() throws Exception {
        Path shellPid = tmp.resolve("shell.pid");
        Path childPid = tmp.resolve("child.pid");
        // a child that does not write (so no SIGPIPE ends it) beside one that writes forever
        String script = "echo $$ > '" + shellPid + "'; sleep 300 & echo $! > '" + childPid + "'; cat /dev/zero";
        long[] written = {0};
        OutputStream dyingUpload = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                written[0] += len;
                if (written[0] > 1_000_000) {
                    throw new IOException("upload died");
                }
            }
        };

        assertThatThrownBy(() -> assertTimeoutPreemptively(
                        Duration.ofSeconds(30),
                        () -> new CommandSource(List.of("sh", "-c", script)).writeTo(dyingUpload)))
                .isInstanceOf(IOException.class)
                .hasMessage("upload died");

        long shell = readPid(shellPid);
        long child = readPid(childPid);
        awaitGone(shell);
        awaitGone(child);
        assertThat(isAlive(shell)).as("shell %d alive", shell).isFalse();
        assertThat(isAlive(child)).as("child %d alive", child).isFalse();
    }

    @Test
    void missingProgramFailsClearly() {
        CommandSource source = new CommandSource(List.of("lifeboat-no-such-tool-4711", "--flag"));

        assertThatThrownBy(() -> source.writeTo(new ByteArrayOutputStream()))
                .isInstanceOf(SourceFailedException.class)
                .hasMessageContaining("lifeboat-no-such-tool-4711 could not be started");
    }

    @Test
    void commandIsRunWithoutAShell() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        new CommandSource(List.of("printf", "%s|", "$HOME", "a b", "; rm -rf /")).writeTo(out);

        assertThat(out.toString()).isEqualTo("$HOME|a b|; rm -rf /|");
    }

    @Test
    void environmentReachesTheProcessButNotItsCommandLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProcessStreamer streamer = new ProcessStreamer(
                "sh",
                List.of("sh", "-c", "printf %s \"$LIFEBOAT_TEST_SECRET\"; cat /proc/$$/cmdline"),
                Map.of("LIFEBOAT_TEST_SECRET", "s3cr3t"));

        streamer.streamTo(out);

        assertThat(out.toString()).startsWith("s3cr3t").doesNotContain("s3cr3ts3cr3t");
        assertThat(out.toString().substring("s3cr3t".length())).doesNotContain("s3cr3t");
    }

    @Test
    void describesItselfByItsFirstWord() {
        CommandSource source = new CommandSource(List.of("curl", "-fsS", "http://qdrant:6333/snapshot?token=abc"));

        assertThat(source.tool()).isEqualTo("curl");
        assertThat(source.toolVersion()).isEqualTo("unknown");
        assertThat(source.toString()).doesNotContain("token");
        assertThat(source.restoreHint("data.snapshot.zst"))
                .startsWith("zstd -d data.snapshot.zst -o data.snapshot")
                .contains("curl");
    }

    @Test
    void rejectsAnEmptyCommand() {
        assertThatThrownBy(() -> new CommandSource(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("command");
    }

    @Test
    void versionIsTheFirstLineOrUnknown() {
        assertThat(ProcessStreamer.version(List.of("sh", "-c", "echo; echo 'tool 1.2.3'; echo more")))
                .isEqualTo("tool 1.2.3");
        assertThat(ProcessStreamer.version(List.of("lifeboat-no-such-tool-4711", "--version")))
                .isEqualTo("unknown");
        assertThat(ProcessStreamer.version(List.of("sh", "-c", "echo oops; exit 2")))
                .isEqualTo("unknown");
    }

    private static long readPid(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException e) {
            throw new IllegalStateException("no pid in " + file, e);
        }
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void awaitGone(long pid) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (isAlive(pid) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
    }
}
