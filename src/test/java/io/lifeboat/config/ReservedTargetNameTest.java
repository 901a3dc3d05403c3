package io.lifeboat.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sets} is where recovery sets live in the store, so no target may take that prefix. */
class ReservedTargetNameTest {

    @TempDir
    Path dir;

    @Test
    void aTargetNamedSetsIsRefusedWithTheReason() throws Exception {
        Path file = dir.resolve("lifeboat.yaml");
        Files.writeString(file, """
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  sets: {kind: directory, path: ., schedule: "0 * * * * ?", rpo: 5m}
                  settings: {kind: directory, path: ., schedule: "0 * * * * ?", rpo: 5m}
                """);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));
        assertThat(e).isNotNull();
        assertThat(e.problems())
                .containsExactly(
                        "targets.sets: the name 'sets' is reserved: recovery sets are stored under sets/ in the store;"
                                + " pick another name");
    }
}
