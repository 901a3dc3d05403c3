package io.lifeboat.restore;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.Validation;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a folder back from its tar ({@link io.lifeboat.source.DirectorySource}): the entries are
 * extracted into a staging folder beside the destination ({@code PATH.lifeboat-partial-<ts>}), which
 * is renamed to {@code PATH} only when every entry was written, so {@code PATH} is either whole or
 * absent. Modes (without set-uid and set-gid) and modification times are kept; owners only when
 * Lifeboat runs as root, as {@code tar -x} does.
 *
 * <p>Nothing is written outside the destination. An entry is refused, naming it, and the staging
 * folder removed, when its path is absolute or has a {@code ..} component, when it would be written
 * through a symbolic link an earlier entry created (the classic tar escape: {@code link -> /etc}, then
 * {@code link/passwd}), when it is a hard link to something outside the archive or not a regular file,
 * when it names the same path twice, and when it is a device file, a FIFO or a sparse file: Lifeboat's
 * own tars never hold those, so such an archive was not written by Lifeboat. Symbolic links are
 * restored as links, their targets as they were (never followed).
 *
 * <p>Destinations: {@code --into PATH} (must not exist, or be an empty folder); with {@code replace}
 * and no {@code --into}, a folder beside the live one ({@code <path>.lifeboat-restored-<ts>}) so the
 * swap is a rename on one filesystem; otherwise a scratch folder under {@code dataDir/restores/}.
 */
