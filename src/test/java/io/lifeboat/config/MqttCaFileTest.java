package io.lifeboat.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lifeboat.testsupport.TestCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mqtt.caFile}: the CA a TLS broker's certificate must chain to; a bad file is named at startup. */
class MqttCaFileTest {

    private static final String REST = "storage:\n  primary: {type: filesystem, path: store}\n"
            + "targets:\n  files: {kind: directory, path: ., schedule: \"0 * * * * ?\", rpo: 5m}\n";

    @TempDir
    Path dir;

    private LifeboatConfig load(String mqtt) throws IOException {
        Path file = dir.resolve("lifeboat.yaml");
        Files.writeString(file, REST + "mqtt: " + mqtt + "\n");
        return ConfigLoader.load(file, Map.of());
    }

    private ConfigException refused(String mqtt) {
        return catchThrowableOfType(ConfigException.class, () -> load(mqtt));
    }

    @Test
    void aCaFileIsReadRelativeToTheConfigAndGivesASocketFactory() throws Exception {
        TestCa.caPem(dir);
        LifeboatConfig c = load("{url: \"ssl://broker:8883\", caFile: ca.pem}");
        assertThat(c.mqtt().caFile()).isEqualTo(dir.resolve("ca.pem"));
        assertThat(MqttTls.socketFactory(c.mqtt().caFile())).isInstanceOf(SSLSocketFactory.class);
    }

    @Test
    void withoutCaFileTheJvmTrustStoreIsUsed() throws Exception {
        assertThat(load("{url: \"ssl://broker:8883\"}").mqtt().caFile()).isNull();
    }

    @Test
    void aMissingCaFileIsNamed() {
        assertThat(refused("{url: \"ssl://broker:8883\", caFile: certs/ca.crt}").problems())
                .containsExactly("mqtt.caFile: no such file: " + dir.resolve("certs/ca.crt"));
    }

    @Test
    void aFileWithoutACertificateIsNamed() throws Exception {
        Files.writeString(dir.resolve("ca.crt"), "-----BEGIN PRIVATE KEY-----\nnot a certificate\n");
        assertThat(refused("{url: \"ssl://broker:8883\", caFile: ca.crt}").problems())
                .singleElement()
                .asString()
                .startsWith("mqtt.caFile: " + dir.resolve("ca.crt") + " holds no PEM certificate");
    }

    @Test
    void aCaFileForAPlainConnectionIsAMistake() throws Exception {
        TestCa.caPem(dir);
        assertThat(refused("{url: \"tcp://broker:1883\", caFile: ca.pem}").problems())
                .containsExactly(
                        "mqtt.caFile: is for TLS: mqtt.url must start with ssl:// or wss://, got 'tcp://broker:1883'");
    }
}
