package io.lifeboat.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command fed on stdin: streamed whole, early stops, failures, broken input. */
class ProcessFeederTest {

    @TempDir
    Path dir;

    @Test
    void theWholeInputReachesTheCommandAndItsLinesComeBack() throws Exception {
        Path out = dir.resolve("out");
        byte[] data = new byte[5_000_000];
        new java.util.Random(3).nextBytes(data);
        List<String> lines = new ArrayList<>();
        ProcessFeeder feeder = new ProcessFeeder(
                "tee", List.of("sh", "-c", "cat > '" + out + "'; echo done; echo \"$SECRET\""), Map.of("SECRET", "s3"));

        ProcessFeeder.Result r = feeder.feed(new ByteArrayInputStream(data), lines::add);

        assertThat(r.ok()).isTrue();
        assertThat(r.readAll()).isTrue();
        assertThat(Files.readAllBytes(out)).isEqualTo(data);
        assertThat(lines).containsExactly("done", "s3");
        assertThat(feeder.command()).doesNotContain("s3");
    }

    @Test
    void aCommandThatStopsReadingEarlyIsNotAnError() throws Exception {
        ProcessFeeder.Result r = new ProcessFeeder("head", List.of("head", "-c", "10"), Map.of())
                .feed(new ByteArrayInputStream(new byte[20_000_000]), null);

        assertThat(r.ok()).isTrue();
        assertThat(r.readAll()).isFalse();
    }

    @Test
    void aFailingCommandReportsItsExitCodeAndStderr() throws Exception {
        ProcessFeeder.Result r = new ProcessFeeder(
                        "tool", List.of("sh", "-c", "echo 'tool: error: it broke' >&2; exit 3"), Map.of())
                .feed(new ByteArrayInputStream("x".repeat(1_000_000).getBytes(StandardCharsets.UTF_8)), null);

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stderr()).contains("it broke");
    }

    @Test
    void brokenInputStopsTheCommand() {
        InputStream broken = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 100_000) {
                    throw new IOException("Data corruption detected");
                }
                return 'a';
            }
        };
        assertThatThrownBy(() -> new ProcessFeeder("cat", List.of("sh", "-c", "cat > /dev/null; sleep 30"), Map.of())
                        .feed(broken, null))
                .isInstanceOf(ProcessFeeder.InputFailedException.class)
                .hasMessageContaining("Data corruption detected");
    }

    @Test
    void aMissingProgramIsAClearError() {
        assertThatThrownBy(() -> new ProcessFeeder("nope", List.of("lifeboat-no-such-program"), Map.of())
                        .feed(new ByteArrayInputStream(new byte[1]), null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("nope could not be started");
    }
}
