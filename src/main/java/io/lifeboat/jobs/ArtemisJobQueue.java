package io.lifeboat.jobs;

import static java.util.Objects.requireNonNull;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.CachingConnectionFactory;

/**
 * The job queue on ActiveMQ Artemis: {@link #submit} sends a persistent message to the queue {@code
 * lifeboat.jobs} and returns once the broker has stored it. Two Artemis features do the rest:
 *
 * <ul>
 *   <li>message groups: {@code JMSXGroupID} is the target, so one target's jobs go to one consumer at
 *       a time and run one after the other, while other targets run in parallel;
 *   <li>duplicate detection: {@code _AMQ_DUPL_ID} is the job's {@link JobRequest#key() key}, so a
 *       request the broker has seen already (a repeated alert, a schedule fired on two machines) is
 *       dropped by the broker, durably, across restarts.
 * </ul>
 *
 * Connections, sessions and producers are cached (one shared connection), so a submit is one send.
 */
public final class ArtemisJobQueue implements JobQueue, AutoCloseable {

    /** The Artemis header that carries the duplicate-detection id. */
    public static final String DUPLICATE_ID = "_AMQ_DUPL_ID";
    /** The JMS message-group header. */
    public static final String GROUP_ID = "JMSXGroupID";

    private static final Logger LOG = LoggerFactory.getLogger(ArtemisJobQueue.class);

    private final CachingConnectionFactory connections;
    private final String queue;
    private final Clock clock;

    public ArtemisJobQueue(ConnectionFactory connectionFactory, String queue, Clock clock) {
        requireNonNull(connectionFactory, "connectionFactory");
        this.queue = requireNonNull(queue, "queue");
        this.clock = requireNonNull(clock, "clock");
        this.connections = new CachingConnectionFactory(connectionFactory);
        connections.setSessionCacheSize(4); // a few threads submit at once (schedules, commands, alerts)
        connections.setReconnectOnException(true); // a broker restart drops the shared connection; open anew
    }

    /**
     * Sends the job. A duplicate key is accepted here and dropped by the broker.
     *
     * @throws JobQueueException when the broker cannot be reached or refuses the message
     */
    @Override
    public void submit(JobRequest job) {
        requireNonNull(job, "job");
        try (Connection c = connections.createConnection();
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer p = s.createProducer(s.createQueue(queue))) {
            Message m = s.createTextMessage(JobMessage.toJson(job, clock.instant()));
            m.setStringProperty(GROUP_ID, job.target());
            m.setStringProperty(DUPLICATE_ID, job.key());
            p.send(m, DeliveryMode.PERSISTENT, Message.DEFAULT_PRIORITY, Message.DEFAULT_TIME_TO_LIVE);
            LOG.debug("job {} for {} queued", job.key(), job.target());
        } catch (JMSException | RuntimeException e) {
            throw new JobQueueException(
                    "cannot queue the " + job.trigger().type() + " job of " + job.target() + " on " + queue + ": "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public void close() {
        connections.destroy();
    }

    /** The broker could not take a job. */
    public static final class JobQueueException extends RuntimeException {
        public JobQueueException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
