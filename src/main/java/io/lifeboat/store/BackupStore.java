package io.lifeboat.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Where backups live: an S3 bucket or a folder. Keys are slash-separated paths such as
 * {@code app-db/20261123T173600Z-3fa9c1/manifest.json}. Implementations stream: no object is held
 * whole in memory.
 */
public interface BackupStore extends AutoCloseable {

    /**
     * Stores everything {@code in} yields under {@code key}, reading until end of stream, and returns
     * the number of bytes stored. The object becomes visible only when complete; if reading or writing
     * fails, nothing is left under {@code key} and the exception is rethrown.
     */
    long put(String key, InputStream in) throws IOException;

    /** Stores a small object (manifests, records). */
    default void putBytes(String key, byte[] bytes) throws IOException {
        put(key, new java.io.ByteArrayInputStream(bytes));
    }

    /** Opens an object for reading; the caller closes the stream. */
    InputStream get(String key) throws IOException;

    /** Reads a small object whole. */
    default byte[] getBytes(String key) throws IOException {
        try (InputStream in = get(key)) {
            return in.readAllBytes();
        }
    }

    /** Whether an object exists under {@code key}. */
    boolean exists(String key) throws IOException;

    /** Every complete object whose key starts with {@code prefix}, sorted by key. */
    List<String> list(String prefix) throws IOException;

    /** Removes an object; no error if it is already gone. */
    void delete(String key) throws IOException;

    /** Where this store is, for logs and status, without credentials. */
    String describe();

    @Override
    default void close() throws IOException {}
}
