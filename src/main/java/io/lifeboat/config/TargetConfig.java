package io.lifeboat.config;

import io.lifeboat.domain.TargetKind;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One thing to back up. Connection fields depend on the kind: postgres uses host, port, database,
 * user, password; redis uses url (and password); directory uses path; command uses command and
 * extension. Unused fields are null.
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
        Map<String, Object> retention) {

    /** The file extension of the raw artifact, before {@code .zst}. */
    public String artifactExtension() {
        return extension != null && !extension.isBlank() ? extension : kind.defaultExtension();
    }

    @Override
    public String toString() {
        return "TargetConfig[" + name + ", " + kind.configName() + "]";
    }
}
