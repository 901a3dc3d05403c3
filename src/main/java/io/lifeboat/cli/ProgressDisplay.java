package io.lifeboat.cli;

import io.lifeboat.pipeline.Progress;
import java.io.PrintStream;

/** Shows a running backup's bytes and rate on one line of a terminal, twice a second; silent when not on a terminal. */
final class ProgressDisplay implements AutoCloseable {

    private final Thread thread;
    private final PrintStream out;
    private volatile boolean done;

    ProgressDisplay(String label, Progress progress, PrintStream out, boolean enabled) {
        this(p -> line(label, p), progress, out, enabled);
    }

    /** With its own wording of the line ({@code restore} counts downloaded and restored bytes). */
    ProgressDisplay(
            java.util.function.Function<Progress, String> line, Progress progress, PrintStream out, boolean enabled) {
        this.out = out;
        this.thread = new Thread(
                () -> {
                    while (!done) {
                        out.print("\r" + line.apply(progress) + "   ");
                        out.flush();
                        try {
                            Thread.sleep(500);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "lifeboat-progress");
        thread.setDaemon(true);
        if (enabled) {
            thread.start();
        }
    }

    static String line(String label, Progress p) {
        if (p.verifiedBytes() > 0) {
            return label + ": verifying, " + Sizes.bytes(p.verifiedBytes()) + " of " + Sizes.bytes(p.storedBytes())
                    + " read back";
        }
        return label + ": " + Sizes.bytes(p.rawBytes()) + " read, " + Sizes.bytes(p.storedBytes()) + " stored, "
                + Sizes.rate(p.rawBytes(), p.elapsedSeconds());
    }

    @Override
    public void close() {
        done = true;
        if (thread.isAlive()) {
            thread.interrupt();
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.println();
        }
    }
}
