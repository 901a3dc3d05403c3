package io.lifeboat.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.config.ConfigException;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** broker.port: the embedded broker's core-protocol port (default 61617, 0 none), checked like any key. */
class BrokerPortConfigTest {

    @TempDir
    Path dir;

    private LifeboatConfig load(String broker) throws Exception {
        Path f = dir.resolve("lifeboat.yaml");
        Files.writeString(f, """
                storage: {primary: {type: filesystem, path: store}}
                %s
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h}
                """.formatted(broker));
        return ConfigLoader.load(f, Map.of());
    }

    @Test
    void defaultsToAFixedLoopbackPortAndZeroMeansNone() throws Exception {
        assertThat(load("").broker().port()).isEqualTo(61617);
        assertThat(load("broker: {mqttPort: 1999}").broker().port()).isEqualTo(61617);
        assertThat(load("broker: {port: 0}").broker().port()).isZero();
        assertThat(load("broker: {port: 62000}").broker().port()).isEqualTo(62000);
    }

    @Test
    void aBadPortIsNamed() {
        assertThatThrownBy(() -> load("broker: {port: 70000}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("broker.port");
        assertThatThrownBy(() -> load("broker: {port: many}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("broker.port");
    }
}
