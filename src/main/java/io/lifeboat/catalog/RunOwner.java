package io.lifeboat.catalog;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The process that runs a run, as {@code host:pid}, so a run left behind by a dead process can be recognised. */
record RunOwner(String host, long pid) {

    static final RunOwner THIS_PROCESS =
            new RunOwner(localHost(), ProcessHandle.current().pid());

    RunOwner {
        requireNonNull(host, "host");
    }

    static Optional<RunOwner> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int colon = text.lastIndexOf(':');
        try {
            return colon <= 0
                    ? Optional.empty()
                    : Optional.of(new RunOwner(text.substring(0, colon), Long.parseLong(text.substring(colon + 1))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** True only when the owner ran on this host and its process is gone. */
    boolean isDeadHere() {
        return host.equals(THIS_PROCESS.host)
                && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    @Override
    public String toString() {
        return host + ":" + pid;
    }

    /** The kernel's host name where it can be read without a DNS lookup, else the JVM's idea of it. */
    private static String localHost() {
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                return Files.readString(kernel).strip();
            }
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException | RuntimeException e) {
            return "localhost";
        }
    }
}
