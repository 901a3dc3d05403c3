package io.lifeboat.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the stock tools a user restores with ({@code age}, {@code gpg}, {@code zstd}, {@code tar}) from
 * tests. A missing tool skips the test with the reason: {@code scripts/test-all.sh} installs them.
 */
public final class Tools {

    private Tools() {}

    /** Skips the calling test unless {@code tool} is on the PATH. */
    public static void require(String tool, String aptPackage) {
        assumeTrue(
                onPath(tool),
                tool + " is not installed: apt-get install " + aptPackage
                        + " (scripts/test-all.sh installs it), or the tests that need it are skipped");
    }

    public static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** What a finished command printed. */
    public record Result(List<String> command, int exit, byte[] stdout, String stderr) {
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** This result, or an {@link AssertionError} that shows the command and its stderr. */
        public Result ok() {
            if (exit != 0) {
                throw new AssertionError(command + " exited with " + exit + ": " + stderr);
            }
            return this;
        }
    }

    public static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        return run(env, null, command);
    }

    /** Runs {@code command} with {@code stdin} (or nothing) on its input; two minutes at most. */
    public static Result run(Map<String, String> env, Path stdin, String... command)
            throws IOException, InterruptedException {
        Path err = Files.createTempFile("lifeboat-tool", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
            pb.redirectInput(
                    stdin == null
                            ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                            : ProcessBuilder.Redirect.from(stdin.toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readAllBytes();
            }
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(List.of(command) + " did not finish in 2 minutes");
            }
            return new Result(List.of(command), p.exitValue(), out, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Runs a shell pipeline ({@code sh -c}). */
    public static Result sh(Map<String, String> env, String script) throws IOException, InterruptedException {
        return run(env, "sh", "-c", script);
    }
}
