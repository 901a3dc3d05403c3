package io.lifeboat.jmx;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog.SafeModeChange;
import io.lifeboat.inbound.Inbound;
import io.lifeboat.safemode.SafeModeService;
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
 * The {@link LifeboatMBean} on the platform MBean server. It builds the same JSON request an MQTT
 * command carries and hands it to the inbound handler ({@link Requests}) with actor {@code jmx}, so
 * validation, refusal, dead-lettering and audit are those of every other way in.
 */
public final class LifeboatJmx implements LifeboatMBean, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LifeboatJmx.class);
    public static final String NAME = "io.lifeboat:type=Lifeboat";

    /** Handles one request body for {@code actor}; returns the message, or "REFUSED: why". */
    public interface Requests {
        String backup(byte[] request, String actor);

        String safeMode(byte[] request, String actor);

        String silence(byte[] request, String actor);

        /** Requests handled by {@code inbound}, as MQTT and HTTP ones are. */
        static Requests through(Inbound inbound) {
            return new Requests() {
                @Override
                public String backup(byte[] request, String actor) {
                    return answer(inbound.backup(request, actor));
                }

                @Override
                public String safeMode(byte[] request, String actor) {
                    Inbound.Result r = inbound.safeMode(request, actor, actor);
                    return r.ok() ? String.valueOf(r.body().get("message")) : answer(r);
                }

                @Override
                public String silence(byte[] request, String actor) {
                    return answer(inbound.silence(request, actor, actor));
                }
            };
        }

        /** An accepted request's body as JSON, or why it was refused. */
        private static String answer(Inbound.Result r) {
            return r.ok() ? Json.text(r.body()) : "REFUSED: " + r.detail();
        }
    }

    private final SafeModeService safeMode;
    private final Requests requests;
    private ObjectName registered;

    public LifeboatJmx(SafeModeService safeMode, Requests requests) {
        this.safeMode = requireNonNull(safeMode, "safeMode");
        this.requests = requireNonNull(requests, "requests");
    }

    /** Registers on the platform MBean server; a failure is logged (JMX is a convenience). */
    public LifeboatJmx register() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(NAME);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new StandardMBean(this, LifeboatMBean.class), name);
            registered = name;
        } catch (JMException | RuntimeException e) {
            LOG.warn("JMX bean {} not registered: {}", NAME, e.toString());
        }
        return this;
    }

    @Override
    public boolean isSafeModeOn() {
        return safeMode.isOn();
    }

    private Optional<SafeModeChange> last() {
        return safeMode.state();
    }

    @Override
    public String getSafeModeReason() {
        return last().map(SafeModeChange::reason).orElse("");
    }

    @Override
    public String getSafeModeChangedBy() {
        return last().map(SafeModeChange::actor).orElse("");
    }

    @Override
    public String getSafeModeChangedAt() {
        return last().map(c -> c.at().toString()).orElse("");
    }

    @Override
    public String backupNow(String target) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("target", target);
        body.put("reason", "backupNow over JMX");
        return requests.backup(json(body), "jmx");
    }

    @Override
    public String enterSafeMode(String reason) {
        return safeModeRequest("enter", reason, null);
    }

    @Override
    public String resumeSafeMode(String token) {
        return safeModeRequest("resume", "resumed over JMX", token);
    }

    private String safeModeRequest(String action, String reason, String token) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action);
        body.put("reason", reason);
        body.put("token", token);
        return requests.safeMode(json(body), "jmx");
    }

    @Override
    public String silence(String matcher, String duration) {
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, String> matchers = matchers(matcher);
        if (matchers == null) {
            return "REFUSED: matcher is label=value pairs separated by commas, e.g. target=app-db,severity=warning";
        }
        body.put("matchers", matchers);
        body.put("duration", duration);
        body.put("comment", "silenced over JMX");
        return requests.silence(json(body), "jmx");
    }

    /** {@code a=1,b=2} as a map, or null when a pair has no '=' or an empty name. */
    static Map<String, String> matchers(String matcher) {
        Map<String, String> out = new LinkedHashMap<>();
        if (matcher == null || matcher.isBlank()) {
            return out; // empty: SilenceRequest refuses a silence that matches everything
        }
        for (String pair : matcher.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                return null;
            }
            out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return out;
    }

    private static byte[] json(Map<String, Object> body) {
        return Json.text(body).getBytes(StandardCharsets.UTF_8);
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
