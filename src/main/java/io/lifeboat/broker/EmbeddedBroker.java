package io.lifeboat.broker;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded ActiveMQ Artemis broker of the embedded default. It holds the durable job queue
 * {@code lifeboat.jobs} and the alert address {@code lifeboat.alerts} in a persistent journal under
 * {@code dataDir/artemis}; the daemon talks to it in-vm ({@link #IN_VM_URL}). Two optional loopback
 * acceptors: the core protocol on {@code broker.port} (default 61617), so a monitor or an operator
 * can send alerts or look at the queues, and MQTT on {@code broker.mqttPort} when the config names no
 * MQTT broker of its own.
 */
public final class EmbeddedBroker implements AutoCloseable {

    /** The in-vm url the daemon's own JMS connections use. */
    public static final String IN_VM_URL = "vm://0";
    /** Where jobs wait; one target's jobs form one message group. */
    public static final String JOBS = "lifeboat.jobs";
    /** Where monitors send alerts (anycast: in a cluster each alert is handled once). */
    public static final String ALERTS = "lifeboat.alerts";
    /** Where undeliverable messages end (the Artemis default name, so the usual tools find it). */
    public static final String DLQ = "DLQ";
    /** Delivery attempts of one job or alert before it goes to the DLQ: a poison message cannot loop. */
    public static final int MAX_DELIVERY_ATTEMPTS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

    private final EmbeddedActiveMQ server = new EmbeddedActiveMQ();
    private final String mqttUrl;
    private final String networkUrl;

    private EmbeddedBroker(String mqttUrl, String networkUrl) {
        this.mqttUrl = mqttUrl;
        this.networkUrl = networkUrl;
    }

    /**
     * Starts the broker.
     *
     * @param mqttPort the MQTT acceptor's port, or 0 for none
     * @param port the core-protocol acceptor's port, or 0 for none (in-vm only)
     */
    public static EmbeddedBroker start(Path dataDir, String host, int mqttPort, int port) throws Exception {
        requireNonNull(dataDir, "dataDir");
        requireNonNull(host, "host");
        Path dir = dataDir.resolve("artemis");
        EmbeddedBroker broker = new EmbeddedBroker(
                mqttPort > 0 ? "tcp://" + host + ":" + mqttPort : null, port > 0 ? "tcp://" + host + ":" + port : null);
        try {
            broker.server.setConfiguration(configuration(dir, host, mqttPort, port));
            broker.server.start();
        } catch (Exception e) {
            // a core port another process holds must not take the job queue down with it: in-vm still works
            if (port <= 0) {
                throw e;
            }
            LOG.error(
                    "the embedded broker cannot listen on {}:{} (broker.port): {}; the job queue runs in-vm only,"
                            + " monitors cannot send alerts to it over the network",
                    host,
                    port,
                    e.toString());
            stopQuietly(broker.server);
            broker = new EmbeddedBroker(broker.mqttUrl, null);
            broker.server.setConfiguration(configuration(dir, host, mqttPort, 0));
            broker.server.start();
        }
        return broker;
    }

    private static Configuration configuration(Path dir, String host, int mqttPort, int port) throws Exception {
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
                        .setDeadLetterAddress(SimpleString.of(DLQ))
                        .setExpiryAddress(SimpleString.of("ExpiryQueue")));
        // a job or an alert that fails is tried again later (backing off), a few times, then dead-lettered
        for (String address : new String[] {JOBS, ALERTS}) {
            c.addAddressSetting(
                    address,
                    new AddressSettings()
                            .setDeadLetterAddress(SimpleString.of(DLQ))
                            .setExpiryAddress(SimpleString.of("ExpiryQueue"))
                            .setMaxDeliveryAttempts(MAX_DELIVERY_ATTEMPTS)
                            .setRedeliveryDelay(2_000)
                            .setRedeliveryMultiplier(2.0)
                            .setMaxRedeliveryDelay(60_000));
        }
        for (String queue : new String[] {JOBS, ALERTS, DLQ, "ExpiryQueue"}) {
            c.addQueueConfiguration(QueueConfiguration.of(queue)
                    .setAddress(queue)
                    .setRoutingType(RoutingType.ANYCAST)
                    .setDurable(true));
        }
        c.addAcceptorConfiguration("in-vm", IN_VM_URL);
        if (port > 0) {
            c.addAcceptorConfiguration("core", "tcp://" + host + ":" + port + "?protocols=CORE");
        }
        if (mqttPort > 0) {
            c.addAcceptorConfiguration("mqtt", "tcp://" + host + ":" + mqttPort + "?protocols=MQTT");
        }
        return c;
    }

    private static void stopQuietly(EmbeddedActiveMQ server) {
        try {
            server.stop();
        } catch (Exception ignored) {
            // it did not start; nothing to stop
        }
    }

    /** The MQTT url the broker serves, or null without an MQTT acceptor. */
    public String mqttUrl() {
        return mqttUrl;
    }

    /** The core-protocol url monitors and operators use, or null without a network acceptor. */
    public String networkUrl() {
        return networkUrl;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
