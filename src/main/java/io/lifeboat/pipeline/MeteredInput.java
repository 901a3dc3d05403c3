package io.lifeboat.pipeline;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.function.LongConsumer;

/**
 * A stream that sees every byte that passes: it feeds them to a digest (or none), counts them, tells
 * {@code counter} (a progress display), and remembers a failure of the stream below, so a caller can
 * tell "the source broke" from "the destination broke". Skipping is refused: every byte must be seen.
 */
final class MeteredInput extends FilterInputStream {

    private final MessageDigest digest;
    private final LongConsumer counter;
    private long bytes;
    private volatile IOException failure;

    /** @param digest hashes what passes, or null to only count */
    MeteredInput(InputStream in, MessageDigest digest, LongConsumer counter) {
        super(in);
        this.digest = digest;
        this.counter = counter;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = in.read(b, off, len);
        } catch (IOException e) {
            failure = e;
            throw e;
        }
        if (n > 0) {
            if (digest != null) {
                digest.update(b, off, n);
            }
            bytes += n;
            counter.accept(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("skip is not supported: every byte must be hashed");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads what is left, so the digest and the count cover the whole stream. */
    void drain() throws IOException {
        byte[] buffer = new byte[1 << 16];
        while (read(buffer, 0, buffer.length) >= 0) {
            // seen as it is read
        }
    }

    /** Bytes that passed so far. */
    long bytes() {
        return bytes;
    }

    /** The exception the stream below threw, or null. */
    IOException failure() {
        return failure;
    }
}
