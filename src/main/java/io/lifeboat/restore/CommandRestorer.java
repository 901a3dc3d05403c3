package io.lifeboat.restore;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.Validation;
import io.lifeboat.source.ProcessFeeder;
import io.lifeboat.source.ProcessStreamer;
import io.lifeboat.source.StderrTail;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Puts a command target's output back. Three destinations:
 *
 * <ul>
 *   <li>by default, the target's {@code restore} command (a list, no shell unless written) runs with
 *       the raw artifact on stdin, e.g. {@code ["sh", "-c", "curl -fsS -X POST --data-binary @- …"]}. It
 *       writes into something live, so the caller verifies the stored object's SHA-256 before. The
 *       command gets {@code LIFEBOAT_TARGET} and {@code LIFEBOAT_BACKUP_ID} in its environment;
 *   <li>{@code --into FILE} writes the raw artifact to FILE (which must not exist) and runs nothing;
 *   <li>a drill ({@code scratch}) writes it to a scratch file under {@code dataDir/restores/} (the
 *       artifact staged on disk for as long as the drill runs: a command's output can only be checked
 *       by another command), so the {@code command} checks can read it.
 * </ul>
 *
 * A {@code command} check is a shell line ({@code sh -c}) run with {@code LIFEBOAT_RESTORED} naming
 * the restored file (empty when the restore command consumed the stream); it passes when it exits 0
 * within 30 minutes, and, when the check has {@code min} or {@code max}, when the last line it prints
 * is a whole number within them. {@link #promote} feeds a restored file to the restore command.
 */
public final class CommandRestorer implements Restorer {

    static final Duration CHECK_TIMEOUT = Duration.ofMinutes(30);
    private static final String COMMAND_LOCATION = "restore command ";

    private final TargetConfig target;
    private final Path scratchRoot;
    private final Clock clock;

    public CommandRestorer(TargetConfig target, Path scratchRoot) {
        this(target, scratchRoot, Clock.systemUTC());
    }

    CommandRestorer(TargetConfig target, Path scratchRoot, Clock clock) {
        this.target = requireNonNull(target, "target");
        this.scratchRoot =
                requireNonNull(scratchRoot, "scratchRoot").toAbsolutePath().normalize();
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public List<String> plan(RestoreRequest request) {
        long raw = request.manifest().rawBytes();
        if (request.scratch()) {
            return List.of(
                    "write the raw output of backup " + request.manifest().id() + " (" + raw + " bytes) to "
                            + scratchRoot.resolve(target.name() + "-<ts>").resolve(fileName()),
                    "after validation: delete it");
        }
        if (hasInto(request)) {
            return List.of(
                    "write the raw output of backup " + request.manifest().id() + " (" + raw + " bytes) to "
                            + Path.of(request.into()).toAbsolutePath().normalize() + " (it must not exist)");
        }
        if (!hasRestoreCommand()) {
            return List.of("cannot restore: " + noRestoreCommand());
        }
        return List.of("run " + String.join(" ", target.restoreCommand()) + " with the raw output of backup "
                + request.manifest().id() + " (" + raw + " bytes) on its stdin");
    }

    @Override
    public Restored restore(InputStream raw, RestoreRequest request) throws RestoreFailedException {
        requireNonNull(raw, "raw");
        if (request.scratch() || hasInto(request)) {
            return restoreToFile(raw, request);
        }
        if (!hasRestoreCommand()) {
            throw new RestoreFailedException(noRestoreCommand());
        }
        long bytes = feed(raw, request.manifest().id());
        return new Restored(
                "command",
                COMMAND_LOCATION + target.restoreCommand().get(0),
                bytes + " bytes fed to " + target.restoreCommand().get(0) + ", which exited 0",
                null);
    }

    private Restored restoreToFile(InputStream raw, RestoreRequest request) throws RestoreFailedException {
        Path file;
        if (request.scratch()) {
            Path dir = scratchRoot.resolve(ScratchPlaces.uniqueName(target.name(), clock.instant()));
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new RestoreFailedException("cannot create the scratch folder " + dir + ": " + e, "", e);
            }
            file = dir.resolve(fileName());
        } else {
            file = Path.of(request.into()).toAbsolutePath().normalize();
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new RestoreFailedException(file + " exists: restore into a new file (nothing is overwritten)");
            }
        }
        long bytes = 0;
        byte[] buffer = new byte[1 << 16];
        try {
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
                int n;
                while ((n = raw.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    bytes += n;
                }
            }
        } catch (IOException e) {
            deleteQuietly(request.scratch() ? file.getParent() : file);
            throw new RestoreFailedException("could not write " + file + ": " + e.getMessage(), "", e);
        }
        return new Restored(
                "command", file.toString(), bytes + " bytes of " + target.name() + "'s output in " + file, null);
    }

    /** Runs the restore command with {@code in} on its stdin; returns how many bytes it took. */
    private long feed(InputStream in, String backupId) throws RestoreFailedException {
        List<String> command = target.restoreCommand();
        String tool = command.get(0);
        ProcessFeeder feeder = new ProcessFeeder(
                        tool, command, Map.of("LIFEBOAT_TARGET", target.name(), "LIFEBOAT_BACKUP_ID", backupId))
                .withOutputMerged(); // its stdout is talk too: kept with stderr in one bounded tail
        ProcessFeeder.Result result;
        try {
            result = feeder.feed(in, null);
        } catch (ProcessFeeder.InputFailedException e) {
            throw new RestoreFailedException(
                    "reading the backup failed while feeding " + tool + ": "
                            + e.getCause().getMessage(),
                    e.stderr(),
                    e);
        } catch (java.io.InterruptedIOException e) {
            throw new RestoreFailedException(tool + " was interrupted; it has been stopped");
        } catch (IOException e) {
            throw new RestoreFailedException(e.getMessage());
        }
        if (!result.ok()) {
            String last = StderrTail.lastLine(result.stderr());
            throw new RestoreFailedException(
                    tool + " exited with code " + result.exitCode() + (last.isEmpty() ? "" : ": " + last),
                    result.stderr(),
                    null);
        }
        if (!result.readAll()) {
            throw new RestoreFailedException(
                    tool + " exited 0 but stopped reading after " + result.bytesFed()
                            + " bytes: the backup was not fed whole",
                    result.stderr(),
                    null);
        }
        return result.bytesFed();
    }

    @Override
    public List<ValidationResult> validate(Restored restored, List<Validation> checks) {
        String file = restored.location().startsWith(COMMAND_LOCATION) ? "" : restored.location();
        List<ValidationResult> results = new ArrayList<>();
        for (Validation check : checks) {
            results.add(
                    check.command() == null
                            ? new ValidationResult(
                                    check, false, null, "this check does not apply to a command target (use command:)")
                            : runCheck(check, file));
        }
        return results;
    }

    private ValidationResult runCheck(Validation check, String file) {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", check.command());
        pb.environment().put("LIFEBOAT_RESTORED", file);
        pb.environment().put("LIFEBOAT_TARGET", target.name());
        pb.redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new ValidationResult(check, false, null, "sh could not be started: " + e.getMessage());
        }
        try {
            p.getOutputStream().close();
            StderrTail output = new StderrTail(16 * 1024);
            Thread drainer = new Thread(() -> output.drain(p.getInputStream()), "restore-check-output");
            drainer.setDaemon(true);
            drainer.start();
            if (!p.waitFor(CHECK_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                ProcessStreamer.kill(p);
                return new ValidationResult(
                        check, false, null, "did not finish within " + CHECK_TIMEOUT.toMinutes() + " minutes");
            }
            drainer.join(5000);
            int exit = p.exitValue();
            String last = output.lastLine();
            if (exit != 0) {
                return new ValidationResult(
                        check, false, null, "exited with code " + exit + (last.isEmpty() ? "" : ": " + last));
            }
            if (check.min() == null && check.max() == null) {
                return new ValidationResult(check, true, null, "exited 0" + (last.isEmpty() ? "" : ": " + last));
            }
            long value;
            try {
                value = Long.parseLong(last.strip());
            } catch (NumberFormatException e) {
                return new ValidationResult(check, false, null, "its last line is not a whole number: '" + last + "'");
            }
            boolean ok = check.accepts(value);
            return new ValidationResult(check, ok, value, "printed " + value + (ok ? "" : ", outside the bounds"));
        } catch (IOException e) {
            ProcessStreamer.kill(p);
            return new ValidationResult(check, false, null, "failed: " + e.getMessage());
        } catch (InterruptedException e) {
            ProcessStreamer.kill(p);
            Thread.currentThread().interrupt();
            return new ValidationResult(check, false, null, "interrupted");
        }
    }

    /** A restored file goes through the restore command; what the restore command already took stays as it is. */
    @Override
    public Restored promote(Restored restored, RestoreRequest request) throws RestoreFailedException {
        if (restored.location().startsWith(COMMAND_LOCATION)) {
            return restored;
        }
        if (!hasRestoreCommand()) {
            throw new RestoreFailedException(noRestoreCommand());
        }
        Path file = Path.of(restored.location());
        long bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = feed(in, request.manifest().id());
        } catch (IOException e) {
            throw new RestoreFailedException("could not read " + file + ": " + e.getMessage(), "", e);
        }
        return new Restored(
                "command",
                COMMAND_LOCATION + target.restoreCommand().get(0),
                bytes + " bytes from " + file + " fed to "
                        + target.restoreCommand().get(0) + ", which exited 0",
                null);
    }

    /** Deletes a restored file (a drill's scratch file with its folder); a restore command's work cannot be undone. */
    @Override
    public void discard(Restored restored) throws RestoreFailedException {
        if (restored.location().startsWith(COMMAND_LOCATION)) {
            return;
        }
        Path file = Path.of(restored.location()).toAbsolutePath().normalize();
        try {
            Files.deleteIfExists(file);
            Path dir = file.getParent();
            if (dir != null && dir.startsWith(scratchRoot) && !dir.equals(scratchRoot)) {
                ScratchPlaces.deleteTree(dir);
            }
        } catch (IOException e) {
            throw new RestoreFailedException("could not delete " + file + ": " + e, "", e);
        }
    }

    private boolean hasRestoreCommand() {
        return target.restoreCommand() != null
                && !target.restoreCommand().isEmpty()
                && target.restoreCommand().get(0) != null
                && !target.restoreCommand().get(0).isBlank();
    }

    private String noRestoreCommand() {
        return "target '" + target.name() + "' has no restore command: add `restore: [\"sh\", \"-c\", \"…\"]` to it"
                + " (a command that reads the backup on stdin), or restore to a file with --into FILE";
    }

    private String fileName() {
        return "data." + target.artifactExtension();
    }

    private static boolean hasInto(RestoreRequest request) {
        return request.into() != null && !request.into().isBlank();
    }

    private static void deleteQuietly(Path path) {
        try {
            ScratchPlaces.deleteTree(path);
        } catch (IOException e) {
            // the caller's failure says what went wrong
        }
    }

    @Override
    public String toString() {
        return "CommandRestorer[" + target.name() + "]";
    }
}
