package io.lifeboat.jobs;

import io.lifeboat.broker.EmbeddedBroker;
import io.lifeboat.config.LifeboatConfig;
import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.component.jms.JmsComponent;

/** The JMS side of the job queue: the Artemis connection factory and the Camel component {@code jms}. */
public final class JobBroker {

    private JobBroker() {}

    /**
     * In-vm to the embedded broker (no {@code artemis.url}), else the external broker or cluster at
     * {@code artemis.url} with {@code artemis.user}/{@code password}. Consumers take no messages ahead
     * (window 0): a consumer busy with a long backup never sits on jobs another consumer could run.
     */
    public static ConnectionFactory connectionFactory(LifeboatConfig config) {
        LifeboatConfig.ArtemisConfig a = config.artemis();
        ActiveMQConnectionFactory cf = a.embedded()
                ? new ActiveMQConnectionFactory(EmbeddedBroker.IN_VM_URL)
                : new ActiveMQConnectionFactory(a.url(), a.user(), a.password());
        cf.setConsumerWindowSize(0);
        return cf;
    }

    /**
     * The component the JMS routes use. Its listener containers cache their own connection, session
     * and consumer (CACHE_CONSUMER); a broker that is down at boot or goes away is retried every
     * {@code recoveryInterval} without stopping the daemon.
     */
    public static JmsComponent jmsComponent(ConnectionFactory cf) {
        JmsComponent jms = new JmsComponent();
        jms.setConnectionFactory(cf);
        return jms;
    }
}
