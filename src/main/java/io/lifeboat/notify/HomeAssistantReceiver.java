package io.lifeboat.notify;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.config.LifeboatConfig.ReceiverConfig;
import io.lifeboat.domain.alerting.Notice;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Home Assistant over its REST API with a long-lived token: {@code notify.<service>} when one is set,
 * and {@code persistent_notification.create} with a {@code notification_id} stable per alert group, so
 * an update replaces the earlier notice; a resolved group's notice is dismissed. One destination.
 */
public final class HomeAssistantReceiver implements Receiver {

    private final ReceiverConfig config;
    private final HttpClient http;
    private final NoticeText text;
    private final Clock clock;

    public HomeAssistantReceiver(ReceiverConfig config, HttpClient http, NoticeText text, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.http = requireNonNull(http, "http");
        this.text = requireNonNull(text, "text");
        this.clock = requireNonNull(clock, "clock");
    }

    @Override
    public ReceiverConfig config() {
        return config;
    }

    /** The persistent notification's id for a group: the same for every notice of that group. */
    public static String notificationId(String receiver, String groupKey) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(groupKey.getBytes(StandardCharsets.UTF_8));
            return "lifeboat_" + receiver.replaceAll("[^A-Za-z0-9_]", "_") + "_"
                    + HexFormat.of().formatHex(d, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public CompletableFuture<Outcome> deliver(Notice n, String destination) {
        String id = notificationId(config.name(), n.groupKey());
        String title = text.title(n);
        String message = text.text(n, clock.instant());
        CompletableFuture<Outcome> first = CompletableFuture.completedFuture(new Sent());
        if (config.notifyService() != null) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("title", title);
            body.put("message", message);
            first = call("notify/" + config.notifyService(), body);
        }
        if (!config.persistent()) {
            return first;
        }
        return first.thenCompose(o -> {
            if (!(o instanceof Sent)) {
                return CompletableFuture.completedFuture(o);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("notification_id", id);
            if (n.kind() == Notice.Kind.RESOLVED) {
                return call("persistent_notification/dismiss", body);
            }
            body.put("title", title);
            body.put("message", message);
            return call("persistent_notification/create", body);
        });
    }

    private CompletableFuture<Outcome> call(String service, Map<String, Object> body) {
        String base = config.url().endsWith("/")
                ? config.url().substring(0, config.url().length() - 1)
                : config.url();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/services/" + service))
                .timeout(Deliveries.hardTimeout(config.timeout()))
                .header("Authorization", "Bearer " + config.token())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.text(body)))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .handle((r, t) -> t != null
                        ? HttpOutcomes.failure(t)
                        : HttpOutcomes.of(r.statusCode(), r.body(), r.headers().firstValue("Retry-After")));
    }
}
