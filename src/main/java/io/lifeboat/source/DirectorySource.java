package io.lifeboat.source;

import static java.util.Objects.requireNonNull;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A folder as a POSIX (pax) tar written in Java straight into the output, extractable with
 * {@code tar -x}. Regular files, folders and symbolic links (stored as links, never followed) are
 * kept with paths relative to the folder, modes, owners and modification times, in sorted order so
 * the same tree gives the same entries. Sockets, FIFOs and device files are skipped, as they hold no
 * data. A file that changes size while it is read is cut or zero-padded to the size first seen, as
 * GNU tar does.
 */
public final class DirectorySource implements BackupSource {

    static final String TOOL = "tar (lifeboat)";
    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};
    private static final boolean UNIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
    private static final boolean POSIX =
            FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path folder;

    public DirectorySource(Path folder) {
        this.folder = requireNonNull(folder, "folder");
    }

    public Path folder() {
        return folder;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException, SourceFailedException {
        requireNonNull(out, "out");
        if (!Files.exists(folder)) {
            throw new SourceFailedException("folder " + folder + " does not exist", "");
        }
        if (!Files.isDirectory(folder)) {
            throw new SourceFailedException(folder + " is not a folder", "");
        }
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new KeepOpen(out), "UTF-8");
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        addChildren(tar, folder, "", new byte[ProcessStreamer.BUFFER_SIZE]);
        tar.close(); // writes the end-of-archive blocks; KeepOpen leaves out open
    }

    private void addChildren(TarArchiveOutputStream tar, Path dir, String prefix, byte[] buffer)
            throws IOException, SourceFailedException {
        List<Path> children;
        try (Stream<Path> listing = Files.list(dir)) {
            children = listing.sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw unreadable("folder", dir, e);
        }
        for (Path child : children) {
            String name = prefix + child.getFileName();
            Map<String, Object> attributes = attributes(child);
            BasicFileAttributes basic = (BasicFileAttributes) attributes.get("basic");
            if (basic.isSymbolicLink()) {
                TarArchiveEntry entry = entry(name, TarConstants.LF_SYMLINK, attributes);
                try {
                    entry.setLinkName(Files.readSymbolicLink(child).toString());
                } catch (IOException e) {
                    throw unreadable("link", child, e);
                }
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            } else if (basic.isDirectory()) {
                tar.putArchiveEntry(entry(name + "/", TarConstants.LF_DIR, attributes));
                tar.closeArchiveEntry();
                addChildren(tar, child, name + "/", buffer);
            } else if (basic.isRegularFile()) {
                TarArchiveEntry entry = entry(name, TarConstants.LF_NORMAL, attributes);
                entry.setSize(basic.size());
                tar.putArchiveEntry(entry);
                copyFile(child, basic.size(), tar, buffer);
                tar.closeArchiveEntry();
            }
        }
    }

    /** Copies exactly {@code size} bytes: read errors are the source's failure, write errors the caller's. */
    private static void copyFile(Path file, long size, OutputStream tar, byte[] buffer)
            throws IOException, SourceFailedException {
        long remaining = size;
        try (InputStream in = open(file)) {
            while (remaining > 0) {
                int n;
                try {
                    n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                } catch (IOException e) {
                    throw unreadable("file", file, e);
                }
                if (n < 0) {
                    break; // the file shrank while being read
                }
                tar.write(buffer, 0, n);
                remaining -= n;
            }
        }
        Arrays.fill(buffer, (byte) 0);
        while (remaining > 0) {
            int n = (int) Math.min(buffer.length, remaining);
            tar.write(buffer, 0, n);
            remaining -= n;
        }
    }

    private static InputStream open(Path file) throws SourceFailedException {
        try {
            return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw unreadable("file", file, e);
        }
    }

    private static Map<String, Object> attributes(Path path) throws SourceFailedException {
        try {
            BasicFileAttributes basic = UNIX || !POSIX
                    ? Files.readAttributes(path, BasicFileAttributes.class, NO_FOLLOW)
                    : Files.readAttributes(path, PosixFileAttributes.class, NO_FOLLOW);
            if (UNIX) {
                Map<String, Object> unix =
                        new HashMap<>(Files.readAttributes(path, "unix:mode,uid,gid,owner,group", NO_FOLLOW));
                unix.put("basic", basic);
                return unix;
            }
            return Map.of("basic", basic);
        } catch (IOException e) {
            throw unreadable("file", path, e);
        }
    }

    private static TarArchiveEntry entry(String name, byte type, Map<String, Object> attributes) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        BasicFileAttributes basic = (BasicFileAttributes) attributes.get("basic");
        FileTime modified = basic.lastModifiedTime();
        entry.setModTime(modified);
        if (attributes.get("mode") instanceof Integer mode) {
            entry.setMode(mode);
            entry.setUserId(((Integer) attributes.get("uid")).longValue());
            entry.setGroupId(((Integer) attributes.get("gid")).longValue());
            entry.setUserName(((UserPrincipal) attributes.get("owner")).getName());
            entry.setGroupName(((UserPrincipal) attributes.get("group")).getName());
        } else if (basic instanceof PosixFileAttributes posix) {
            entry.setMode(typeBits(type) | permissionBits(posix));
            entry.setUserName(posix.owner().getName());
            entry.setGroupName(posix.group().getName());
        }
        return entry;
    }

    private static int typeBits(byte type) {
        return switch (type) {
            case TarConstants.LF_DIR -> 0040000;
            case TarConstants.LF_SYMLINK -> 0120000;
            default -> 0100000;
        };
    }

    private static int permissionBits(PosixFileAttributes posix) {
        int bits = 0;
        for (PosixFilePermission permission : posix.permissions()) {
            bits |= 1 << (8 - permission.ordinal()); // OWNER_READ is ordinal 0 and bit 0400
        }
        return bits;
    }

    private static SourceFailedException unreadable(String what, Path path, IOException e) {
        String reason = e instanceof NoSuchFileException ? "it disappeared" : e.toString();
        return new SourceFailedException("cannot read " + what + " " + path + ": " + reason, "");
    }

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public String toolVersion() {
        String compress = TarArchiveOutputStream.class.getPackage().getImplementationVersion();
        return "lifeboat pax tar (commons-compress " + (compress == null ? "unknown" : compress) + ")";
    }

    @Override
    public String restoreHint(String artifactFileName) {
        return "mkdir -p DEST && " + RestoreHints.unpackToStdout(artifactFileName) + " | tar -x -C DEST";
    }

    @Override
    public String toString() {
        return "DirectorySource[" + folder + "]";
    }

    /** Lets the tar stream be closed (and so finished and flushed) without closing the caller's stream. */
    private static final class KeepOpen extends FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
