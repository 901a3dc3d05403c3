package io.lifeboat.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.config.LifeboatConfig.HttpConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API on {@code http.host:http.port}: one Undertow consumer ({@code api-http}) behind the
 * {@link ApiGate} (token, path, method, content type, declared size), which reads the body up to
 * {@code http.maxBody} and hands it, unchanged, to one route per endpoint:
 *
 * <ul>
 *   <li>{@code api-events}: {@code POST /api/events} to {@code direct:health-in} (one event, or a
 *       JSON array of events handled one by one);
 *   <li>{@code api-alerts}: {@code POST /api/alerts} to {@code direct:alert-in};
 *   <li>{@code api-safe-mode}: {@code POST /api/safe-mode} to {@code direct:command-safe-mode} with
 *       the caller's address as actor;
 *   <li>{@code api-backups-create}: {@code POST /api/backups} to {@code direct:command-backup};
 *   <li>{@code api-backup-verify}, {@code api-restores}: {@code POST /api/backups/{id}/verify} and
 *       {@code POST /api/restores}, handled by {@link ApiOperations};
 *   <li>{@code api-status}, {@code api-backups-list}: {@code GET /api/status} and {@code GET
 *       /api/backups[?target=]}, the JSON of {@code status --json} and {@code list --json};
 *   <li>{@code status-page}: {@code GET}/{@code HEAD /}, the {@link StatusPage} (no token: it holds
 *       no data, and reads the two above with the token the user gives it).
 * </ul>
 *
 * The inbound routes validate the payload; their verdict becomes 202 or 400 (403 for a refused
 * resume token); an inbound route that is not running (stopped over JMX) is a 503 at once ({@code
 * block=false}: a caller does not wait for it). Every client header is dropped before the inbound routes see the exchange, so a
 * caller cannot pose as another source or actor. The consumer does not start with the context: the
 * daemon starts it with {@link #start}, which logs and carries on when the port cannot be bound.
 */
public final class ApiRoutes extends RouteBuilder {

    public static final String ROUTE_ID = "api-http";
    static final String GATE_BEAN = "lifeboatApiGate";
    static final String SOURCE = "lifeboatSource";
    static final String ACTOR = "lifeboatActor";
    static final String PEER = "lifeboatApiPeer";
    static final String QUERY = "lifeboatApiQuery";
    static final String ROUTE = "lifeboatApiRoute";
    static final String METHOD = "lifeboatApiMethod";
    static final String ID = "lifeboatApiId";
    /** Target names as the config allows them (config/Targets): no slash, no leading dot. */
    private static final Pattern TARGET = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);

    private final HttpConfig config;
    private final MeterRegistry meters;
    private final Clock clock;
    private ProducerTemplate template;

    /**
     * @param meters where {@code lifeboat_input_rejected_total{reason}} counts payloads refused here
     *     (too large, not JSON); null counts nothing
     */
    public ApiRoutes(HttpConfig config, MeterRegistry meters, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.meters = meters;
        this.clock = requireNonNull(clock, "clock");
    }

    /** The placeholders the endpoint URI uses, from the {@code http} section. */
    public static Properties properties(HttpConfig config) {
        Properties p = new Properties();
        String host = config.host();
        // an IPv6 address goes in brackets in the URI
        p.setProperty("lifeboat.http.host", host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host);
        p.setProperty("lifeboat.http.port", String.valueOf(config.port()));
        return p;
    }

    /**
     * The body goes unchanged to an inbound route (source http) and its verdict becomes the answer; a
     * fault inside that route, handled there or not, is a 500 (503 when the route is not running).
     */
    private void forward(RouteDefinition route, String inbound, Processor answer) {
        route.setHeader(SOURCE, constant("http"))
                .doTry()
                .to(inbound + "?block=false")
                .process(answer)
                .doCatch(Exception.class)
                .process(ApiResponses::failure)
                .end();
    }

    @Override
    public void configure() {
        template = getContext().createProducerTemplate();
        bindToRegistry(GATE_BEAN, new ApiGate(BearerToken.of(config.token()), config.maxBodyBytes(), this::rejected));

        // declared once for every API route: a failed exchange becomes a JSON answer, never a stack trace
        onException(Exception.class).handled(true).process(ApiResponses::failure);

        from("undertow:http://{{lifeboat.http.host}}:{{lifeboat.http.port}}/"
                        + "?matchOnUriPrefix=true" // every path reaches the gate, so unknown ones get a JSON 404
                        + "&useStreaming=true" // the body is read here, capped, not buffered whole by the binding
                        + "&handlers=#" + GATE_BEAN
                        + "&muteException=true") // never a stack trace in a response
                .routeId(ROUTE_ID)
                .autoStartup(false) // started by ApiRoutes.start: a port in use must not stop the daemon
                .noStreamCaching() // stream caching would read (and spool) the whole body before admit caps it
                .process(this::admit)
                .choice()
                .toD("direct:${exchangeProperty." + ROUTE + "}"); // the gate admitted only ApiEndpoint's route ids

        from("direct:api-events")
                .routeId("api-events")
                .setHeader(SOURCE, constant("http"))
                .choice()
                .when(exchange -> batch(exchange.getMessage().getBody(byte[].class)) != null)
                .process(this::events)
                .otherwise()
                .doTry()
                .to("direct:health-in?block=false")
                .process(ApiResponses::inbound)
                .doCatch(Exception.class)
                .process(ApiResponses::failure) // a fault inside the inbound route, handled there or not
                .end()
                .end();

        forward(from("direct:api-alerts").routeId("api-alerts"), "direct:alert-in", ApiResponses::inbound);

        forward(
                from("direct:api-safe-mode")
                        .routeId("api-safe-mode")
                        .setHeader(ACTOR, simple("http:${exchangeProperty." + PEER + "}")),
                "direct:command-safe-mode",
                ApiResponses::safeMode);

        forward(
                from("direct:api-backups-create").routeId("api-backups-create"),
                "direct:command-backup",
                ApiResponses::inbound);

        from("direct:" + StatusPage.ROUTE_ID).routeId(StatusPage.ROUTE_ID).process(StatusPage::respond);

        from("direct:api-status")
                .routeId("api-status")
                .process(exchange -> ApiResponses.respond(exchange, 200, view(exchange, "status", null)));

        forward(
                from("direct:api-silences-create")
                        .routeId("api-silences-create")
                        .setHeader(ACTOR, simple("http:${exchangeProperty." + PEER + "}")),
                "direct:command-silence",
                ApiResponses::inbound);

        from("direct:api-silences-list").routeId("api-silences-list").process(exchange -> {
            var routing = exchange.getContext()
                    .getRegistry()
                    .lookupByNameAndType("alertRouting", io.lifeboat.alerting.AlertRouting.class);
            if (routing == null) {
                throw new ApiException(503, "unavailable", "the daemon is still starting; try again shortly");
            }
            ApiResponses.respond(exchange, 200, java.util.Map.of("silences", routing.silenceViews()));
        });

        from("direct:api-backup-verify")
                .routeId("api-backup-verify")
                .process(exchange ->
                        answer(exchange, operations(exchange).verify(exchange.getProperty(ID, String.class))));

        from("direct:api-restores")
                .routeId("api-restores")
                .process(exchange -> answer(
                        exchange,
                        operations(exchange).restore(exchange.getMessage().getBody(byte[].class))));

        from("direct:api-backups-list")
                .routeId("api-backups-list")
                .process(exchange -> ApiResponses.respond(
                        exchange, 200, view(exchange, "backups", target(exchange.getProperty(QUERY, String.class)))));
    }

    private static ApiOperations operations(Exchange exchange) {
        ApiOperations ops =
                exchange.getContext().getRegistry().lookupByNameAndType(ApiOperations.BEAN, ApiOperations.class);
        if (ops == null) {
            throw new ApiException(503, "unavailable", "the daemon is still starting; try again shortly");
        }
        return ops;
    }

    private static void answer(Exchange exchange, ApiOperations.Answer answer) {
        ApiResponses.respond(exchange, answer.status(), answer.body());
    }

    /**
     * Takes what the gate established into exchange properties, reads a POST body (at most {@code
     * http.maxBody} bytes, whatever the transfer encoding) and drops every header the client sent.
     */
    private void admit(Exchange exchange) throws IOException {
        Message in = exchange.getIn();
        String route = in.getHeader(ApiGate.ROUTE_HEADER, String.class);
        if (route == null) {
            throw new ApiException(404, "not_found", "no such endpoint");
        }
        exchange.setProperty(ROUTE, route);
        exchange.setProperty(PEER, in.getHeader(ApiGate.PEER_HEADER, String.class));
        exchange.setProperty(ID, in.getHeader(ApiGate.ID_HEADER, String.class));
        exchange.setProperty(QUERY, in.getHeader(Exchange.HTTP_RAW_QUERY, String.class));
        String method = in.getHeader(Exchange.HTTP_METHOD, String.class);
        exchange.setProperty(METHOD, method);
        byte[] body = null;
        if ("POST".equals(method)) {
            InputStream stream = in.getBody(InputStream.class);
            body = stream == null ? new byte[0] : readCapped(stream, config.maxBodyBytes());
            if (body == null) {
                String path = in.getHeader(Exchange.HTTP_PATH, String.class);
                rejected(path, "too_large", "body over http.maxBody " + config.maxBodyBytes(), -1);
                throw new ApiException(
                        413, "too_large", "the body is over http.maxBody (" + config.maxBodyBytes() + " bytes)");
            }
        }
        in.removeHeaders("*");
        in.setBody(body);
    }

    /** The stream's bytes, or null as soon as it holds more than {@code max}. */
    static byte[] readCapped(InputStream in, int max) throws IOException {
        byte[] buf = new byte[Math.min(max, 64 * 1024) + 1];
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        long total = 0;
        int n;
        try {
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > max) {
                    return null;
                }
                out.write(buf, 0, n);
            }
        } catch (io.undertow.server.RequestTooBigException e) {
            return null; // Undertow's own stop at http.maxBody + 1 (set by the gate) came first
        }
        return out.toByteArray();
    }

    private Object view(Exchange exchange, String which, String target) {
        ApiViews views = exchange.getContext().getRegistry().lookupByNameAndType(ApiViews.BEAN, ApiViews.class);
        if (views == null) {
            throw new ApiException(503, "unavailable", "the daemon is still starting; try again shortly");
        }
        try {
            return which.equals("status") ? views.status() : views.backups(target);
        } catch (ApiException e) {
            throw e;
        } catch (Exception e) {
            // storage or catalog unreachable: the log has the cause, the answer says where to look
            LOG.warn("GET /api/{} could not be answered: {}", which, e.toString());
            throw new ApiException(503, "unavailable", which + " could not be read now; the daemon log has the cause");
        }
    }

    /** The {@code target} query parameter: absent, or one target name. */
    static String target(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        String target = null;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!name.equals("target")) {
                continue; // other parameters are ignored, as for any GET
            }
            if (target != null) {
                throw new ApiException(400, "bad_target", "give target at most once");
            }
            try {
                target = URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "bad_target", "target is not a valid URL-encoded value");
            }
            if (!TARGET.matcher(target).matches()) {
                throw new ApiException(
                        400,
                        "bad_target",
                        "target must be a target name (lower-case letters, digits, '.', '_', '-'; 63 at most)");
            }
        }
        return target;
    }

    /** The elements of a JSON array body, or null when the body is not one (then it is one event). */
    static JsonNode batch(byte[] body) {
        if (body == null) {
            return null;
        }
        for (byte b : body) {
            if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                continue;
            }
            if (b != '[') {
                return null;
            }
            try {
                JsonNode node = Json.MAPPER.readTree(body);
                return node != null && node.isArray() ? node : null;
            } catch (IOException e) {
                return null; // not JSON: passed on unchanged, health-in says why
            }
        }
        return null;
    }

    /**
     * A batch: each element to {@code direct:health-in} on its own, in order. 202 when all were
     * accepted, 400 when none, 207 when some; {@code results} says which, by index.
     */
    private void events(Exchange exchange) throws Exception {
        JsonNode items = batch(exchange.getMessage().getBody(byte[].class));
        if (items.isEmpty()) {
            throw new ApiException(400, "empty_batch", "the array holds no event");
        }
        List<Map<String, Object>> results = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < items.size(); i++) {
            byte[] item = Json.MAPPER.writeValueAsBytes(items.get(i));
            Exchange one = template.send("direct:health-in?block=false", e -> {
                e.getIn().setBody(item);
                e.getIn().setHeader(SOURCE, "http");
            });
            if (one.getException() != null) {
                throw one.getException();
            }
            Object[] answer = ApiResponses.inboundAnswer(one.getMessage(), false);
            @SuppressWarnings("unchecked")
            Map<String, Object> result = new LinkedHashMap<>((Map<String, Object>) answer[1]);
            if ((Integer) answer[0] == 202) {
                accepted++;
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("index", i);
            r.putAll(result);
            results.add(r);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", accepted);
        body.put("rejected", items.size() - accepted);
        body.put("results", results);
        ApiResponses.respond(exchange, accepted == items.size() ? 202 : accepted == 0 ? 400 : 207, body);
    }

    /** A payload refused here (too large, not JSON): counted, and told on the dead-letter topic. */
    private void rejected(String path, String reason, String detail, long bytes) {
        if (meters != null) {
            try {
                Counter.builder("lifeboat.input.rejected")
                        .description("Inbound payloads refused, by reason")
                        .tag("reason", reason)
                        .register(meters)
                        .increment();
            } catch (RuntimeException e) {
                LOG.warn("rejected input not counted: {}", e.toString());
            }
        }
        Map<String, Object> dlq = new LinkedHashMap<>();
        dlq.put("source", "http");
        dlq.put("path", path);
        dlq.put("reason", reason);
        dlq.put("detail", detail);
        dlq.put("receivedAt", clock.instant().toString());
        if (bytes >= 0) {
            dlq.put("payloadBytes", bytes);
        }
        try {
            template.send("direct:event-publish?block=false", e -> {
                e.getIn().setBody(Json.text(dlq));
                e.getIn().setHeader("lifeboatTopic", "dlq");
                e.getIn().setHeader("lifeboatRetained", false);
            });
        } catch (RuntimeException e) {
            LOG.warn("rejected HTTP input not sent to the dead-letter topic: {}", e.toString());
        }
    }

    /**
     * Starts the API consumer; a port that cannot be bound is logged and the daemon runs on without
     * the API (backups matter more than a second way in).
     *
     * @return whether the API is serving
     */
    public static boolean start(CamelContext context, HttpConfig config) {
        try {
            context.getRouteController().startRoute(ROUTE_ID);
        } catch (Exception e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            LOG.error(
                    "http.port {} on {} cannot be served ({}); running without the API",
                    config.port(),
                    config.host(),
                    cause.toString());
            try {
                context.getRouteController().stopRoute(ROUTE_ID);
            } catch (Exception ignored) {
                // it did not start
            }
            return false;
        }
        LOG.info("API at http://{}:{}/api", config.host(), config.port());
        if (config.token() == null) {
            LOG.warn(
                    "http.token is not set: the API refuses every request until it is (e.g. token: \"${LIFEBOAT_API_TOKEN}\")");
        }
        return true;
    }
}
