package io.lifeboat.pipeline;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One backup of a target at a time, across threads and across processes on the host (the daemon and
 * a one-shot {@code ./lifeboat backup} share the data folder). A second run for the same target waits
 * for the first to finish, then runs.
 */
public final class TargetLocks {

    /**
     * In-process locks by lock file, shared by every instance: the JVM refuses a second file lock on
     * the same file, so a backup and a restore of one target in one process must queue here first.
     */
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path folder;

    public TargetLocks(Path folder) {
        this.folder = requireNonNull(folder, "folder");
    }

    /** Blocks until this process holds the target's lock. */
    public Held acquire(String target) throws IOException {
        Path file = folder.resolve(target + ".lock").toAbsolutePath().normalize();
        ReentrantLock lock = IN_PROCESS.computeIfAbsent(file, f -> new ReentrantLock(true));
        lock.lock();
        try {
            Files.createDirectories(folder);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.lock();
            return () -> {
                try {
                    fileLock.release();
                    channel.close();
                } finally {
                    lock.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            lock.unlock();
            throw e;
        }
    }

    /** A held lock; closing it lets the next run of the target go. */
    public interface Held extends AutoCloseable {
        @Override
        void close() throws IOException;
    }
}
