package io.lifeboat.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one external command with a caller's stream on its stdin, the way a restore feeds
 * {@code pg_restore} or a configured restore command: copied through a 64 KiB buffer as the bytes
 * come, nothing held whole in memory, nothing staged on disk. The counterpart of {@link
 * ProcessStreamer}, with the same rules: no shell, secrets in {@code environment} only, stderr drained
 * concurrently into a bounded tail, the process and its descendants killed when the caller gives up.
 *
 * <p>A tool may stop reading before the end of its input ({@code pg_restore --list} reads only the
 * archive's table of contents): the broken pipe is not an error, the exit code decides.
 */
public final class ProcessFeeder {

    private static final long DRAIN_GRACE_SECONDS = 5;
    /** The longest stdout line handed to a line consumer; longer ones are cut (a tool's listing, not data). */
    static final int MAX_LINE_CHARS = 64 * 1024;

    private final String tool;
    private final List<String> command;
    private final Map<String, String> environment;
    private final boolean outputMerged;

    /**
     * @param tool the name used in error messages, e.g. {@code pg_restore}
     * @param command the program and its arguments; no shell is involved
     * @param environment variables added to the inherited environment
     */
    public ProcessFeeder(String tool, List<String> command, Map<String, String> environment) {
        this(tool, command, environment, false);
    }

    private ProcessFeeder(String tool, List<String> command, Map<String, String> environment, boolean outputMerged) {
        this.outputMerged = outputMerged;
        this.tool = requireNonNull(tool, "tool");
        this.command = List.copyOf(requireNonNull(command, "command"));
        this.environment = Map.copyOf(requireNonNull(environment, "environment"));
        if (this.command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
    }

    /**
     * The same command with its stdout merged into the kept stderr tail, for a tool whose stdout is
     * talk, not data (a user's restore command): the last words come out in the order they were said.
     */
    public ProcessFeeder withOutputMerged() {
        return new ProcessFeeder(tool, command, environment, true);
    }

    public String tool() {
        return tool;
    }

    /** The command line; it never contains a password. */
    public List<String> command() {
        return command;
    }

    /**
     * How the tool ended: its exit code, the tail of its stderr, whether it read its input to the end,
     * and how many bytes it took.
     */
    public record Result(int exitCode, String stderr, boolean readAll, long bytesFed) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * Reading the caller's input failed (a damaged or truncated stored object, a store that went away):
     * the tool was stopped. The cause says what the input said.
     */
    public static final class InputFailedException extends IOException {
        private final String stderr;

        public InputFailedException(String message, IOException cause) {
            this(message, cause, "");
        }

        InputFailedException(String message, IOException cause, String stderr) {
            super(message, cause);
            this.stderr = stderr;
        }

        /** What the tool had said by the time it was stopped. */
        public String stderr() {
            return stderr;
        }
    }

    /**
     * Runs the command, copying {@code in} (not closed) to its stdin until the end or until the tool
     * stops reading, then waits for it to exit.
     *
     * @param stdoutLines receives each line the tool prints on stdout (cut at 64 Ki characters), or
     *     null to discard stdout
     * @throws InputFailedException reading {@code in} failed; the tool was killed
     * @throws IOException the command could not be started
     */
    public Result feed(InputStream in, Consumer<String> stdoutLines) throws IOException {
        requireNonNull(in, "in");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        builder.redirectErrorStream(outputMerged);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException(tool + " could not be started: " + e.getMessage(), e);
        }
        boolean finished = false;
        try {
            StderrTail stderr = new StderrTail(ProcessStreamer.STDERR_TAIL_BYTES);
            // merged: the process's one output stream is its stderr tail; stdout lines are not handed out
            Thread errDrainer = new Thread(
                    () -> stderr.drain(outputMerged ? process.getInputStream() : process.getErrorStream()),
                    tool + "-stderr");
            Thread outDrainer = outputMerged
                    ? null
                    : new Thread(() -> drainLines(process.getInputStream(), stdoutLines), tool + "-stdout");
            errDrainer.setDaemon(true);
            errDrainer.start();
            if (outDrainer != null) {
                outDrainer.setDaemon(true);
                outDrainer.start();
            }

            long[] fed = new long[1];
            boolean readAll;
            try {
                readAll = copy(in, process.getOutputStream(), fed);
            } catch (InputFailedException e) {
                throw new InputFailedException(e.getMessage(), (IOException) e.getCause(), stderr.text());
            }
            int exit = process.waitFor();
            finished = true;
            errDrainer.join(TimeUnit.SECONDS.toMillis(DRAIN_GRACE_SECONDS));
            if (outDrainer != null) {
                outDrainer.join(TimeUnit.SECONDS.toMillis(DRAIN_GRACE_SECONDS));
            }
            return new Result(exit, stderr.text(), readAll, fed[0]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(tool + " was interrupted; it has been stopped");
        } finally {
            if (!finished) {
                ProcessStreamer.kill(process);
            }
        }
    }

    /** Copies until the end of {@code in} (true) or until the tool closes its stdin (false); closes stdin. */
    private boolean copy(InputStream in, OutputStream stdin, long[] fed) throws InputFailedException {
        byte[] buffer = new byte[ProcessStreamer.BUFFER_SIZE];
        try {
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    throw new InputFailedException("reading the backup failed: " + e.getMessage(), e);
                }
                if (n < 0) {
                    return true;
                }
                try {
                    stdin.write(buffer, 0, n);
                } catch (IOException e) {
                    return false; // the tool stopped reading (exited, or needs no more); its exit code says which
                }
                fed[0] += n;
            }
        } finally {
            try {
                stdin.close();
            } catch (IOException e) {
                // the tool already exited; its exit code tells
            }
        }
    }

    private static void drainLines(InputStream out, Consumer<String> lines) {
        byte[] buffer = new byte[8192];
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        try (out) {
            int n;
            while ((n = out.read(buffer)) >= 0) {
                if (lines == null) {
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines.accept(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else if (line.size() < MAX_LINE_CHARS) {
                        line.write(buffer[i]);
                    }
                }
            }
            if (lines != null && line.size() > 0) {
                lines.accept(line.toString(StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            // the process went away, or the consumer gave up; what was read so far counts
        }
    }

    @Override
    public String toString() {
        return "ProcessFeeder" + command;
    }
}
