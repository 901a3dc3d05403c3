package io.lifeboat.observe.health;

import static java.util.Objects.requireNonNull;

import io.lifeboat.outbox.Outbox;

/**
 * {@code mqtt-broker}: whether the outbox is connected to the MQTT broker. While it is not, nothing
 * is lost (messages wait in Redis or the spool), but nothing reaches subscribers either.
 */
public final class MqttBrokerHealthCheck extends DependencyHealthCheck {

    private final Outbox outbox;

    public MqttBrokerHealthCheck(Outbox outbox) {
        super("mqtt-broker");
        this.outbox = requireNonNull(outbox, "outbox");
    }

    @Override
    protected String probe() {
        long waiting = outbox.depth();
        if (!outbox.connected()) {
            throw new IllegalStateException("the broker is unreachable; " + waiting + " message(s) wait in the outbox");
        }
        return "connected; " + waiting + " message(s) not yet acknowledged";
    }
}
