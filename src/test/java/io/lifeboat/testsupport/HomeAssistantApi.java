package io.lifeboat.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.lifeboat.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Home Assistant's REST API on loopback, as far as Lifeboat uses it: {@code POST /api/services/<domain>/
 * <service>} with {@code Authorization: Bearer <token>} (401 otherwise), answering {@code []} like Home
 * Assistant. Records every call; scripted status codes make it fail.
 */
public final class HomeAssistantApi implements AutoCloseable {

    public record Call(String service, JsonNode body, int answered) {}

    private final String token;
    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Deque<Integer> script = new ConcurrentLinkedDeque<>();

    public HomeAssistantApi(String token) throws IOException {
        this(token, 0);
    }

    public HomeAssistantApi(String token, int port) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/api/services/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void script(Integer... statuses) {
        script.addAll(List.of(statuses));
    }

    /** Calls that succeeded, as "domain/service". */
    public List<Call> accepted() {
        return calls.stream().filter(c -> c.answered() == 200).toList();
    }

    public List<Call> calls() {
        return new ArrayList<>(calls);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] raw;
            try (InputStream in = ex.getRequestBody()) {
                raw = in.readAllBytes();
            }
            String service = ex.getRequestURI().getPath().substring("/api/services/".length());
            if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                calls.add(new Call(service, null, 401));
                respond(ex, 401, "401: Unauthorized");
                return;
            }
            JsonNode body = Json.MAPPER.readTree(raw);
            Integer scripted = script.poll();
            int status = scripted == null ? 200 : scripted;
            calls.add(new Call(service, body, status));
            respond(ex, status, status == 200 ? "[]" : "{\"message\":\"error\"}");
        }
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
