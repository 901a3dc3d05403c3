package io.lifeboat.jobs;

import static java.util.Objects.requireNonNull;

import io.lifeboat.broker.EmbeddedBroker;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;

/**
 * The JMS routes of the job queue, on the component {@code jms} (Artemis):
 *
 * <ul>
 *   <li>{@code job-run}: takes jobs from {@code lifeboat.jobs} and runs each through {@code
 *       direct:backup-execute}. Transacted: a job is removed from the queue only when its run ended, so
 *       a job taken by a process that was killed is delivered again after the restart. Several
 *       consumers run different targets in parallel; the message groups keep one target's jobs on one
 *       consumer, one at a time. A run that throws rolls back and the broker redelivers it later, a
 *       bounded number of times, then moves it to the DLQ.
 *   <li>{@code artemis-alerts-in}: takes alerts from {@code lifeboat.alerts} and hands their bytes to
 *       {@code direct:alert-in}; transacted likewise, so an alert that could not be handled is
 *       redelivered and finally dead-lettered, never lost.
 * </ul>
 */
public final class JobRoutes extends RouteBuilder {

    /** Local JMS transactions on the consumer's session; the raw JMS message is the body. */
    private static final String TRANSACTED =
            "transacted=true&lazyCreateTransactionManager=false&mapJmsMessage=false&cacheLevelName=CACHE_CONSUMER"
                    + "&recoveryInterval={{lifeboat.jobs.recoveryInterval:5000}}";

    private final JobIntake intake;

    public JobRoutes(JobIntake intake) {
        this.intake = requireNonNull(intake, "intake");
    }

    @Override
    public void configure() {
        from("jms:queue:" + EmbeddedBroker.JOBS + "?" + TRANSACTED
                        + "&concurrentConsumers={{lifeboat.jobs.consumers:4}}"
                        + "&maxConcurrentConsumers={{lifeboat.jobs.consumers:4}}")
                .routeId("job-run")
                .removeHeaders("lifeboat*")
                .process(intake::job)
                .choice()
                .when(header(JobIntake.REJECTED).isNull())
                .to("direct:backup-execute")
                .log(LoggingLevel.INFO, "job ${header.lifeboatJobKey}: ${header.target} ${body}")
                .end();

        from("jms:queue:" + EmbeddedBroker.ALERTS + "?" + TRANSACTED)
                .routeId("artemis-alerts-in")
                .removeHeaders("lifeboat*")
                .process(intake::alert)
                .choice()
                .when(header(JobIntake.REJECTED).isNull())
                .setHeader("lifeboatSource", constant("artemis:" + EmbeddedBroker.ALERTS))
                .to("direct:alert-in?timeout={{lifeboat.alerts.handoffTimeout:5000}}")
                .filter(header(JobIntake.REJECTED).isNotNull())
                .log(
                        LoggingLevel.INFO,
                        "alert from " + EmbeddedBroker.ALERTS
                                + " rejected: ${header.lifeboatRejected}: ${header.lifeboatRejectedDetail}")
                .end()
                .end();
    }
}
