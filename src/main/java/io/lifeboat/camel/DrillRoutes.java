package io.lifeboat.camel;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import org.apache.camel.builder.RouteBuilder;

/**
 * One Quartz route per target with a {@code drill.schedule}, id {@code drill-schedule-<target>}, firing
 * into {@code direct:drill-execute} ({@code routes/drill.yaml}). Targets without a drill schedule get
 * none: their drills run on demand ({@code ./lifeboat drill TARGET}). The job is stateful, so a slot
 * that comes while the previous drill still runs waits.
 */
public final class DrillRoutes extends RouteBuilder {

    private final LifeboatConfig config;

    public DrillRoutes(LifeboatConfig config) {
        this.config = requireNonNull(config, "config");
    }

    @Override
    public void configure() {
        for (TargetConfig target : config.targets().values()) {
            if (target.drill() == null || target.drill().schedule() == null) {
                continue;
            }
            String cron = target.drill().schedule().trim();
            from("quartz:lifeboat-drill/" + target.name() + "?stateful=true&cron=" + cron.replaceAll("\\s+", "+"))
                    .routeId("drill-schedule-" + target.name())
                    .setHeader("target", constant(target.name()))
                    .setHeader("trigger", constant("schedule"))
                    .setHeader("reason", constant(cron))
                    .to("direct:drill-execute");
        }
    }
}
