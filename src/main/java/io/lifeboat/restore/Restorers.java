package io.lifeboat.restore;

import io.lifeboat.config.TargetConfig;

/** The {@link Restorer} for a target's kind. */
public final class Restorers {

    private Restorers() {}

    public static Restorer forTarget(TargetConfig target) {
        Restorer restorer = switch (target.kind()) {
            case POSTGRES -> new PostgresRestorer();

            case REDIS -> null; // redis: RedisRestorer

            case DIRECTORY -> null; // directory: DirectoryRestorer

            case COMMAND -> null; // command: CommandRestorer
        };
        if (restorer == null) {
            throw new UnsupportedOperationException(target.kind().configName() + " restore is not built yet");
        }
        return restorer;
    }
}
