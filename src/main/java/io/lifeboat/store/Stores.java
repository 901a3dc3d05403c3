package io.lifeboat.store;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.StoreConfig;

/** Opens the store a {@link StoreConfig} describes. */
public final class Stores {

    private Stores() {}

    /**
     * Returns an S3 store for {@code type: s3} and a folder store for {@code type: filesystem}.
     *
     * @throws IllegalArgumentException if the type is unknown or a field it needs is missing
     */
    public static BackupStore open(StoreConfig config) {
        requireNonNull(config, "config");
        if (config.isS3()) {
            return new S3Store(config);
        }
        if (config.isFilesystem()) {
            if (config.path() == null) {
                throw new IllegalArgumentException("filesystem store needs 'path'");
            }
            return new FilesystemStore(config.path());
        }
        throw new IllegalArgumentException(
                "unknown store type '" + config.type() + "' (expected 's3' or 'filesystem')");
    }
}
