package io.lifeboat.outbox;

/**
 * Hands out strictly increasing sequence numbers that follow the wall clock in microseconds: {@code
 * max(now in µs, last + 1)}. Within one process they give the exact order messages entered the outbox;
 * between processes (the daemon and a one-shot command appending to the same backlog) they are close to
 * the order in time, which is the best a reader of two writers can know.
 */
public final class Sequencer {

    private long last;

    public synchronized long next(long nowMillis) {
        long candidate = nowMillis * 1000;
        last = Math.max(candidate, last + 1);
        return last;
    }
}
