package io.lifeboat.observe;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lifeboat.config.LifeboatConfig.ManagementConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management port: {@code GET /observe/metrics} in the Prometheus text format, served by the
 * JDK's own HTTP server (Camel's platform-http needs a Vert.x that the 4.17 line cannot take here,
 * and a second port for it would be a second server anyway). Every other path is 404, every other
 * method 405. Requests are handled one at a time on one thread, so a flood of scrapes cannot pile
 * up catalog queries.
 */
public final class ManagementServer implements AutoCloseable {

    public static final String METRICS_PATH = "/observe/metrics";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    private ManagementServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code config.host():config.port()} and starts serving.
     *
     * @throws IOException when the address cannot be bound (in use, not a local address)
     */
    public static ManagementServer start(ManagementConfig config, LifeboatMetrics metrics) throws IOException {
        requireNonNull(config, "config");
        requireNonNull(metrics, "metrics");
        HttpServer server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lifeboat-management");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, metrics));
        server.start();
        return new ManagementServer(server, executor);
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, LifeboatMetrics metrics) throws IOException {
        try (exchange) {
            exchange.getRequestBody().close(); // a body is never read
            String path = exchange.getRequestURI().getRawPath();
            if (!METRICS_PATH.equals(path)) {
                send(exchange, 404, "not found; metrics are at " + METRICS_PATH + "\n");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "method " + printable(method) + " not allowed; use GET\n");
                return;
            }
            String text;
            try {
                text = metrics.scrape();
            } catch (RuntimeException e) {
                // the catalog is down or broken: the log has the cause, the response no detail (it may name hosts)
                LOG.warn("metrics could not be read: {}", e.toString());
                send(exchange, 503, "metrics unavailable: the catalog could not be read (see the daemon log)\n");
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", PROMETHEUS_TEXT);
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String message) throws IOException {
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** A method name as the client sent it, cut and stripped of anything unprintable before it is echoed. */
    private static String printable(String s) {
        String cut = s.length() > 32 ? s.substring(0, 32) + "..." : s;
        return cut.replaceAll("[^A-Za-z0-9_-]", "?");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
