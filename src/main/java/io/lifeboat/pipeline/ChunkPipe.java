package io.lifeboat.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded in-memory pipe between two threads: the compressor writes chunks, the uploader reads
 * them. At most {@code capacity} chunks wait, so memory stays bounded however large the stream.
 * Either side can fail the pipe; the other side then gets an IOException with the cause instead of
 * blocking forever.
 */
final class ChunkPipe {

    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue;
    private final int chunkSize;
    private volatile Throwable failure;
    private final Sink sink;
    private final Source source;

    ChunkPipe(int chunkSize, int capacity) {
        this.chunkSize = chunkSize;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sink = new Sink(); // after chunkSize: the sink sizes its first chunk from it
        this.source = new Source();
    }

    OutputStream sink() {
        return sink;
    }

    InputStream source() {
        return source;
    }

    /** Fails the pipe: blocked or later reads and writes throw an IOException naming the cause. */
    void fail(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        queue.clear();
        queue.offer(END); // wakes a blocked reader
    }

    private void checkFailure() throws IOException {
        Throwable f = failure;
        if (f != null) {
            throw new IOException("pipe closed: " + f.getMessage(), f);
        }
    }

    private final class Sink extends OutputStream {
        private byte[] current = new byte[chunkSize];
        private int used;
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, chunkSize - used);
                System.arraycopy(b, off, current, used, n);
                used += n;
                off += n;
                len -= n;
                if (used == chunkSize) {
                    hand(current);
                    current = new byte[chunkSize];
                    used = 0;
                }
            }
        }

        private void hand(byte[] chunk) throws IOException {
            try {
                while (!queue.offer(chunk, 200, TimeUnit.MILLISECONDS)) {
                    checkFailure();
                }
                checkFailure();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while handing data to the upload");
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (used > 0) {
                byte[] last = new byte[used];
                System.arraycopy(current, 0, last, 0, used);
                hand(last);
            }
            hand(END);
        }
    }

    private final class Source extends InputStream {
        private byte[] current;
        private int pos;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (current == null || pos == current.length) {
                if (ended) {
                    return -1;
                }
                checkFailure();
                try {
                    current = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for backup data");
                }
                pos = 0;
                checkFailure();
                if (current == END) {
                    ended = true;
                    return -1;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
