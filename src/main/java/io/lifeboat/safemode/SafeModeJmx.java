package io.lifeboat.safemode;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog.SafeModeChange;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SafeModeMBean} on the platform MBean server. Requests go the same way as MQTT and HTTP
 * ones ({@code direct:command-safe-mode}'s handler) with actor {@code jmx}, so a refused resume is
 * dead-lettered and counted like any other.
 */
public final class SafeModeJmx implements SafeModeMBean, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SafeModeJmx.class);
    public static final String NAME = "io.lifeboat:type=SafeMode";

    /** Handles one request body ({@code {"action":…}}) for {@code actor}; returns the message. */
    @FunctionalInterface
    public interface Requests {
        String handle(byte[] request, String actor);
    }

    private final SafeModeService service;
    private final Requests requests;
    private ObjectName registered;

    public SafeModeJmx(SafeModeService service, Requests requests) {
        this.service = requireNonNull(service, "service");
        this.requests = requireNonNull(requests, "requests");
    }

    /** Registers on the platform MBean server; a failure is logged (JMX is a convenience). */
    public SafeModeJmx register() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(NAME);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new StandardMBean(this, SafeModeMBean.class), name);
            registered = name;
        } catch (JMException | RuntimeException e) {
            LOG.warn("Safe Mode JMX bean {} not registered: {}", NAME, e.toString());
        }
        return this;
    }

    @Override
    public boolean isOn() {
        return service.isOn();
    }

    private Optional<SafeModeChange> last() {
        return service.state();
    }

    @Override
    public String getReason() {
        return last().map(SafeModeChange::reason).orElse("");
    }

    @Override
    public String getChangedBy() {
        return last().map(SafeModeChange::actor).orElse("");
    }

    @Override
    public String getChangedAt() {
        return last().map(c -> c.at().toString()).orElse("");
    }

    @Override
    public String enterSafeMode(String reason) {
        return request("enter", reason, null);
    }

    @Override
    public String resumeSafeMode(String token) {
        return request("resume", "resumed over JMX", token);
    }

    private String request(String action, String reason, String token) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action);
        body.put("reason", reason);
        body.put("token", token);
        return requests.handle(Json.text(body).getBytes(StandardCharsets.UTF_8), "jmx");
    }

    @Override
    public void close() {
        if (registered != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(registered);
            } catch (JMException e) {
                // already gone
            }
            registered = null;
        }
    }
}
