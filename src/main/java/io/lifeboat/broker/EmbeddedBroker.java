package io.lifeboat.broker;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;

/**
 * The embedded ActiveMQ Artemis broker of the embedded default: it serves MQTT on a loopback port to
 * whoever wants to watch Lifeboat without a Mosquitto, and keeps a persistent journal under the data
 * folder (the job queue of a later release lives there too).
 */
public final class EmbeddedBroker implements AutoCloseable {

    private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();
    private final String mqttUrl;

    private EmbeddedBroker(String mqttUrl) {
        this.mqttUrl = mqttUrl;
    }

    public static EmbeddedBroker start(Path dataDir, String host, int mqttPort) throws Exception {
        requireNonNull(dataDir, "dataDir");
        Path dir = dataDir.resolve("artemis");
        Configuration c = new ConfigurationImpl()
                .setName("lifeboat")
                .setPersistenceEnabled(true)
                .setJournalType(JournalType.NIO)
                .setJournalDirectory(dir.resolve("journal").toString())
                .setBindingsDirectory(dir.resolve("bindings").toString())
                .setPagingDirectory(dir.resolve("paging").toString())
                .setLargeMessagesDirectory(dir.resolve("large-messages").toString())
                .setSecurityEnabled(false) // listens on loopback only
                .setJMXManagementEnabled(true);
        // undeliverable and expired messages go somewhere visible instead of vanishing
        c.addAddressSetting(
                "#",
                new AddressSettings()
                        .setDeadLetterAddress(SimpleString.of("DLQ"))
                        .setExpiryAddress(SimpleString.of("ExpiryQueue")));
        c.addAcceptorConfiguration("mqtt", "tcp://" + host + ":" + mqttPort + "?protocols=MQTT");
        c.addAcceptorConfiguration("in-vm", "vm://0");
        EmbeddedBroker broker = new EmbeddedBroker("tcp://" + host + ":" + mqttPort);
        broker.server.setConfiguration(c);
        broker.server.start();
        return broker;
    }

    public String mqttUrl() {
        return mqttUrl;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
