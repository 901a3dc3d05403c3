package io.lifeboat.camel;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig;
import org.apache.camel.builder.RouteBuilder;

/**
 * The daily prune: route {@code prune-schedule} fires {@code prune.schedule} (Quartz cron, default
 * 03:15 every day) into {@code direct:prune-execute} (routes/prune.yaml), which asks the {@code
 * pruner} bean to prune every target, or to skip while Safe Mode is on. The Quartz job is stateful: a
 * slot that comes while a prune still runs waits for it.
 */
public final class PruneRoutes extends RouteBuilder {

    public static final String ROUTE_ID = "prune-schedule";

    private final LifeboatConfig config;

    public PruneRoutes(LifeboatConfig config) {
        this.config = requireNonNull(config, "config");
    }

    @Override
    public void configure() {
        from("quartz:lifeboat-maintenance/prune?stateful=true&cron="
                        + config.prune().schedule().trim().replaceAll("\\s+", "+"))
                .routeId(ROUTE_ID)
                .to("direct:prune-execute");
    }
}
