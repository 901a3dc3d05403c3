package io.lifeboat.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real launcher jar ({@code target/lifeboat.jar}, built by {@code package} before failsafe
 * runs) as a separate process, the way a user runs {@code ./lifeboat}: same arguments, same exit
 * codes, same output.
 */
public final class LifeboatCli {

    private final Path config;
    private final Map<String, String> env = new HashMap<>();

    public LifeboatCli(Path config) {
        this.config = config;
    }

    public LifeboatCli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public static Path jar() {
        String jar = System.getProperty("lifeboat.jar");
        if (jar == null) {
            throw new IllegalStateException(
                    "system property lifeboat.jar is not set: run integration tests with mvn verify");
        }
        return Path.of(jar);
    }

    /** Starts a command without waiting; stdout and stderr go to files next to the config. */
    /**
     * Every process a test started: whatever a test's own clean-up missed (an exception in its finally)
     * is killed when the test JVM ends, so no daemon outlives the run holding ports.
     */
    private static final java.util.Set<Process> STARTED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> STARTED.stream().filter(Process::isAlive).forEach(Process::destroyForcibly),
                        "lifeboat-cli-reaper"));
    }

    public Started start(String... args) throws IOException {
        List<String> cmd =
                new ArrayList<>(List.of("java", "-Xmx256m", "-jar", jar().toString(), "--config", config.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().remove("LIFEBOAT_CONFIG");
        Path dir = config.getParent();
        long n = System.nanoTime();
        Path out = dir.resolve("stdout-" + n + ".txt");
        Path err = dir.resolve("stderr-" + n + ".txt");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process process = pb.start();
        STARTED.add(process);
        return new Started(process, out, err);
    }

    /** A command started in the background, and where its output goes. */
    public record Started(Process process, Path stdoutFile, Path stderrFile) {
        public String output() throws IOException {
            return "--- stdout\n" + Files.readString(stdoutFile) + "\n--- stderr\n" + Files.readString(stderrFile);
        }
    }

    /** Runs a command to the end (at most two minutes) and returns what a user would see. */
    public Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd =
                new ArrayList<>(List.of("java", "-Xmx256m", "-jar", jar().toString(), "--config", config.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.environment().remove("LIFEBOAT_CONFIG");
        Path out = Files.createTempFile("lifeboat-out", ".txt");
        Path err = Files.createTempFile("lifeboat-err", ".txt");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("lifeboat " + String.join(" ", args) + " did not finish within 120 s");
        }
        Result r = new Result(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }

    /** Exit code, stdout, stderr. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }
}
