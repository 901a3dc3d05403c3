package io.lifeboat.outbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local spool folder ({@code dataDir/outbox}): used when Redis is down, not configured, or full with
 * {@code whenFull: spill}. Each process writes only its own file, {@code <millis>-<pid>-<n>.open}, so two
 * processes never interleave records; the file is renamed to {@code .spool} when it is sealed (before
 * replay, or when its process closes the outbox). Sealed files, and {@code .open} files whose process is
 * gone (a crash), are replayed oldest first by the draining process and deleted once every record was
 * acknowledged by the broker.
 */
public final class Spool {

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    static final String OPEN = ".open";
    static final String SEALED = ".spool";

    private final Path dir;
    private final long pid = ProcessHandle.current().pid();
    private SpoolFile.Writer writer;
    private int files;

    public Spool(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Appends to this process's open file, creating it (and the folder) when needed. */
    public synchronized void append(List<OutboxMessage> messages) throws IOException {
        if (messages.isEmpty()) {
            return;
        }
        if (writer == null) {
            Files.createDirectories(dir);
            String name = String.format("%013d-%d-%04d%s", System.currentTimeMillis(), pid, files++, OPEN);
            writer = new SpoolFile.Writer(dir.resolve(name));
        }
        for (OutboxMessage m : messages) {
            writer.append(m);
        }
    }

    /** Records in this process's open file. */
    public synchronized long openRecords() {
        return writer == null ? 0 : writer.records();
    }

    /** Closes this process's open file and renames it to {@code .spool}; the next append starts a new one. */
    public synchronized void seal() throws IOException {
        if (writer == null) {
            return;
        }
        writer.close();
        Path open = writer.path();
        writer = null;
        String name = open.getFileName().toString();
        Files.move(
                open,
                open.resolveSibling(name.substring(0, name.length() - OPEN.length()) + SEALED),
                StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The files ready for replay, oldest first: sealed ones, after adopting (sealing) open files left by a
     * process that is gone.
     */
    public synchronized List<Path> sealed() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> ready = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(SEALED)) {
                    ready.add(p);
                } else if (name.endsWith(OPEN) && orphaned(name) && (writer == null || !p.equals(writer.path()))) {
                    Path sealed = p.resolveSibling(name.substring(0, name.length() - OPEN.length()) + SEALED);
                    Files.move(p, sealed, StandardCopyOption.ATOMIC_MOVE);
                    LOG.info("outbox: adopted spool file {} left by a process that ended", sealed.getFileName());
                    ready.add(sealed);
                }
            }
        }
        ready.sort(null);
        return ready;
    }

    /** True when any spool file exists, this process's own or another's. */
    public synchronized boolean any() throws IOException {
        if (writer != null && writer.records() > 0) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.anyMatch(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(SEALED) || n.endsWith(OPEN);
            });
        }
    }

    private boolean orphaned(String name) {
        String[] parts = name.split("-");
        if (parts.length < 3) {
            return true;
        }
        try {
            long owner = Long.parseLong(parts[1]);
            // our own pid on a file that is not our writer: a previous run with the same pid (a container's pid 1)
            return owner == pid
                    || ProcessHandle.of(owner).map(h -> !h.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    public synchronized void close() throws IOException {
        seal();
    }
}
