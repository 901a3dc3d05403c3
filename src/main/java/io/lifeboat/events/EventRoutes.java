package io.lifeboat.events;

import java.util.List;
import java.util.UUID;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Constants;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * The one route every outgoing MQTT message takes: prefix the topic, stamp a unique
 * {@code lifeboat-msg-id} user property so consumers can drop duplicates, publish at QoS 1. The
 * daemon's connection carries a last will of {@code offline} on {@code <prefix>/status} (the broker
 * publishes it, so it is the one message without a {@code lifeboat-msg-id}).
 */
public final class EventRoutes extends RouteBuilder {

    private final boolean daemon;

    /**
     * @param daemon true for {@code ./lifeboat run}: its connection carries the last will that says
     *     {@code offline}; one-shot commands publish without one (their exit is not Lifeboat going down)
     */
    public EventRoutes(boolean daemon) {
        this.daemon = daemon;
    }

    public static final String PUBLISH = "direct:event-publish";
    public static final String TOPIC_HEADER = "lifeboatTopic";
    public static final String RETAINED_HEADER = "lifeboatRetained";
    public static final String MSG_ID = "lifeboat-msg-id";

    @Override
    public void configure() {
        from(PUBLISH)
                .routeId("event-publish")
                .process(exchange -> {
                    var in = exchange.getIn();
                    MqttProperties props = new MqttProperties();
                    props.setUserProperties(
                            List.of(new UserProperty(MSG_ID, UUID.randomUUID().toString())));
                    props.setPayloadFormat(true);
                    in.setHeader(PahoMqtt5Constants.CAMEL_PAHO_MSG_PROPERTIES, props);
                    in.setHeader(
                            PahoMqtt5Constants.CAMEL_PAHO_OVERRIDE_TOPIC,
                            exchange.getContext().resolvePropertyPlaceholders("{{lifeboat.mqtt.prefix}}") + "/"
                                    + in.getHeader(TOPIC_HEADER, String.class));
                    in.setHeader(
                            PahoMqtt5Constants.CAMEL_PAHO_MSG_RETAINED,
                            in.getHeader(RETAINED_HEADER, false, Boolean.class));
                })
                .to("paho-mqtt5:{{lifeboat.mqtt.prefix}}/events"
                        + "?brokerUrl={{lifeboat.mqtt.url}}"
                        + "&clientId={{lifeboat.mqtt.clientId}}"
                        + "&userName={{?lifeboat.mqtt.username}}&password={{?lifeboat.mqtt.password}}"
                        + "&qos=1&connectionTimeout=5&automaticReconnect=true&cleanStart=true"
                        + (daemon
                                ? "&willTopic={{lifeboat.mqtt.prefix}}/status&willPayload=offline&willRetained=true&willQos=1"
                                : "")
                        + "&lazyStartProducer=true");
    }
}
