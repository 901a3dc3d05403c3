package io.lifeboat.notify;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig.ReceiverConfig;
import io.lifeboat.domain.alerting.Notice;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/** POSTs the notice as JSON with an {@code Idempotency-Key} header (the notice id) and the configured headers. */
public final class WebhookReceiver implements Receiver {

    private final ReceiverConfig config;
    private final HttpClient http;

    public WebhookReceiver(ReceiverConfig config, HttpClient http) {
        this.config = requireNonNull(config, "config");
        this.http = requireNonNull(http, "http");
    }

    @Override
    public ReceiverConfig config() {
        return config;
    }

    @Override
    public CompletableFuture<Outcome> deliver(Notice n, String destination) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.url()))
                .timeout(Deliveries.hardTimeout(config.timeout()))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", n.id())
                .POST(HttpRequest.BodyPublishers.ofString(NoticeCodec.text(n)));
        config.headers().forEach(b::header);
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
                .handle((r, t) -> t != null
                        ? HttpOutcomes.failure(t)
                        : HttpOutcomes.of(r.statusCode(), r.body(), r.headers().firstValue("Retry-After")));
    }
}
