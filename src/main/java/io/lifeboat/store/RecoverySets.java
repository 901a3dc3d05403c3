package io.lifeboat.store;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.domain.BackupId;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.RecoverySet;
import io.lifeboat.domain.StorageLayout;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Recovery sets in a store: {@code sets/<set-id>/set.json}, written once, read by {@code sets}, by
 * {@code copy} (to put them off-site) and by a whole-stack restore ({@link #read}).
 */
public final class RecoverySets {

    private static final String PREFIX = StorageLayout.SETS + "/";

    private RecoverySets() {}

    /** Stores {@code set} under {@code sets/<id>/set.json}. */
    public static void write(BackupStore store, RecoverySet set) throws IOException {
        requireNonNull(set, "set");
        store.putBytes(StorageLayout.setKey(set.id()), Json.bytes(set));
    }

    /**
     * The set {@code setId}, as stored.
     *
     * @throws IllegalArgumentException if {@code setId} is not a set id, or there is no such set
     * @throws IOException if the set cannot be read or is not a valid set manifest
     */
    public static RecoverySet readSet(BackupStore store, String setId) throws IOException {
        if (!BackupId.isValid(setId)) {
            throw new IllegalArgumentException(
                    "'" + setId + "' is not a recovery set id (like 20261123T173600Z-3fa9c1; see ./lifeboat sets)");
        }
        String key = StorageLayout.setKey(setId);
        byte[] bytes;
        try {
            bytes = SmallObjects.read(store, key);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no recovery set " + setId + " in " + store.describe());
        }
        return parse(key, bytes, setId);
    }

    /**
     * The manifests of the set's verified members, in the set's order: what a whole-stack restore
     * ({@code restore set:ID}) restores. Members whose backup failed when the set was taken have no
     * backup and are left out; {@link #readSet} says which and why.
     *
     * @throws IllegalArgumentException if there is no such set
     * @throws IOException if the set or a member's manifest cannot be read, or a member's backup is gone
     */
    public static List<Manifest> read(BackupStore store, String setId) throws IOException {
        RecoverySet set = readSet(store, setId);
        List<Manifest> manifests = new ArrayList<>();
        for (RecoverySet.Member member : set.members()) {
            if (!member.ok()) {
                continue;
            }
            String key = StorageLayout.manifestKey(member.target(), new BackupId(member.backupId()));
            Manifest m;
            try {
                m = Json.read(SmallObjects.read(store, key), Manifest.class);
            } catch (NoSuchFileException e) {
                throw new IOException("recovery set " + setId + ": backup " + member.backupId() + " of "
                        + member.target() + " is no longer in " + store.describe() + " (pruned?)");
            } catch (IOException | RuntimeException e) {
                throw new IOException(
                        "recovery set " + setId + ": manifest " + key + " is not readable: " + e.getMessage(), e);
            }
            if (!m.id().equals(member.backupId()) || !m.target().equals(member.target())) {
                throw new IOException("recovery set " + setId + ": " + key + " describes " + m.target() + "/" + m.id());
            }
            manifests.add(m);
        }
        return manifests;
    }

    /** Every readable set in {@code store}, newest first; unreadable ones go to {@code warnings} and are skipped. */
    public static List<RecoverySet> list(BackupStore store, Consumer<String> warnings) throws IOException {
        List<RecoverySet> sets = new ArrayList<>();
        for (String key : store.list(PREFIX)) {
            String[] parts = key.split("/");
            if (parts.length != 3 || !StorageLayout.SET_FILE.equals(parts[2])) {
                continue;
            }
            if (!BackupId.isValid(parts[1])) {
                warnings.accept("skipped " + key + ": '" + parts[1] + "' is not a set id");
                continue;
            }
            try {
                sets.add(parse(key, SmallObjects.read(store, key), parts[1]));
            } catch (IOException | RuntimeException e) {
                warnings.accept("skipped " + key + ": " + e.getMessage());
            }
        }
        sets.sort(Comparator.comparing(RecoverySet::id).reversed());
        return sets;
    }

    private static RecoverySet parse(String key, byte[] bytes, String expectedId) throws IOException {
        RecoverySet set;
        try {
            set = Json.read(bytes, RecoverySet.class);
        } catch (IOException | RuntimeException e) {
            throw new IOException(key + " is not a valid recovery set: " + rootMessage(e), e);
        }
        if (set == null) {
            throw new IOException(key + " is not a valid recovery set: it is empty");
        }
        if (!set.id().equals(expectedId)) {
            throw new IOException(key + " names set " + set.id() + ", not the folder it is in");
        }
        return set;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
