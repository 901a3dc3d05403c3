package io.lifeboat.alerting;

import org.apache.camel.builder.RouteBuilder;

/**
 * The alert fan-out's clock: route {@code alert-tick} asks the routing every second for what is due
 * (group waits and intervals, repeats, flap digests, notices held by a silence that ended). The alerts
 * themselves arrive through {@code Events.alert} (Lifeboat's own) and {@code direct:alert-in} (MQTT,
 * Artemis, HTTP).
 */
public final class AlertingRoutes extends RouteBuilder {

    public static final String BEAN = "alertRouting";

    @Override
    public void configure() {
        from("timer:alert-tick?period={{lifeboat.alerting.tickMillis:1000}}")
                .routeId("alert-tick")
                .bean(BEAN, "tick");
    }
}
