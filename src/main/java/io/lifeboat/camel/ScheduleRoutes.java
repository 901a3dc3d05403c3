package io.lifeboat.camel;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.jobs.JobRequest;
import java.time.Instant;
import java.util.Date;
import org.apache.camel.builder.RouteBuilder;

/**
 * One Quartz route per target, id {@code backup-schedule-<target>}: each slot of the target's cron
 * becomes a job on the job queue (bean {@code jobQueue}), keyed by target and scheduled fire time, so
 * a slot is one job however many Lifeboat processes fired it. A slot Quartz could not fire in time
 * (misfire) is skipped, not fired late: the catch-up at start owns missed slots, and firing late
 * would make a second job under another key.
 */
public final class ScheduleRoutes extends RouteBuilder {

    /** CronTrigger.MISFIRE_INSTRUCTION_DO_NOTHING */
    private static final int MISFIRE_DO_NOTHING = 2;

    private final LifeboatConfig config;

    public ScheduleRoutes(LifeboatConfig config) {
        this.config = requireNonNull(config, "config");
    }

    @Override
    public void configure() {
        // a broker that is briefly away (restart, failover) does not cost the slot: the job is sent again,
        // backing off, for about a minute; after that the failure is logged and the catch-up covers the slot
        errorHandler(defaultErrorHandler()
                .maximumRedeliveries(6)
                .redeliveryDelay(1000)
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .retryAttemptedLogLevel(org.apache.camel.LoggingLevel.WARN));
        for (TargetConfig target : config.targets().values()) {
            String name = target.name();
            String cron = target.schedule();
            from("quartz:lifeboat/" + name + "?cron=" + cron.trim().replaceAll("\\s+", "+")
                            + "&trigger.misfireInstruction=" + MISFIRE_DO_NOTHING)
                    .routeId("backup-schedule-" + name)
                    .setBody(e -> JobRequest.scheduled(
                            name, cron, slot(e.getIn().getHeader("scheduledFireTime", Date.class))))
                    .log("${body.key()}: the slot fired here; queuing the job")
                    .to("bean:jobQueue?method=submit");
        }
    }

    private static Instant slot(Date scheduledFireTime) {
        return scheduledFireTime == null ? Instant.now() : scheduledFireTime.toInstant();
    }
}
