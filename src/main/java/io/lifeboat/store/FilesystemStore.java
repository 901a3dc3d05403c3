package io.lifeboat.store;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A store in a local folder (a USB disk, a NAS mount, the embedded default {@code data/backups}).
 * Each key is a file under the root. An object is written to a hidden temporary file beside its
 * target, flushed to disk, then renamed into place, so readers only ever see complete objects.
 */
public final class FilesystemStore implements BackupStore {

    private static final int COPY_BUFFER = 1 << 20;
    private static final String PARTIAL_MARK = ".partial-";
    private static final Pattern PARTIAL_NAME = Pattern.compile("^\\..*\\.partial-[0-9a-f]{16}$");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path root;

    public FilesystemStore(Path root) {
        this.root = requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public long put(String key, InputStream in) throws IOException {
        requireNonNull(in, "in");
        Path target = resolve(key);
        Path dir = target.getParent();
        Path temp = dir.resolve("." + target.getFileName() + PARTIAL_MARK + randomHex());
        boolean done = false;
        try {
            long written;
            try (FileChannel out = openTemp(temp)) {
                written = copy(in, out);
                out.force(true);
            }
            moveIntoPlace(temp, target);
            syncDirectory(dir);
            done = true;
            return written;
        } finally {
            if (!done) {
                deleteQuietly(temp);
                pruneEmptyParents(dir);
            }
        }
    }

    @Override
    public InputStream get(String key) throws IOException {
        Path file = resolve(key);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(key, null, "no object in " + describe());
        }
        return Files.newInputStream(file);
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(resolve(key), LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        Keys.checkPrefix(prefix);
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(start)) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !isPartial(p))
                    .map(this::keyOf)
                    .filter(k -> k.startsWith(prefix))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (UncheckedIOException e) {
            // a folder vanished under the walk (a concurrent delete): report it as what it is
            throw new IOException(
                    "listing '" + prefix + "' in " + describe() + " failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Path file = resolve(key);
        Files.deleteIfExists(file);
        pruneEmptyParents(file.getParent());
    }

    /**
     * Deletes the partial writes (hidden temporary files a killed process left beside their target)
     * under {@code prefix} last modified before {@code modifiedBefore}; returns the keys they were for.
     */
    public List<String> deletePartialWrites(String prefix, java.time.Instant modifiedBefore) throws IOException {
        Keys.checkPrefix(prefix);
        requireNonNull(modifiedBefore, "modifiedBefore");
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<Path> stale;
        try (Stream<Path> files = Files.walk(start)) {
            stale = files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(FilesystemStore::isPartial)
                    .filter(p -> keyOf(p).startsWith(prefix))
                    .filter(p -> modifiedBefore(p, modifiedBefore))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (UncheckedIOException e) {
            throw new IOException(
                    "listing '" + prefix + "' in " + describe() + " failed: " + e.getCause(), e.getCause());
        }
        List<String> deleted = new java.util.ArrayList<>();
        for (Path p : stale) {
            Files.deleteIfExists(p);
            pruneEmptyParents(p.getParent());
            String name = p.getFileName().toString();
            String key = keyOf(p.getParent().resolve(name.substring(1, name.lastIndexOf(PARTIAL_MARK))));
            deleted.add(key);
        }
        return deleted;
    }

    private static boolean modifiedBefore(Path file, java.time.Instant before) {
        try {
            return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS)
                    .toInstant()
                    .isBefore(before);
        } catch (IOException e) {
            return false; // gone meanwhile
        }
    }

    @Override
    public String describe() {
        return "filesystem " + root;
    }

    @Override
    public String toString() {
        return describe();
    }

    private Path resolve(String key) {
        Keys.checkKey(key);
        Path file = root.resolve(key).normalize();
        if (!file.startsWith(root) || file.equals(root)) {
            throw new IllegalArgumentException("invalid key '" + key + "': it leaves " + root);
        }
        if (PARTIAL_NAME.matcher(file.getFileName().toString()).matches()) {
            throw new IllegalArgumentException("invalid key '" + key + "': the name is reserved for partial writes");
        }
        return file;
    }

    private String keyOf(Path file) {
        Path relative = root.relativize(file);
        StringBuilder key = new StringBuilder();
        for (Path part : relative) {
            if (key.length() > 0) {
                key.append('/');
            }
            key.append(part);
        }
        return key.toString();
    }

    private static boolean isPartial(Path file) {
        return PARTIAL_NAME.matcher(file.getFileName().toString()).matches();
    }

    /** Creates the temp file and its folders; retries once if a concurrent delete pruned the folder. */
    private static FileChannel openTemp(Path temp) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Files.createDirectories(temp.getParent());
            try {
                return FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    private static long copy(InputStream in, FileChannel out) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER];
        ByteBuffer wrapped = ByteBuffer.wrap(buffer);
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            wrapped.clear().limit(n);
            while (wrapped.hasRemaining()) {
                out.write(wrapped);
            }
            total += n;
        }
        return total;
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + temp + " to " + target + " atomically", e);
        }
    }

    /** Makes the rename durable; some filesystems cannot open a folder for sync, which is fine. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the data itself was already forced
        }
    }

    private void pruneEmptyParents(Path dir) {
        for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
            try {
                Files.deleteIfExists(d);
            } catch (DirectoryNotEmptyException e) {
                return;
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // best effort: list() never shows partial files anyway
        }
    }

    private static String randomHex() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
