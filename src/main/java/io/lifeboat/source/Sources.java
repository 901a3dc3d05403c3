package io.lifeboat.source;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.TargetConfig;

/** Picks the source for a target by its kind. */
public final class Sources {

    private Sources() {}

    /**
     * @throws IllegalArgumentException when a field the kind needs is missing, naming the target and key
     */
    public static BackupSource forTarget(TargetConfig target) {
        requireNonNull(target, "target");
        requireNonNull(target.kind(), "target.kind");
        return switch (target.kind()) {
            case POSTGRES ->
                new PostgresSource(
                        target.host(),
                        target.port(),
                        required(target, "database", target.database()),
                        target.user(),
                        target.password());
            case REDIS -> new RedisSource(redisUrl(target), target.password());
            case DIRECTORY -> {
                if (target.path() == null) {
                    throw missing(target, "path");
                }
                yield new DirectorySource(target.path());
            }
            case COMMAND -> {
                if (target.command() == null || target.command().isEmpty()) {
                    throw missing(target, "command");
                }
                yield new CommandSource(target.command());
            }
        };
    }

    private static String redisUrl(TargetConfig target) {
        if (target.url() != null && !target.url().isBlank()) {
            return target.url();
        }
        if (target.host() != null && !target.host().isBlank()) {
            return "redis://" + target.host() + (target.port() == null ? "" : ":" + target.port());
        }
        throw missing(target, "url");
    }

    private static String required(TargetConfig target, String key, String value) {
        if (value == null || value.isBlank()) {
            throw missing(target, key);
        }
        return value;
    }

    private static IllegalArgumentException missing(TargetConfig target, String key) {
        return new IllegalArgumentException(
                "target '" + target.name() + "' (" + target.kind().configName() + ") needs '" + key + "'");
    }
}
