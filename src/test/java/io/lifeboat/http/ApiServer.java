package io.lifeboat.http;

import io.lifeboat.Json;
import io.lifeboat.config.LifeboatConfig.HttpConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The API routes in a Camel context of their own, on a free loopback port, with stand-ins for the
 * inbound routes that keep the contract (contracts.md): they reject with {@code lifeboatRejected} and
 * {@code lifeboatRejectedDetail}, accept with a Map summary, and record what they were handed.
 */
final class ApiServer implements AutoCloseable {

    /** What a stand-in inbound route received: endpoint, body bytes, headers. */
    record Received(String endpoint, byte[] body, Map<String, Object> headers) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    static final String RESUME_TOKEN = "resume-token-123";

    final DefaultCamelContext camel = new DefaultCamelContext();
    final HttpConfig config;
    final int port;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final List<Received> received = new CopyOnWriteArrayList<>();
    final List<String> dlq = new CopyOnWriteArrayList<>();
    final List<String> viewCalls = new CopyOnWriteArrayList<>();
    final boolean serving;

    ApiServer(String token, int maxBody) throws Exception {
        this(token, maxBody, freePort());
    }

    ApiServer(String token, int maxBody, int port) throws Exception {
        this(token, maxBody, port, null);
    }

    /** With {@code views} answering {@code GET /api/status} and {@code /api/backups} (null: the fixed stand-in). */
    ApiServer(String token, int maxBody, int port, ApiViews views) throws Exception {
        this.port = port;
        this.config = new HttpConfig(true, "127.0.0.1", port, token, maxBody);
        camel.getPropertiesComponent().setInitialProperties(ApiRoutes.properties(config));
        camel.getRegistry()
                .bind(
                        ApiViews.BEAN,
                        views != null
                                ? views
                                : new ApiViews() {
                                    @Override
                                    public Object status() {
                                        viewCalls.add("status");
                                        return Map.of("targets", List.of(Map.of("target", "app-db", "rpoState", "ok")));
                                    }

                                    @Override
                                    public Object backups(String target) {
                                        viewCalls.add("backups:" + target);
                                        return List.of(Map.of(
                                                "manifest", Map.of("id", "20261123T000000Z-abc", "target", "app-db")));
                                    }
                                });
        camel.addRoutes(new ApiRoutes(config, meters, Clock.systemUTC()));
        camel.addRoutes(new StandIns());
        camel.start();
        serving = ApiRoutes.start(camel, config);
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    double rejectedCount(String reason) {
        var c = meters.find("lifeboat.input.rejected").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        camel.stop();
    }

    private final class StandIns extends RouteBuilder {
        @Override
        public void configure() {
            from("direct:health-in").routeId("stand-in-health-in").process(e -> {
                byte[] body = record("health-in", e);
                var node = parse(e, body);
                if (node == null) {
                    return;
                }
                if (!node.isObject() || !node.has("status")) {
                    reject(e, "missing_field", "a health event needs \"status\"");
                    return;
                }
                if (!node.has("service")) {
                    reject(e, "missing_field", "a health event over HTTP needs \"service\"");
                    return;
                }
                if (node.get("status").asText().equals("boom")) {
                    throw new IllegalStateException("stand-in failure at io.lifeboat.Secret.line(42)");
                }
                e.getMessage()
                        .setBody(Map.of(
                                "accepted", true, "service", node.get("service").asText()));
            });
            from("direct:alert-in").routeId("stand-in-alert-in").process(e -> {
                byte[] body = record("alert-in", e);
                if (parse(e, body) != null) {
                    e.getMessage().setBody(Map.of("accepted", true, "alerts", 1));
                }
            });
            from("direct:command-safe-mode").routeId("stand-in-safe-mode").process(e -> {
                byte[] body = record("command-safe-mode", e);
                var node = parse(e, body);
                if (node == null) {
                    return;
                }
                if (!RESUME_TOKEN.equals(node.path("token").asText())) {
                    reject(e, "unauthorized", "the resume token is wrong");
                    return;
                }
                e.getMessage().setBody(Map.of("accepted", true, "safeMode", "OFF"));
            });
            from("direct:command-backup").routeId("stand-in-command-backup").process(e -> {
                byte[] body = record("command-backup", e);
                var node = parse(e, body);
                if (node == null) {
                    return;
                }
                if (!"app-db".equals(node.path("target").asText())) {
                    reject(e, "unknown_target", "no target named " + node.path("target"));
                    return;
                }
                e.getMessage()
                        .setBody(
                                Map.of("accepted", true, "jobs", List.of(Map.of("target", "app-db", "key", "cmd:r1"))));
            });
            from("direct:event-publish").routeId("stand-in-event-publish").process(e -> {
                if ("dlq".equals(e.getIn().getHeader("lifeboatTopic"))) {
                    dlq.add(e.getIn().getBody(String.class));
                }
            });
        }

        private byte[] record(String endpoint, Exchange e) {
            byte[] body = e.getIn().getBody(byte[].class);
            received.add(new Received(endpoint, body, Map.copyOf(e.getIn().getHeaders())));
            return body;
        }

        private com.fasterxml.jackson.databind.JsonNode parse(Exchange e, byte[] body) {
            try {
                var node = Json.MAPPER.readTree(body);
                if (node == null || node.isMissingNode()) {
                    reject(e, "not_json", "the payload is empty");
                    return null;
                }
                return node;
            } catch (IOException ex) {
                reject(e, "not_json", "the payload is not JSON");
                return null;
            }
        }

        private void reject(Exchange e, String reason, String detail) {
            e.getMessage().setHeader("lifeboatRejected", reason);
            e.getMessage().setHeader("lifeboatRejectedDetail", detail);
            e.getMessage().setHeader("lifeboatTopic", "dlq");
        }
    }
}
