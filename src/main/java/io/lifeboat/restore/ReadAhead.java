package io.lifeboat.restore;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a stream ahead on its own thread into a bounded queue of chunks, so the producer (download,
 * SHA-256, decryption, zstd) and the consumer (pg_restore, tar extraction) work at the same time
 * instead of taking turns, as the processes of a shell pipeline do. At most {@value #CAPACITY} chunks
 * of {@value #CHUNK} bytes wait: memory stays bounded however large the backup. A read error reaches
 * the consumer as the same IOException. After {@link #close()} returns, the thread no longer touches
 * the stream below, so its owner may read the rest of it (to finish the hash) or close it.
 */
final class ReadAhead extends InputStream {

    static final int CHUNK = 1 << 20;
    static final int CAPACITY = 16;
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread thread;
    private volatile boolean closed;
    private volatile IOException failure;
    private byte[] current;
    private int pos;
    private boolean ended;

    ReadAhead(InputStream in, String name) {
        requireNonNull(in, "in");
        this.thread = new Thread(() -> fill(in), requireNonNull(name, "name"));
        thread.setDaemon(true);
        thread.start();
    }

    private void fill(InputStream in) {
        try {
            while (!closed) {
                byte[] chunk = new byte[CHUNK];
                int n = in.readNBytes(chunk, 0, CHUNK);
                if (n > 0 && !hand(n == CHUNK ? chunk : Arrays.copyOf(chunk, n))) {
                    return;
                }
                if (n < CHUNK) {
                    break; // end of the stream
                }
            }
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException e) {
            failure = new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        hand(END);
    }

    /** Queues a chunk; false when the reader went away. */
    private boolean hand(byte[] chunk) {
        try {
            while (!closed) {
                if (queue.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (current == null || pos == current.length) {
            if (ended) {
                return -1;
            }
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the backup's bytes");
            }
            pos = 0;
            if (current == END) {
                ended = true;
                IOException f = failure;
                if (f != null) {
                    throw f;
                }
                return -1;
            }
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Stops the reading thread and waits until it has let go of the stream below (which stays open). */
    @Override
    public void close() throws IOException {
        closed = true;
        queue.clear();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping the read-ahead");
        }
        queue.clear();
    }
}
