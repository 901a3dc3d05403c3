package io.lifeboat.catalog;

import io.lifeboat.store.BackupStore;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A test-only store in memory: enough of {@link BackupStore} to rebuild a catalog from. */
final class MapBackupStore implements BackupStore {

    private final Map<String, byte[]> objects = new TreeMap<>();

    @Override
    public synchronized long put(String key, InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        objects.put(key, bytes);
        return bytes.length;
    }

    @Override
    public synchronized InputStream get(String key) throws IOException {
        byte[] bytes = objects.get(key);
        if (bytes == null) {
            throw new FileNotFoundException(key);
        }
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public synchronized boolean exists(String key) {
        return objects.containsKey(key);
    }

    @Override
    public synchronized List<String> list(String prefix) {
        return objects.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }

    @Override
    public synchronized void delete(String key) {
        objects.remove(key);
    }

    @Override
    public String describe() {
        return "memory";
    }
}
