package io.lifeboat.source;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one external command and streams its stdout into a caller's stream as the bytes come: a
 * 64 KiB buffer, nothing held whole in memory, nothing staged on disk. Stderr is drained
 * concurrently into a bounded tail so a chatty tool never blocks on a full pipe. Secrets go in
 * {@code environment}, never on the command line (where {@code ps} shows them).
 */
public final class ProcessStreamer {

    /** Size of the buffer stdout is copied through. */
    public static final int BUFFER_SIZE = 64 * 1024;

    /** How many bytes of stderr are kept (the last ones). */
    public static final int STDERR_TAIL_BYTES = 64 * 1024;

    private static final long STDERR_GRACE_SECONDS = 5;
    private static final long KILL_WAIT_SECONDS = 10;
    private static final long VERSION_TIMEOUT_SECONDS = 10;

    private final String tool;
    private final List<String> command;
    private final Map<String, String> environment;

    /**
     * @param tool the name used in error messages, e.g. {@code pg_dump}
     * @param command the program and its arguments; no shell is involved
     * @param environment variables added to the inherited environment
     */
    public ProcessStreamer(String tool, List<String> command, Map<String, String> environment) {
        this.tool = requireNonNull(tool, "tool");
        this.command = List.copyOf(requireNonNull(command, "command"));
        this.environment = Map.copyOf(requireNonNull(environment, "environment"));
        if (this.command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
    }

    public String tool() {
        return tool;
    }

    public List<String> command() {
        return command;
    }

    /**
     * Runs the command, copying its stdout into {@code out} (not closed), and waits for it to exit.
     *
     * @return the tail of its stderr, for callers that read the tool's status lines
     * @throws SourceFailedException the command could not be started or exited non-zero; carries
     *     the stderr tail
     * @throws IOException writing to {@code out} failed; the process and its descendants were killed
     */
    public String streamTo(OutputStream out) throws IOException, SourceFailedException {
        requireNonNull(out, "out");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new SourceFailedException(tool + " could not be started: " + e.getMessage(), "");
        }
        boolean finished = false;
        try {
            closeQuietly(process.getOutputStream()); // stdin: EOF at once, so nothing waits for input
            StderrTail stderr = new StderrTail(STDERR_TAIL_BYTES);
            Thread drainer = new Thread(() -> stderr.drain(process.getErrorStream()), tool + "-stderr");
            drainer.setDaemon(true);
            drainer.start();

            copy(process.getInputStream(), out, stderr);
            int exit = process.waitFor();
            finished = true;
            drainer.join(TimeUnit.SECONDS.toMillis(STDERR_GRACE_SECONDS));
            if (exit != 0) {
                String last = stderr.lastLine();
                throw new SourceFailedException(
                        tool + " exited with code " + exit + (last.isEmpty() ? "" : ": " + last), stderr.text());
            }
            return stderr.text();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(tool + " was interrupted; it has been stopped");
        } finally {
            if (!finished) {
                kill(process);
            }
        }
    }

    private void copy(InputStream in, OutputStream out, StderrTail stderr) throws IOException, SourceFailedException {
        byte[] buffer = new byte[BUFFER_SIZE];
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                throw new SourceFailedException(tool + " output could not be read: " + e.getMessage(), stderr.text());
            }
            if (n < 0) {
                return;
            }
            out.write(buffer, 0, n); // a failing upload surfaces here; finally kills the tool
        }
    }

    /** Kills the process and everything it started, forcibly, and waits a little for it to go. */
    /** Kills a process and its descendants and waits (up to 10 s) for it to go. */
    public static void kill(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(KILL_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs a version command such as {@code pg_dump --version} and returns the first line it prints,
     * or {@code "unknown"} when it cannot be run or says nothing.
     */
    public static String version(List<String> versionCommand) {
        requireNonNull(versionCommand, "versionCommand");
        Process process = null;
        try {
            process =
                    new ProcessBuilder(versionCommand).redirectErrorStream(true).start();
            closeQuietly(process.getOutputStream());
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            try (InputStream in = process.getInputStream()) {
                byte[] buffer = new byte[4096];
                int n;
                while (text.size() < 4096 && (n = in.read(buffer)) >= 0) {
                    text.write(buffer, 0, n);
                }
            }
            if (!process.waitFor(VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return "unknown";
            }
            return text.toString(StandardCharsets.UTF_8)
                    .lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        } finally {
            if (process != null && process.isAlive()) {
                kill(process);
            }
        }
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // the process already exited; its stdin does not matter
        }
    }

    @Override
    public String toString() {
        return "ProcessStreamer[" + tool + "]";
    }
}
