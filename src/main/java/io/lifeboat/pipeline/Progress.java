package io.lifeboat.pipeline;

import java.util.concurrent.atomic.AtomicLong;

/** Byte counters a running backup updates as data flows; read by progress displays from another thread. */
public final class Progress {

    private final AtomicLong rawBytes = new AtomicLong();
    private final AtomicLong storedBytes = new AtomicLong();
    private final AtomicLong verifiedBytes = new AtomicLong();
    private final long startNanos = System.nanoTime();

    void addRaw(long n) {
        rawBytes.addAndGet(n);
    }

    void addStored(long n) {
        storedBytes.addAndGet(n);
    }

    void addVerified(long n) {
        verifiedBytes.addAndGet(n);
    }

    /** Bytes read back so far by the verification. */
    public long verifiedBytes() {
        return verifiedBytes.get();
    }

    public long rawBytes() {
        return rawBytes.get();
    }

    public long storedBytes() {
        return storedBytes.get();
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
