package io.lifeboat.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The last bytes a tool wrote to stderr, bounded so a chatty tool costs a fixed amount of memory.
 * Filled by one draining thread, read by another; all methods are synchronized.
 */
public final class StderrTail {

    private final byte[] ring;
    private long total;

    public StderrTail(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.ring = new byte[capacity];
    }

    /** Reads {@code in} to its end, keeping the tail; a read error just ends the draining. */
    public void drain(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                append(buffer, 0, n);
            }
        } catch (IOException e) {
            // the process went away; what was read so far is the tail
        }
    }

    synchronized void append(byte[] bytes, int offset, int length) {
        int skipped = Math.max(0, length - ring.length); // only the last ring.length bytes can stay
        int from = offset + skipped;
        int remaining = length - skipped;
        int position = (int) ((total + skipped) % ring.length);
        while (remaining > 0) {
            int n = Math.min(remaining, ring.length - position);
            System.arraycopy(bytes, from, ring, position, n);
            from += n;
            remaining -= n;
            position = (position + n) % ring.length;
        }
        total += length;
    }

    /** Bytes written in all, including those no longer kept. */
    synchronized long totalBytes() {
        return total;
    }

    /** The kept tail as text, prefixed with a note when earlier output was dropped. */
    public synchronized String text() {
        int kept = (int) Math.min(total, ring.length);
        byte[] tail = new byte[kept];
        int start = (int) ((total - kept) % ring.length);
        for (int i = 0; i < kept; i++) {
            tail[i] = ring[(start + i) % ring.length];
        }
        long dropped = total - kept;
        if (dropped == 0) {
            return new String(tail, StandardCharsets.UTF_8);
        }
        int skip = 0;
        while (skip < tail.length && (tail[skip] & 0xC0) == 0x80) {
            skip++; // do not start in the middle of a UTF-8 character
        }
        return "[" + (dropped + skip) + " earlier bytes of stderr dropped]\n"
                + new String(tail, skip, tail.length - skip, StandardCharsets.UTF_8);
    }

    /** The last non-blank line, keeping its end when long, for an error message; empty when there is none. */
    public synchronized String lastLine() {
        return lastLine(text());
    }

    /** The last non-empty line of {@code text}, stripped, cut to its last 300 characters. */
    public static String lastLine(String text) {
        String[] lines = text.split("\\R");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (!line.isEmpty()) {
                return line.length() <= 300 ? line : "…" + line.substring(line.length() - 300);
            }
        }
        return "";
    }
}
