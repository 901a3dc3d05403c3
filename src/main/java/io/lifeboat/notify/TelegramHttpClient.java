package io.lifeboat.notify;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The HTTP client handed to camel-telegram (its {@code client} option), wrapping the JDK's. camel-telegram
 * 4.17 completes an exchange without an exception when the Bot API refuses a message, so the status and
 * Telegram's {@code retry_after} would be lost, and it sets no request timeout. This client gives every
 * request the receiver's timeout and keeps the last answer (status and, for a refusal, its body) for the
 * receiver to read. One receiver sends one request at a time, so "the last answer" is that request's.
 */
final class TelegramHttpClient extends HttpClient {

    /** What the last request came to: a status and body, or the failure that stopped it. */
    record Answer(int status, String body, Throwable failure) {}

    private final HttpClient delegate;
    private final Duration timeout;
    private volatile Answer last;

    TelegramHttpClient(HttpClient delegate, Duration timeout) {
        this.delegate = requireNonNull(delegate, "delegate");
        this.timeout = requireNonNull(timeout, "timeout");
    }

    /** Forgets the last answer; call before sending. */
    void reset() {
        last = null;
    }

    Answer last() {
        return last;
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return sendAsync(request, handler, null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(
            HttpRequest request, HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
        HttpRequest timed = HttpRequest.newBuilder(request, (name, value) -> true)
                .timeout(timeout)
                .build();
        HttpResponse.BodyHandler<T> keeping = info -> {
            if (info.statusCode() >= 200 && info.statusCode() < 300) {
                last = new Answer(info.statusCode(), "", null);
                return handler.apply(info);
            }
            // a refusal: keep its body, and hand camel-telegram the same bytes as the stream it reads
            return (HttpResponse.BodySubscriber<T>) HttpResponse.BodySubscribers.mapping(
                    HttpResponse.BodySubscribers.ofString(java.nio.charset.StandardCharsets.UTF_8), body -> {
                        last = new Answer(info.statusCode(), body, null);
                        return new ByteArrayInputStream(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    });
        };
        CompletableFuture<HttpResponse<T>> f =
                push == null ? delegate.sendAsync(timed, keeping) : delegate.sendAsync(timed, keeping, push);
        return f.whenComplete((r, t) -> {
            if (t != null) {
                last = new Answer(0, "", t);
            }
        });
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws IOException, InterruptedException {
        try {
            return sendAsync(request, handler).get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return delegate.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return delegate.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return delegate.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return delegate.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return delegate.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return delegate.authenticator();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Optional<Executor> executor() {
        return delegate.executor();
    }
}
