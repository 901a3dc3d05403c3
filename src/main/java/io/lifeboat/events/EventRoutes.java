package io.lifeboat.events;

import static java.util.Objects.requireNonNull;

import org.apache.camel.builder.RouteBuilder;

/**
 * The route every outgoing message from a Camel route takes (DLQ messages of the inbound routes, YAML
 * routes): it hands the body to the outbox ({@link io.lifeboat.outbox.Outbox}), which stamps the {@code
 * lifeboat-msg-id}, publishes at QoS 1 and buffers while the broker is away. Headers: {@code
 * lifeboatTopic} (relative to the prefix) and {@code lifeboatRetained}.
 */
public final class EventRoutes extends RouteBuilder {

    public static final String PUBLISH = "direct:event-publish";
    public static final String TOPIC_HEADER = "lifeboatTopic";
    public static final String RETAINED_HEADER = "lifeboatRetained";
    public static final String MSG_ID = "lifeboat-msg-id";

    private final EventSink sink;

    public EventRoutes(EventSink sink) {
        this.sink = requireNonNull(sink, "sink");
    }

    @Override
    public void configure() {
        from(PUBLISH).routeId("event-publish").process(exchange -> {
            var in = exchange.getIn();
            String topic = in.getHeader(TOPIC_HEADER, String.class);
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("direct:event-publish needs the header " + TOPIC_HEADER);
            }
            byte[] payload = in.getBody(byte[].class);
            sink.publish(
                    topic,
                    payload == null ? new byte[0] : payload,
                    in.getHeader(RETAINED_HEADER, false, Boolean.class));
        });
    }
}
