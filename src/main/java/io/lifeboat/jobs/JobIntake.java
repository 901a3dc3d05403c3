package io.lifeboat.jobs;

import static java.util.Objects.requireNonNull;

import io.lifeboat.broker.EmbeddedBroker;
import io.lifeboat.config.LifeboatConfig;
import jakarta.jms.BytesMessage;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import org.apache.camel.Exchange;
import org.apache.camel.component.jms.JmsMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the JMS routes do with a message before it goes on: {@link #job} turns a {@code lifeboat.jobs}
 * message into the headers of {@code direct:backup-execute}; {@link #alert} turns a {@code
 * lifeboat.alerts} message into bytes for {@code direct:alert-in}. A message that cannot be that
 * (not text, not JSON, an unknown target, too large) is copied to the dead-letter queue with the
 * reason, in the consumer's own transaction, logged, and the header {@link #REJECTED} is set: it is
 * consumed once and never redelivered in a loop.
 */
public final class JobIntake {

    /** Set when a message was dead-lettered: a short reason code. */
    public static final String REJECTED = "lifeboatRejected";
    /** Set with {@link #REJECTED}: a human sentence. */
    public static final String REJECTED_DETAIL = "lifeboatRejectedDetail";
    /** An alert is a few kilobytes; an Alertmanager webhook with many alerts stays well under this. */
    public static final int MAX_ALERT_BYTES = 1024 * 1024;
    /** Bodies up to this size are kept in the dead-letter copy; a bigger one leaves only its headers. */
    static final int MAX_DEAD_LETTER_BODY = 16 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(JobIntake.class);

    private final LifeboatConfig config;

    public JobIntake(LifeboatConfig config) {
        this.config = requireNonNull(config, "config");
    }

    /** Sets target, trigger, reason and lifeboatJobKey, or dead-letters the message. */
    public void job(Exchange exchange) throws JMSException {
        Message m = exchange.getIn().getBody(Message.class);
        try {
            String body = new String(body(m, JobMessage.MAX_BYTES), StandardCharsets.UTF_8);
            JobRequest job = JobMessage.parse(body, t -> config.target(t).isPresent());
            exchange.getIn().setHeader("target", job.target());
            exchange.getIn().setHeader("trigger", job.trigger().type());
            exchange.getIn().setHeader("reason", job.trigger().detail());
            exchange.getIn().setHeader("lifeboatJobKey", job.key());
            exchange.getIn().setHeader("lifeboatSubmittedAt", JobMessage.submittedAt(body));
            exchange.getIn().setBody(null);
            LOG.info("job {}: {} backup of {} starts", job.key(), job.trigger().type(), job.target());
        } catch (JobMessage.Rejected r) {
            deadLetter(exchange, m, EmbeddedBroker.JOBS, r);
        }
    }

    /** Sets the body to the alert's bytes, or dead-letters the message. */
    public void alert(Exchange exchange) throws JMSException {
        Message m = exchange.getIn().getBody(Message.class);
        try {
            exchange.getIn().setBody(body(m, MAX_ALERT_BYTES));
        } catch (JobMessage.Rejected r) {
            deadLetter(exchange, m, EmbeddedBroker.ALERTS, r);
        }
    }

    /** The body's bytes: UTF-8 text of a text message, or the bytes of a bytes message, at most max. */
    static byte[] body(Message m, int max) throws JMSException, JobMessage.Rejected {
        if (m instanceof TextMessage t) {
            String text = t.getText();
            byte[] bytes = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > max) {
                throw new JobMessage.Rejected("too_large", "the body has " + bytes.length + " bytes, at most " + max);
            }
            return bytes;
        }
        if (m instanceof BytesMessage b) {
            long length = b.getBodyLength();
            if (length > max) {
                throw new JobMessage.Rejected("too_large", "the body has " + length + " bytes, at most " + max);
            }
            byte[] bytes = new byte[(int) length];
            b.readBytes(bytes);
            try {
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes));
            } catch (CharacterCodingException e) {
                throw new JobMessage.Rejected("not_utf8", "the body is not UTF-8 text");
            }
            return bytes;
        }
        throw new JobMessage.Rejected(
                "wrong_type",
                "expected a text or bytes message, got "
                        + (m == null ? "nothing" : m.getClass().getSimpleName()));
    }

    /**
     * Copies the message to the DLQ with the reason, in the consumer's transacted session: the copy and
     * the consumption commit together.
     */
    private static void deadLetter(Exchange exchange, Message m, String from, JobMessage.Rejected r)
            throws JMSException {
        Session session = exchange.getIn(JmsMessage.class).getJmsSession();
        Message copy = copyBody(session, m);
        for (Object n : Collections.list(m.getPropertyNames())) {
            String name = (String) n;
            // the broker's own headers (a duplicate id would make a second rejection vanish) stay behind
            if (!name.startsWith("_AMQ") && !name.startsWith("JMSX") && !name.startsWith("__AMQ")) {
                copy.setObjectProperty(name, m.getObjectProperty(name));
            }
        }
        copy.setStringProperty(REJECTED, r.reason());
        copy.setStringProperty(REJECTED_DETAIL, r.getMessage());
        copy.setStringProperty("lifeboatOriginalQueue", from);
        copy.setStringProperty("lifeboatOriginalMessageId", m.getJMSMessageID());
        try (MessageProducer p = session.createProducer(session.createQueue(EmbeddedBroker.DLQ))) {
            p.send(copy, DeliveryMode.PERSISTENT, Message.DEFAULT_PRIORITY, Message.DEFAULT_TIME_TO_LIVE);
        }
        exchange.getIn().setHeader(REJECTED, r.reason());
        exchange.getIn().setHeader(REJECTED_DETAIL, r.getMessage());
        LOG.warn(
                "message {} on {} rejected ({}: {}); moved to the queue {}",
                m.getJMSMessageID(),
                from,
                r.reason(),
                r.getMessage(),
                EmbeddedBroker.DLQ);
    }

    private static Message copyBody(Session session, Message m) throws JMSException {
        if (m instanceof TextMessage t) {
            return session.createTextMessage(t.getText());
        }
        if (m instanceof BytesMessage b && b.getBodyLength() <= MAX_DEAD_LETTER_BODY) {
            b.reset();
            byte[] bytes = new byte[(int) b.getBodyLength()];
            b.readBytes(bytes);
            BytesMessage copy = session.createBytesMessage();
            copy.writeBytes(bytes);
            return copy;
        }
        Message copy = session.createMessage();
        if (m instanceof BytesMessage b) {
            copy.setLongProperty("lifeboatDroppedBodyBytes", b.getBodyLength());
        }
        return copy;
    }
}
