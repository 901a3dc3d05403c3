package io.lifeboat.store;

import java.io.IOException;
import java.io.InputStream;

/** Reads records (sets, copy records) whole, refusing objects larger than a record can be. */
public final class SmallObjects {

    /** No record Lifeboat writes comes near this; anything larger is not one of them. */
    public static final int MAX_BYTES = 1 << 20;

    private SmallObjects() {}

    /** The object under {@code key}, at most {@code max} bytes; larger is an IOException naming the key. */
    public static byte[] read(BackupStore store, String key, int max) throws IOException {
        try (InputStream in = store.get(key)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new IOException(key + " is larger than " + max + " bytes; it is not a record Lifeboat wrote");
            }
            return bytes;
        }
    }

    public static byte[] read(BackupStore store, String key) throws IOException {
        return read(store, key, MAX_BYTES);
    }
}
