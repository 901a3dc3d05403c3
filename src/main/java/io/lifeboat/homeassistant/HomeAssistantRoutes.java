package io.lifeboat.homeassistant;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.inbound.InboundRoutes;
import io.lifeboat.outbox.Outbox;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Home Assistant MQTT discovery: {@code homeassistant-discovery} publishes every config message
 * (retained, through the outbox) at start; {@code homeassistant-status-in} publishes them again when Home
 * Assistant announces {@code online} on {@code <haPrefix>/status} (anything else there is ignored);
 * {@code stats-publish} keeps {@code <prefix>/stats} (outbox depth) fresh for the outbox sensor.
 */
public final class HomeAssistantRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(HomeAssistantRoutes.class);
    /** A birth message is a word; anything much longer is not one. */
    private static final int MAX_STATUS_BYTES = 64;

    private final LifeboatConfig config;
    private final Outbox outbox;
    private final Discovery discovery;
    private final Clock clock;

    public HomeAssistantRoutes(LifeboatConfig config, Outbox outbox, String prefix, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.outbox = requireNonNull(outbox, "outbox");
        this.clock = requireNonNull(clock, "clock");
        this.discovery = new Discovery(
                config.homeassistant(),
                prefix,
                HomeAssistantRoutes.class.getPackage().getImplementationVersion());
    }

    @Override
    public void configure() {
        from("timer:homeassistant-discovery?repeatCount=1&delay=1000")
                .routeId("homeassistant-discovery")
                .process(e -> announce("start"));

        from("timer:stats-publish?period=30000&delay=1000")
                .routeId("stats-publish")
                .process(e -> stats());

        String status = config.homeassistant().prefix() + "/status";
        from("paho-mqtt5:" + status
                        + "?brokerUrl={{lifeboat.mqtt.url}}"
                        + "&clientId={{lifeboat.mqtt.sessionClientId}}-ha-status"
                        + "&userName={{?lifeboat.mqtt.username}}&password={{?lifeboat.mqtt.password}}"
                        + "&qos=1&automaticReconnect=true&connectionTimeout=5"
                        + InboundRoutes.tlsOption(getContext(), config))
                .routeId("homeassistant-status-in")
                .process(e -> {
                    byte[] body = e.getIn().getBody(byte[].class);
                    if (body != null
                            && body.length <= MAX_STATUS_BYTES
                            && new String(body, StandardCharsets.UTF_8).trim().equals("online")) {
                        announce("Home Assistant came online");
                    } else {
                        LOG.debug("ignoring {} bytes on {}", body == null ? 0 : body.length, status);
                    }
                });
    }

    void announce(String why) {
        var messages = discovery.messages(new ArrayList<>(config.targets().keySet()));
        for (Discovery.Message m : messages) {
            outbox.publish("/" + m.topic(), m.payload().getBytes(StandardCharsets.UTF_8), true);
        }
        LOG.info("Home Assistant discovery: {} entities published ({})", messages.size(), why);
    }

    void stats() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("outboxDepth", outbox.depth());
        s.put("at", clock.instant().toString());
        outbox.publish("stats", Json.text(s).getBytes(StandardCharsets.UTF_8), true);
    }
}
