package io.lifeboat.restore;

import static java.util.Objects.requireNonNull;

/**
 * Where a restore put the data: {@code location} names it for a person and for the next step (a
 * database name, a folder, a redis:// URL); {@code resource} is what must be closed to release it
 * (a scratch redis-server process), or null.
 */
public record Restored(String kind, String location, String description, AutoCloseable resource) {
    public Restored {
        requireNonNull(kind, "kind");
        requireNonNull(location, "location");
        requireNonNull(description, "description");
    }
}
