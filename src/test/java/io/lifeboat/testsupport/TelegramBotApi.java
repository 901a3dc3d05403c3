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
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Telegram Bot API server on loopback that speaks {@code POST /bot<token>/sendMessage} as Telegram
 * does: {@code {"ok":true,"result":{…}}}, 401 for a wrong token, and whatever failures a test scripts
 * ({@code 429} with {@code retry_after}, {@code 500}, or hanging). Every request is recorded with its
 * arrival time. Its {@link #baseUri()} goes into camel-telegram's {@code baseUri}.
 */
public final class TelegramBotApi implements AutoCloseable {

    /** One sendMessage request as it arrived. */
    public record Request(long arrivedNanos, String chatId, String text, int answered) {}

    /** A scripted answer for the next request. */
    public record Answer(int status, String body, long hangMillis) {
        public static Answer tooManyRequests(int retryAfter) {
            return new Answer(
                    429,
                    "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after " + retryAfter
                            + "\",\"parameters\":{\"retry_after\":" + retryAfter + "}}",
                    0);
        }

        public static Answer serverError() {
            return new Answer(500, "{\"ok\":false,\"error_code\":500,\"description\":\"Internal Server Error\"}", 0);
        }

        /** Answers OK, but only after {@code millis}: a slow server. */
        public static Answer slowOk(long millis) {
            return new Answer(200, null, millis);
        }
    }

    private final String token;
    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Deque<Answer> script = new ConcurrentLinkedDeque<>();
    private final AtomicLong messageIds = new AtomicLong(100);

    public TelegramBotApi(String token) throws IOException {
        this(token, 0);
    }

    public TelegramBotApi(String token, int port) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    public String baseUri() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The next requests get these answers, in order; then OK again. */
    public void script(Answer... answers) {
        script.addAll(List.of(answers));
    }

    /** Requests that got a 200 (messages Telegram would have delivered). */
    public List<Request> delivered() {
        return requests.stream().filter(r -> r.answered() == 200).toList();
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        long arrived = System.nanoTime();
        try (ex) {
            String path = ex.getRequestURI().getPath();
            byte[] raw;
            try (InputStream in = ex.getRequestBody()) {
                raw = in.readAllBytes();
            }
            if (!"POST".equals(ex.getRequestMethod()) || !path.endsWith("/sendMessage")) {
                respond(ex, 404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
                return;
            }
            if (!path.equals("/bot" + token + "/sendMessage")) {
                respond(ex, 401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}");
                return;
            }
            JsonNode body = Json.MAPPER.readTree(raw);
            String chat = body.path("chat_id").asText();
            String text = body.path("text").asText();
            Answer a = script.poll();
            if (a != null && a.hangMillis() > 0) {
                try {
                    Thread.sleep(a.hangMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            int status = a == null ? 200 : a.status();
            requests.add(new Request(arrived, chat, text, status));
            if (status == 200) {
                respond(
                        ex,
                        200,
                        "{\"ok\":true,\"result\":{\"message_id\":" + messageIds.incrementAndGet()
                                + ",\"date\":" + (System.currentTimeMillis() / 1000) + ",\"chat\":{\"id\":"
                                + Json.text(chat)
                                + ",\"type\":\"private\"},\"text\":" + Json.text(text) + "}}");
            } else {
                respond(ex, status, a.body());
            }
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
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
