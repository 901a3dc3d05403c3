package io.lifeboat.camel;

import io.lifeboat.Json;
import io.lifeboat.domain.HealthEvent;
import io.lifeboat.events.EventRoutes;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Constants;

/**
 * Health events in: {@code <prefix>/health/<service>} from MQTT. A payload that is not a health event
 * goes to {@code <prefix>/dlq} with the reason and the route goes on; an {@code integrity_failed}
 * is handed to the {@code integrityResponder} bean on its own queue, one at a time, so a restore never
 * holds up the subscription.
 */
public final class HealthRoutes extends RouteBuilder {

    public static final String INTEGRITY_QUEUE = "seda:integrity-failed?size=100&blockWhenFull=true";

    private final Clock clock;

    public HealthRoutes(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void configure() {
        from("paho-mqtt5:{{lifeboat.mqtt.prefix}}/health/+"
                        + "?brokerUrl={{lifeboat.mqtt.url}}"
                        + "&clientId={{lifeboat.mqtt.clientId}}-health"
                        + "&userName={{?lifeboat.mqtt.username}}&password={{?lifeboat.mqtt.password}}"
                        + "&qos=1&connectionTimeout=5&automaticReconnect=true")
                .routeId("mqtt-health-in")
                .process(this::parse)
                .choice()
                .when(header("lifeboatRejected").isNotNull())
                .to(EventRoutes.PUBLISH)
                .when(simple("${body.status} == 'integrity_failed'"))
                .to(INTEGRITY_QUEUE)
                .otherwise()
                .log(org.apache.camel.LoggingLevel.DEBUG, "health: ${body}")
                .end();

        from(INTEGRITY_QUEUE)
                .routeId("integrity-restore")
                .bean("integrityResponder", "onHealthEvent")
                .log("integrity_failed handled: ${body}");
    }

    private void parse(Exchange exchange) {
        var in = exchange.getIn();
        String topic = in.getHeader(PahoMqtt5Constants.MQTT_TOPIC, String.class);
        String service = topic == null ? null : topic.substring(topic.lastIndexOf('/') + 1);
        byte[] payload = in.getBody(byte[].class);
        HealthEvent.Parsed parsed = HealthEvent.parse(service, payload, clock.instant());
        if (parsed instanceof HealthEvent.Ok ok) {
            in.setBody(ok.event());
        } else if (parsed instanceof HealthEvent.Bad bad) {
            Map<String, Object> dlq = new LinkedHashMap<>();
            dlq.put("topic", topic);
            dlq.put("reason", bad.rejected().reason());
            dlq.put("detail", bad.rejected().detail());
            dlq.put("receivedAt", clock.instant().toString());
            int keep = payload == null ? 0 : Math.min(payload.length, 1024);
            dlq.put(
                    "payloadBase64",
                    payload == null ? "" : Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(payload, keep)));
            dlq.put("payloadBytes", payload == null ? 0 : payload.length);
            in.setHeader("lifeboatRejected", bad.rejected().reason());
            in.setHeader(EventRoutes.TOPIC_HEADER, "dlq");
            in.setHeader(EventRoutes.RETAINED_HEADER, false);
            in.setBody(Json.text(dlq));
        }
    }
}
