package io.lifeboat.camel;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import org.apache.camel.builder.RouteBuilder;

/**
 * One Quartz route per target, id {@code backup-schedule-<target>}, firing the target's cron into
 * {@code direct:backup-execute}. The Quartz job is stateful: a slot that comes while the previous
 * backup still runs waits, and slots that pile up meanwhile collapse into one run.
 */
public final class ScheduleRoutes extends RouteBuilder {

    private final LifeboatConfig config;

    public ScheduleRoutes(LifeboatConfig config) {
        this.config = requireNonNull(config, "config");
    }

    @Override
    public void configure() {
        for (TargetConfig target : config.targets().values()) {
            from("quartz:lifeboat/" + target.name() + "?stateful=true&cron="
                            + target.schedule().trim().replaceAll("\\s+", "+"))
                    .routeId("backup-schedule-" + target.name())
                    .setHeader("target", constant(target.name()))
                    .setHeader("trigger", constant("schedule"))
                    .setHeader("reason", constant(target.schedule()))
                    .to("direct:backup-execute");
        }
    }
}
