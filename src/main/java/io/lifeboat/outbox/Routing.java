package io.lifeboat.outbox;

import io.lifeboat.config.LifeboatConfig.RedisConfig.FullPolicy;

/** The outbox's ordering rules, as plain decisions (no I/O), so they can be tested on their own. */
public final class Routing {

    private Routing() {}

    /** Where a new message goes. */
    public enum Destination {
        /** straight to the broker */
        LIVE,
        /** to the end of the Redis stream */
        REDIS,
        /** to the local spool file */
        SPOOL,
        /** nowhere yet: the stream is full and the policy is block */
        WAIT
    }

    /** Which backlog holds the next message to replay. */
    public enum Next {
        NONE,
        SPOOL,
        REDIS
    }

    /**
     * A message goes live only when the broker is connected and no older message waits anywhere (never
     * overtake the backlog). Otherwise it joins the backlog: the Redis stream when there is one, it
     * answers and has room; the spool when Redis is absent or down, or full with {@code spill}; with
     * {@code block} a full stream makes it wait.
     */
    public static Destination destination(
            boolean connected,
            boolean backlog,
            boolean redisConfigured,
            boolean redisUp,
            boolean redisFull,
            FullPolicy whenFull) {
        if (connected && !backlog) {
            return Destination.LIVE;
        }
        if (!redisConfigured || !redisUp) {
            return Destination.SPOOL;
        }
        if (redisFull) {
            return whenFull == FullPolicy.BLOCK ? Destination.WAIT : Destination.SPOOL;
        }
        return Destination.REDIS;
    }

    /**
     * The backlog is one sequence split over two stores: replay takes the older head (lower seq) first.
     * When Redis went down during a partition the spool holds the newer messages; when the spool took
     * the overflow of a full stream or the start of a partition before Redis came back it holds the
     * older ones. Null means that store has nothing to replay.
     */
    public static Next older(Long spoolSeq, Long redisSeq) {
        if (spoolSeq == null && redisSeq == null) {
            return Next.NONE;
        }
        if (redisSeq == null) {
            return Next.SPOOL;
        }
        if (spoolSeq == null) {
            return Next.REDIS;
        }
        return spoolSeq <= redisSeq ? Next.SPOOL : Next.REDIS;
    }

    /** 80 % of the stream's maximum length: the outbox raises its OutboxNearlyFull alert. */
    public static boolean nearlyFull(long length, long maxLength) {
        return length * 5 >= maxLength * 4;
    }

    public static boolean full(long length, long maxLength) {
        return length >= maxLength;
    }
}
