package io.lifeboat.observe;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig.ManagementConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management port, served by Camel's own management server ({@code camel.management.*}):
 *
 * <ul>
 *   <li>{@code /observe/metrics}: Lifeboat's metrics, Camel's route metrics and the JVM's, in one
 *       Prometheus registry;
 *   <li>{@code /observe/health}, {@code /live}, {@code /ready}: Camel's context check (liveness) and
 *       one readiness check per dependency the configuration names ({@code observe.health});
 *   <li>{@code /observe/jolokia}: JMX over HTTP for Hawtio, behind {@link JolokiaGate} and the access
 *       policy {@code jolokia-access.xml}.
 * </ul>
 *
 * Metrics and health answer without a token: Prometheus and probes read them, and they carry no
 * secret. Binding is checked before Camel starts: a port that cannot be served is logged and the
 * daemon runs on without it, since backups matter more than their numbers.
 */
public final class Management {

    public static final String METRICS_PATH = "/observe/metrics";
    public static final String HEALTH_PATH = "/observe/health";
    public static final String JOLOKIA_PATH = "/observe/jolokia";

    private static final Logger LOG = LoggerFactory.getLogger(Management.class);

    private Management() {}

    /**
     * Camel's properties for the management port, metrics and health: nothing when {@code
     * management.enabled} is false or the address cannot be bound.
     */
    public static Properties camelProperties(ManagementConfig m) {
        requireNonNull(m, "m");
        Properties p = new Properties();
        if (!m.enabled()) {
            LOG.info("management endpoint disabled (management.enabled: false)");
            return p;
        }
        if (!bindable(m)) {
            return p;
        }
        p.setProperty("camel.management.enabled", "true");
        p.setProperty("camel.management.host", m.host());
        p.setProperty("camel.management.port", String.valueOf(m.port()));
        p.setProperty("camel.management.metricsEnabled", "true");
        p.setProperty("camel.management.healthCheckEnabled", "true");
        p.setProperty("camel.management.jolokiaEnabled", "true");
        p.setProperty("camel.metrics.enabled", "true");
        // route timers (camel_exchanges_*) but no per-exchange endpoint notifier: the health path
        // handles thousands of events a second and a meter per endpoint URI adds nothing an operator reads
        p.setProperty("camel.metrics.enableExchangeEventNotifier", "false");
        p.setProperty("camel.metrics.binders", "jvm-memory,jvm-gc,jvm-thread,processor,uptime");
        // readiness is Lifeboat's own checks of what the config needs; Camel's consumer checks would
        // report an MQTT consumer waiting for its broker twice, and into liveness
        p.setProperty("camel.health.consumersEnabled", "false");
        p.setProperty("camel.health.routesEnabled", "false");
        return p;
    }

    /**
     * Before Camel is configured: Lifeboat's registry becomes the one Camel fills (route metrics, JVM
     * binders) and serves.
     */
    public static void shareRegistry(Main main, PrometheusMeterRegistry registry) {
        main.bind(MicrometerConstants.METRICS_REGISTRY_NAME, registry);
    }

    /**
     * Before the context starts: the token gate goes in front of Jolokia. Does nothing when the
     * management server is not configured.
     */
    public static void guardJolokia(CamelContext context, ManagementConfig m) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null) {
            return;
        }
        AuthenticationConfig auth = server.getConfiguration().getAuthenticationConfig();
        AuthenticationConfig.AuthenticationConfigEntry entry = new AuthenticationConfig.AuthenticationConfigEntry();
        entry.setPath(JOLOKIA_PATH + "*");
        entry.setAuthenticationProviderFactory(vertx -> (credentials, handler) -> {
            // never asked: the gate decides from the bearer token itself
        });
        JolokiaGate gate = new JolokiaGate(m.token());
        entry.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
            @Override
            public <T extends io.vertx.ext.auth.authentication.AuthenticationProvider>
                    io.vertx.ext.web.handler.AuthenticationHandler createAuthenticationHandler(T provider) {
                return gate;
            }
        });
        auth.getEntries().add(entry);
        auth.setEnabled(true);
        if (m.token() == null) {
            LOG.warn("management.token is not set: /observe/jolokia refuses every request");
        }
    }

    /** Logs where the management port serves, once it does. */
    public static void logServing(CamelContext context, ManagementConfig m) {
        if (context.hasService(ManagementHttpServer.class) != null) {
            String base = "http://" + m.host() + ":" + m.port();
            LOG.info(
                    "metrics at {}{}, health at {}{}, Jolokia at {}{}",
                    base,
                    METRICS_PATH,
                    base,
                    HEALTH_PATH,
                    base,
                    JOLOKIA_PATH);
        }
    }

    /** Registers the readiness checks; they are called on every {@code /observe/health} request. */
    public static void healthChecks(CamelContext context, Collection<? extends HealthCheck> checks) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        for (HealthCheck check : checks) {
            registry.register(check);
        }
    }

    private static boolean bindable(ManagementConfig m) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(m.host(), m.port()));
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.error(
                    "management.port {} on {} cannot be served ({}); running without /observe",
                    m.port(),
                    m.host(),
                    e.toString());
            return false;
        }
    }
}
