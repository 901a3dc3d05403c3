package io.lifeboat.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How {@link S3Store} talks to the server.
 *
 * @param partSize bytes per multipart part; a put holds two parts in memory
 * @param connectTimeout how long to wait for a TCP connection, so a dead server fails a run
 * @param ioTimeout how long a read or write on an open connection may stall
 */
public record S3Settings(int partSize, Duration connectTimeout, Duration ioTimeout) {

    /** S3 allows at most this many parts in one upload. */
    public static final int MAX_PARTS = 10_000;
    /** S3 rejects smaller parts (except the last). */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    /** Upper bound that keeps the two part buffers of a put reasonable. */
    public static final int MAX_PART_SIZE = 512 * 1024 * 1024;

    public static final int DEFAULT_PART_SIZE = 16 * 1024 * 1024;

    /** 16 MiB parts (objects up to about 156 GiB), 10 s to connect, 2 min for a stalled read or write. */
    public static final S3Settings DEFAULTS =
            new S3Settings(DEFAULT_PART_SIZE, Duration.ofSeconds(10), Duration.ofMinutes(2));

    public S3Settings {
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException(
                    "partSize must be between " + MIN_PART_SIZE + " and " + MAX_PART_SIZE + " bytes, was " + partSize);
        }
        requireNonNull(connectTimeout, "connectTimeout");
        requireNonNull(ioTimeout, "ioTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || ioTimeout.isNegative() || ioTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    public S3Settings withPartSize(int bytes) {
        return new S3Settings(bytes, connectTimeout, ioTimeout);
    }

    public S3Settings withTimeouts(Duration connect, Duration io) {
        return new S3Settings(partSize, connect, io);
    }
}
