package io.lifeboat.observe.health;

import static java.util.Objects.requireNonNull;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;

/** {@code job-queue}: whether a connection to the Artemis broker of {@code lifeboat.jobs} opens. */
public final class JobQueueHealthCheck extends DependencyHealthCheck {

    private final ConnectionFactory connections;

    public JobQueueHealthCheck(ConnectionFactory connections) {
        super("job-queue");
        this.connections = requireNonNull(connections, "connections");
    }

    @Override
    protected String probe() throws Exception {
        try (Connection c = connections.createConnection()) {
            return "connected";
        }
    }
}