public final class DirectoryRestorer implements Restorer {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryRestorer.class);
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    /** Set-uid and set-gid are dropped: a restore never creates programs that run as someone else. */
    private static final int MODE_MASK = 01777;

    private static final boolean UNIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private final TargetConfig target;
    private final Path scratchRoot;
    private final Clock clock;

    public DirectoryRestorer(TargetConfig target, Path scratchRoot) {
        this(target, scratchRoot, Clock.systemUTC());
    }

    DirectoryRestorer(TargetConfig target, Path scratchRoot, Clock clock) {
        this.target = requireNonNull(target, "target");
        this.scratchRoot = requireNonNull(scratchRoot, "scratchRoot");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public List<String> plan(RestoreRequest request) {
        Instant now = clock.instant();
        List<String> steps = new ArrayList<>();
        Path dest;
        try {
            dest = destination(request, now);
        } catch (RestoreFailedException e) {
            return List.of("cannot restore: " + e.getMessage());
        }
        steps.add("extract the tar of backup " + request.manifest().id() + " ("
                + request.manifest().rawBytes()
                + " bytes) into " + staging(dest, now)
                + ", refusing any entry that would write outside it (.., absolute paths, through symlinks,"
                + " hard links out, device files)");
        steps.add("rename " + staging(dest, now) + " to " + dest);
        if (replace(request)) {
            Path live = live();
            steps.add("after validation: rename the live folder " + live + " to " + kept(live, now) + ", then " + dest
                    + " to " + live);
        } else if (request.scratch()) {
            steps.add("after validation: delete " + dest);
        }
        return steps;
    }

    @Override
    public Restored restore(InputStream raw, RestoreRequest request) throws RestoreFailedException {
        requireNonNull(raw, "raw");
        Instant now = clock.instant();
        Path dest = destination(request, now);
        Path staging = staging(dest, now);
        try {
            Files.createDirectories(dest.getParent());
            Files.createDirectory(staging);
        } catch (IOException e) {
            throw new RestoreFailedException("cannot create the staging folder " + staging + ": " + e, "", e);
        }
        Extracted extracted;
        try {
            extracted = extract(raw, staging);
            moveIntoPlace(staging, dest);
        } catch (RestoreFailedException | IOException | RuntimeException e) {
            removeQuietly(staging);
            if (e instanceof RestoreFailedException r) {
                throw r;
            }
            throw new RestoreFailedException(
                    "could not extract backup " + request.manifest().id() + " into " + dest + ": " + e.getMessage(),
                    "",
                    e);
        }
        return new Restored("directory", dest.toString(), extracted.describe() + " extracted into " + dest, null);
    }

    private static void moveIntoPlace(Path staging, Path dest) throws RestoreFailedException, IOException {
        try {
            Files.move(staging, dest, StandardCopyOption.ATOMIC_MOVE); // replaces an empty folder, never a full one
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            throw new RestoreFailedException(dest + " appeared and is not empty: nothing was replaced");
        }
    }

    /**
     * Checks each restored file matching a {@code files} glob is counted within its bounds, then compares
     * the restored files with the live folder: a file whose live size and modification time equal the
     * restored one's has not changed since the backup, so its SHA-256 must be the same (the checksum
     * check, always run when the live folder exists).
     */
    @Override
    public List<ValidationResult> validate(Restored restored, List<Validation> checks) {
        Path folder = Path.of(restored.location());
        List<ValidationResult> results = new ArrayList<>();
        for (Validation check : checks) {
            results.add(validateOne(folder, check));
        }
        if (target.path() != null && !live().equals(folder.toAbsolutePath().normalize())) {
            results.add(checksums(folder, live()));
        }
        return results;
    }

    private static ValidationResult validateOne(Path folder, Validation check) {
        if (check.files() == null) {
            return new ValidationResult(check, false, null, "this check does not apply to a folder (use files:)");
        }
        PathMatcher matcher;
        try {
            matcher = FileSystems.getDefault().getPathMatcher("glob:" + check.files());
        } catch (IllegalArgumentException e) {
            return new ValidationResult(check, false, null, "bad glob '" + check.files() + "': " + e.getMessage());
        }
        long count = 0;
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p, NOFOLLOW) && matcher.matches(folder.relativize(p))) {
                    count++;
                }
            }
        } catch (IOException | RuntimeException e) {
            return new ValidationResult(check, false, null, "could not count files in " + folder + ": " + e);
        }
        boolean ok = check.accepts(count);
        return new ValidationResult(
                check,
                ok,
                count,
                count + (count == 1 ? " file matches" : " files match") + (ok ? "" : ", outside the bounds"));
    }

    /** The checksum check: the live folder's unchanged files must hash the same as the restored ones. */
    static ValidationResult checksums(Path restored, Path live) {
        Validation check = new Validation(
                null, null, "checksums of unchanged files equal the live folder " + live, null, null, null);
        if (!Files.isDirectory(live)) {
            return new ValidationResult(
                    check, true, 0L, "the live folder " + live + " does not exist: nothing to compare");
        }
        long matched = 0, changed = 0, missing = 0, differ = 0;
        List<String> differing = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(restored)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                BasicFileAttributes r = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
                if (!r.isRegularFile()) {
                    continue;
                }
                Path rel = restored.relativize(p);
                Path other = live.resolve(rel.toString());
                BasicFileAttributes l;
                try {
                    l = Files.readAttributes(other, BasicFileAttributes.class, NOFOLLOW);
                } catch (IOException e) {
                    missing++;
                    continue;
                }
                if (!l.isRegularFile()) {
                    missing++;
                } else if (l.size() != r.size() || !sameTime(r.lastModifiedTime(), l.lastModifiedTime())) {
                    changed++;
                } else if (ScratchPlaces.sha256(p).equals(ScratchPlaces.sha256(other))) {
                    matched++;
                } else {
                    differ++;
                    if (differing.size() < 5) {
                        differing.add(rel.toString());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return new ValidationResult(check, false, null, "could not compare with " + live + ": " + e);
        }
        String detail = matched + " unchanged file(s) match, " + changed + " changed since the backup, " + missing
                + " no longer in the live folder";
        if (differ > 0) {
            detail += "; " + differ + " file(s) have the size and time of the live ones but other content: "
                    + String.join(", ", differing) + (differ > differing.size() ? ", …" : "");
        }
        return new ValidationResult(check, differ == 0, matched, detail);
    }

    /** Equal at the precision the tar kept: whole seconds when the restored time has none, else microseconds. */
    private static boolean sameTime(FileTime restored, FileTime live) {
        Instant r = restored.toInstant();
        Instant l = live.toInstant();
        ChronoUnit unit = r.getNano() == 0 ? ChronoUnit.SECONDS : ChronoUnit.MICROS;
        return r.truncatedTo(unit).equals(l.truncatedTo(unit));
    }

    /**
     * Renames the live folder to {@code <path>.pre_restore_<ts>} and the restored one into its place. If
     * the second rename fails, the first is undone.
     */
    @Override
    public Restored promote(Restored restored, RestoreRequest request) throws RestoreFailedException {
        Path from = Path.of(restored.location()).toAbsolutePath().normalize();
        Path live = live();
        if (from.equals(live)) {
            return restored;
        }
        Path kept = kept(live, clock.instant());
        boolean hadLive = Files.exists(live, NOFOLLOW);
        try {
            if (hadLive) {
                Files.move(live, kept, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new RestoreFailedException("could not rename the live folder " + live + " to " + kept + ": " + e
                    + "; nothing was replaced, the restored copy is in " + from);
        }
        try {
            Files.move(from, live, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            String undo;
            try {
                if (hadLive) {
                    Files.move(kept, live, StandardCopyOption.ATOMIC_MOVE);
                }
                undo = "the live folder was put back";
            } catch (IOException e2) {
                undo = "the live folder is now " + kept + " (rename it back by hand: " + e2 + ")";
            }
            String why = e instanceof AtomicMoveNotSupportedException
                    ? from + " is on another filesystem than " + live
                            + " (restore with --replace and without --into: it is then staged beside the live folder)"
                    : e.toString();
            throw new RestoreFailedException("could not move the restored folder into place: " + why + "; " + undo
                    + "; the restored copy is in " + from);
        }
        return new Restored(
                "directory",
                live.toString(),
                "restored folder moved into " + live + (hadLive ? "; the previous folder is kept as " + kept : ""),
                null);
    }

    /** Deletes a restored folder (a drill's scratch copy, or a copy whose stream failed its SHA-256). */
    @Override
    public void discard(Restored restored) throws RestoreFailedException {
        Path folder = Path.of(restored.location()).toAbsolutePath().normalize();
        if (target.path() != null && folder.equals(live())) {
            throw new RestoreFailedException("refusing to delete the live folder " + folder);
        }
        try {
            ScratchPlaces.deleteTree(folder);
        } catch (IOException e) {
            throw new RestoreFailedException("could not delete " + folder + ": " + e, "", e);
        }
    }

    // ---- destinations

    private Path destination(RestoreRequest request, Instant now) throws RestoreFailedException {
        if (request.into() != null && !request.into().isBlank()) {
            Path dest = Path.of(request.into()).toAbsolutePath().normalize();
            if (target.path() != null && dest.equals(live())) {
                throw new RestoreFailedException("--into names the live folder " + dest
                        + ": restore into a new path, or use --replace to swap it in after validation");
            }
            if (Files.exists(dest, NOFOLLOW)) {
                if (!Files.isDirectory(dest, NOFOLLOW)) {
                    throw new RestoreFailedException(dest + " exists and is not a folder: restore into a new path");
                }
                try (Stream<Path> children = Files.list(dest)) {
                    if (children.findAny().isPresent()) {
                        throw new RestoreFailedException(
                                dest + " is not empty: restore into a new or empty folder (nothing is overwritten)");
                    }
                } catch (IOException e) {
                    throw new RestoreFailedException("cannot read " + dest + ": " + e);
                }
            }
            return dest;
        }
        if (replace(request)) {
            if (target.path() == null) {
                throw new RestoreFailedException("target '" + target.name() + "' has no path to replace");
            }
            Path live = live();
            return live.resolveSibling(live.getFileName() + ".lifeboat-restored-" + ScratchPlaces.stamp(now));
        }
        return scratchRoot.toAbsolutePath().normalize().resolve(ScratchPlaces.uniqueName(target.name(), now));
    }

    private static Path staging(Path dest, Instant now) {
        return dest.resolveSibling(dest.getFileName() + ".lifeboat-partial-" + ScratchPlaces.stamp(now));
    }

    private static Path kept(Path live, Instant now) {
        return live.resolveSibling(live.getFileName() + ".pre_restore_" + ScratchPlaces.stamp(now));
    }

    private Path live() {
        return target.path().toAbsolutePath().normalize();
    }

    private static boolean replace(RestoreRequest request) {
        return "true".equals(request.option("replace"));
    }

    private static void removeQuietly(Path staging) {
        try {
            ScratchPlaces.deleteTree(staging);
        } catch (IOException e) {
            LOG.warn("could not remove the staging folder {}: {}", staging, e.toString());
        }
    }

    // ---- extraction

    /** What an extraction wrote, for the description. */
    record Extracted(long files, long folders, long links, long bytes) {
        String describe() {
            return files + " file(s) (" + bytes + " bytes), " + folders + " folder(s), " + links + " link(s)";
        }
    }

    private record Deferred(Path path, int mode, FileTime modified, TarArchiveEntry entry) {}

    /**
     * Extracts the tar {@code raw} into the existing, empty folder {@code root}. Reads up to the tar's
     * end-of-archive marker; does not close {@code raw}.
     *
     * @throws RestoreFailedException an entry was refused (the message names it) or could not be written
     */
    static Extracted extract(InputStream raw, Path root) throws RestoreFailedException, IOException {
        Path base = root.toAbsolutePath().normalize();
        TarArchiveInputStream tar = new TarArchiveInputStream(new KeepOpen(raw), "UTF-8");
        List<Deferred> folders = new ArrayList<>();
        long files = 0, links = 0, bytes = 0;
        byte[] buffer = new byte[1 << 16];
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
            String name = entry.getName();
            List<String> parts = components(name, name, "its path");
            if (parts.isEmpty()) {
                if (!entry.isDirectory()) {
                    throw refused(name, "it has no name");
                }
                folders.add(new Deferred(base, entry.getMode(), entry.getLastModifiedTime(), entry));
                continue;
            }
            Path path = inside(base, parts, name);
            ensureParents(base, parts, name);
            byte type = entry.getLinkFlag();
            if (entry.isSparse()) {
                throw refused(name, "it is a sparse file, which Lifeboat's tars never hold");
            } else if (entry.isCharacterDevice() || entry.isBlockDevice()) {
                throw refused(name, "it is a device file, which Lifeboat's tars never hold");
            } else if (entry.isFIFO()) {
                throw refused(name, "it is a FIFO, which Lifeboat's tars never hold");
            } else if (entry.isDirectory()) {
                if (Files.exists(path, NOFOLLOW)) {
                    if (!Files.isDirectory(path, NOFOLLOW)) {
                        throw refused(name, "a file or link of that name was already extracted");
                    }
                } else {
                    Files.createDirectory(path);
                }
                folders.add(new Deferred(path, entry.getMode(), entry.getLastModifiedTime(), entry));
            } else if (entry.isSymbolicLink()) {
                notThereYet(path, name);
                String linkTarget = entry.getLinkName();
                if (linkTarget == null || linkTarget.isEmpty() || linkTarget.indexOf('\0') >= 0) {
                    throw refused(name, "it is a symbolic link without a valid target");
                }
                Files.createSymbolicLink(path, Path.of(linkTarget));
                setTime(path, entry.getLastModifiedTime());
                setOwner(path, entry);
                links++;
            } else if (entry.isLink()) {
                notThereYet(path, name);
                List<String> targetParts =
                        components(entry.getLinkName(), name, "its link target '" + entry.getLinkName() + "'");
                Path linked = inside(base, targetParts, name);
                checkNoLinkOnTheWay(base, targetParts, name);
                if (!Files.isRegularFile(linked, NOFOLLOW)) {
                    throw refused(
                            name,
                            "it is a hard link to '" + entry.getLinkName()
                                    + "', which is not a regular file extracted before it");
                }
                Files.createLink(path, linked);
                links++;
            } else if (type == TarConstants.LF_NORMAL
                    || type == TarConstants.LF_OLDNORM
                    || type == TarConstants.LF_CONTIG) {
                notThereYet(path, name);
                try (OutputStream out = Files.newOutputStream(
                        path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW)) {
                    int n;
                    while ((n = tar.read(buffer)) >= 0) {
                        out.write(buffer, 0, n);
                        bytes += n;
                    }
                }
                setMode(path, entry.getMode());
                setOwner(path, entry);
                setTime(path, entry.getLastModifiedTime());
                files++;
            } else {
                throw refused(name, "its type '" + (char) type + "' is not a file, folder or link");
            }
        }
        for (int i = folders.size() - 1; i >= 0; i--) { // deepest last-listed first, so children are done
            Deferred d = folders.get(i);
            setMode(d.path(), d.mode());
            setOwner(d.path(), d.entry());
            setTime(d.path(), d.modified());
        }
        return new Extracted(files, folders.size(), links, bytes);
    }

    /**
     * The path's components, refusing what could point outside: absolute paths, {@code ..}, NUL.
     * Empty and {@code .} components are dropped; an empty list is the root itself.
     */
    private static List<String> components(String path, String name, String what) throws RestoreFailedException {
        if (path == null || path.isEmpty()) {
            throw refused(String.valueOf(name), what + " is empty");
        }
        if (path.indexOf('\0') >= 0) {
            throw refused(name, what + " holds a NUL character");
        }
        if (path.startsWith("/")) {
            throw refused(name, what + " is absolute");
        }
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw refused(name, what + " has a '..' component");
            }
            parts.add(part);
        }
        return parts;
    }

    private static Path inside(Path base, List<String> parts, String name) throws RestoreFailedException {
        Path path = base;
        for (String part : parts) {
            path = path.resolve(part);
        }
        path = path.normalize();
        if (!path.startsWith(base) || path.equals(base)) {
            throw refused(name, "it resolves outside the destination");
        }
        return path;
    }

    /** Creates missing parent folders; refuses to pass through a symbolic link or a file. */
    private static void ensureParents(Path base, List<String> parts, String name)
            throws RestoreFailedException, IOException {
        Path dir = base;
        for (int i = 0; i < parts.size() - 1; i++) {
            dir = dir.resolve(parts.get(i));
            if (Files.isSymbolicLink(dir)) {
                throw refused(
                        name,
                        "it would be written through the symbolic link '" + String.join("/", parts.subList(0, i + 1))
                                + "' an earlier entry created");
            }
            if (!Files.exists(dir, NOFOLLOW)) {
                Files.createDirectory(dir);
            } else if (!Files.isDirectory(dir, NOFOLLOW)) {
                throw refused(name, "'" + String.join("/", parts.subList(0, i + 1)) + "' is a file, not a folder");
            }
        }
    }

    private static void checkNoLinkOnTheWay(Path base, List<String> parts, String name) throws RestoreFailedException {
        Path dir = base;
        for (int i = 0; i < parts.size(); i++) {
            dir = dir.resolve(parts.get(i));
            if (Files.isSymbolicLink(dir)) {
                throw refused(
                        name,
                        "its hard link target passes through the symbolic link '"
                                + String.join("/", parts.subList(0, i + 1)) + "'");
            }
        }
    }

    private static void notThereYet(Path path, String name) throws RestoreFailedException {
        if (Files.exists(path, NOFOLLOW)) {
            throw refused(name, "the archive names this path twice");
        }
    }

    private static RestoreFailedException refused(String name, String why) {
        return new RestoreFailedException("refused tar entry '" + name + "': " + why
                + "; nothing was written outside the destination and the partial restore was removed");
    }

    private static void setMode(Path path, int mode) {
        if (!UNIX) {
            return;
        }
        try {
            Files.setAttribute(path, "unix:mode", mode & MODE_MASK, NOFOLLOW);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("could not set the mode of {}: {}", path, e.toString());
        }
    }

    private static void setOwner(Path path, TarArchiveEntry entry) {
        if (!UNIX || !ROOT) {
            return;
        }
        try {
            Files.setAttribute(path, "unix:uid", (int) entry.getLongUserId(), NOFOLLOW);
            Files.setAttribute(path, "unix:gid", (int) entry.getLongGroupId(), NOFOLLOW);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            LOG.debug("could not set the owner of {}: {}", path, e.toString());
        }
    }

    private static void setTime(Path path, FileTime modified) {
        if (modified == null) {
            return;
        }
        try {
            Files.getFileAttributeView(path, BasicFileAttributeView.class, NOFOLLOW)
                    .setTimes(modified, null, null);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("could not set the time of {}: {}", path, e.toString());
        }
    }

    /** Stops the tar reader from closing the caller's stream. */
    private static final class KeepOpen extends FilterInputStream {
        KeepOpen(InputStream in) {
            super(in);
        }

        @Override
        public void close() {}
    }
}
