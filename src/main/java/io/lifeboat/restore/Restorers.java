package io.lifeboat.restore;

import io.lifeboat.config.TargetConfig;
import java.nio.file.Path;

/** The {@link Restorer} for a target's kind. */
public final class Restorers {

    private Restorers() {}

    public static Restorer forTarget(TargetConfig target) {
        return switch (target.kind()) {
            case POSTGRES -> new PostgresRestorer();
            case REDIS -> new RedisRestorer(target, defaultScratchRoot());
            case DIRECTORY -> new DirectoryRestorer(target, defaultScratchRoot());
            case COMMAND -> new CommandRestorer(target, defaultScratchRoot());
        };
    }

    /**
     * The restorer for a target's kind, whose scratch places (a drill's folder, a scratch redis-server's
     * folder, a command's scratch file) go under {@code dataDir/restores/}. Use this one: {@link
     * #forTarget(TargetConfig)} puts them under the system's temporary folder.
     */
    public static Restorer forTarget(TargetConfig target, Path dataDir) {
        Path scratch = dataDir.resolve("restores");
        return switch (target.kind()) {
            case REDIS -> new RedisRestorer(target, scratch);
            case DIRECTORY -> new DirectoryRestorer(target, scratch);
            case COMMAND -> new CommandRestorer(target, scratch);
            default -> forTarget(target);
        };
    }

    private static Path defaultScratchRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"), "lifeboat-restores");
    }
}
