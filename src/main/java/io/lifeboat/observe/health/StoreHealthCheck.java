package io.lifeboat.observe.health;

import static java.util.Objects.requireNonNull;

import io.lifeboat.store.BackupStore;

/**
 * {@code store-primary} / {@code store-offsite}: whether the store answers a lookup (a HEAD of a key
 * that need not exist, on S3; the folder, on a filesystem store). A store that refuses the
 * credentials or whose bucket is gone is down.
 */
public final class StoreHealthCheck extends DependencyHealthCheck {

    static final String PROBE_KEY = ".lifeboat-health";

    private final BackupStore store;

    public StoreHealthCheck(String id, BackupStore store) {
        super(id);
        this.store = requireNonNull(store, "store");
    }

    @Override
    protected String probe() throws Exception {
        store.exists(PROBE_KEY);
        return "reachable: " + store.describe();
    }
}
