package io.lifeboat.config;

import io.lifeboat.domain.RetentionPolicy;
import io.lifeboat.domain.TargetKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One thing to back up. Connection fields depend on the kind: postgres uses host, port, database,
 * user, password; redis uses url (and password); directory uses path; command uses command and
 * extension (and {@code restore}, the command that takes a backup back on stdin). Unused fields are
 * null. {@code drill} is null when the target has no drill section.
 */
public record TargetConfig(
        String name,
        TargetKind kind,
        String schedule,
        Duration rpo,
        String host,
        Integer port,
        String database,
        String user,
        String password,
        String url,
        Path path,
        List<String> command,
        String extension,
        RetentionPolicy retention,
        DrillConfig drill,
        boolean autoRestore,
        List<String> restoreCommand) {

    public TargetConfig {
        retention = retention == null ? RetentionPolicy.KEEP_ALL : retention;
    }

    /** A target with only its connection set: no retention rules, no drill, no auto-restore. */
    public TargetConfig(
            String name,
            TargetKind kind,
            String schedule,
            Duration rpo,
            String host,
            Integer port,
            String database,
            String user,
            String password,
            String url,
            Path path,
            List<String> command,
            String extension) {
        this(
                name, kind, schedule, rpo, host, port, database, user, password, url, path, command, extension, null,
                null, false, null);
    }

    /** The file extension of the raw artifact, before {@code .zst}. */
    public String artifactExtension() {
        return extension != null && !extension.isBlank() ? extension : kind.defaultExtension();
    }

    @Override
    public String toString() {
        return "TargetConfig[" + name + ", " + kind.configName() + "]";
    }
}
