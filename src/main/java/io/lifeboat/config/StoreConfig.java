package io.lifeboat.config;

import java.nio.file.Path;

/**
 * One backup store. {@code type: s3} uses endpoint, bucket, region and the keys; {@code type:
 * filesystem} uses path. Unused fields are null. {@code encryption} is null for a store that keeps
 * backups unencrypted.
 */
public record StoreConfig(
        String type,
        String endpoint,
        String bucket,
        String region,
        String accessKey,
        String secretKey,
        Path path,
        EncryptionConfig encryption) {

    /** A store without encryption. */
    public StoreConfig(
            String type, String endpoint, String bucket, String region, String accessKey, String secretKey, Path path) {
        this(type, endpoint, bucket, region, accessKey, secretKey, path, null);
    }

    public boolean isS3() {
        return "s3".equals(type);
    }

    public boolean isFilesystem() {
        return "filesystem".equals(type);
    }

    /** Where it is, for logs and status; never includes a credential. */
    public String describe() {
        return isS3() ? "s3 " + endpoint + "/" + bucket : "filesystem " + path;
    }

    @Override
    public String toString() {
        return "StoreConfig[" + describe() + "]";
    }
}
