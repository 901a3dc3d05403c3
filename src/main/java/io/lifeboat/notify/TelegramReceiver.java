package io.lifeboat.notify;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig.ReceiverConfig;
import io.lifeboat.domain.alerting.Notice;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.telegram.TelegramConstants;
import org.apache.camel.component.telegram.model.MessageResult;
import org.apache.camel.component.telegram.model.OutgoingTextMessage;

/**
 * Telegram through camel-telegram's producer ({@code telegram:bots}), one message per chat; its {@code
 * baseUri} points it at any Bot API server. The component is given a {@link TelegramHttpClient} that
 * applies the receiver's timeout and keeps each answer, so a refusal's status and Telegram's {@code
 * retry_after} are known even though camel-telegram 4.17 does not report them on the exchange. The bot
 * token (part of the request path) is never repeated in a log line.
 */
public final class TelegramReceiver implements Receiver {

    private final ReceiverConfig config;
    private final ProducerTemplate template;
    private final NoticeText text;
    private final Clock clock;
    private final String uri;
    private final TelegramHttpClient http;

    public TelegramReceiver(ReceiverConfig config, ProducerTemplate template, NoticeText text, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.template = requireNonNull(template, "template");
        this.text = requireNonNull(text, "text");
        this.clock = requireNonNull(clock, "clock");
        requireNonNull(config.token(), "token");
        this.http = new TelegramHttpClient(
                java.net.http.HttpClient.newBuilder()
                        .connectTimeout(config.timeout())
                        .build(),
                Deliveries.hardTimeout(config.timeout()));
        String bean = "lifeboatTelegramHttp-" + config.name();
        template.getCamelContext().getRegistry().bind(bean, http);
        this.uri = "telegram:bots?authorizationToken=RAW(" + config.token() + ")"
                + (config.url() == null ? "" : "&baseUri=RAW(" + config.url() + ")")
                + "&client=#" + bean;
    }

    @Override
    public ReceiverConfig config() {
        return config;
    }

    @Override
    public List<String> destinations() {
        return config.chats();
    }

    @Override
    public CompletableFuture<Outcome> deliver(Notice n, String chat) {
        OutgoingTextMessage m = new OutgoingTextMessage();
        m.setText(text.text(n, clock.instant()));
        m.setChatId(chat);
        m.setDisableWebPagePreview(true);
        http.reset();
        return template.asyncSend(uri, exchange -> {
                    exchange.getIn().setBody(m);
                    exchange.getIn().setHeader(TelegramConstants.TELEGRAM_CHAT_ID, chat);
                })
                .handle((exchange, t) -> outcome(exchange, t));
    }

    private Outcome outcome(Exchange exchange, Throwable t) {
        TelegramHttpClient.Answer a = http.last();
        Object body = exchange == null ? null : exchange.getMessage().getBody();
        if (t == null && exchange.getException() == null && body instanceof MessageResult r && r.isOk()) {
            return new Sent();
        }
        if (a != null && a.failure() != null) {
            return redact(HttpOutcomes.failure(a.failure()));
        }
        if (a != null && a.status() != 0) {
            Outcome o = HttpOutcomes.of(a.status(), a.body(), Optional.empty());
            return redact(o instanceof Sent ? new Retryable("HTTP " + a.status() + " without a message result") : o);
        }
        Throwable failure = t != null ? t : exchange.getException();
        return redact(failure == null ? new Retryable("no answer") : HttpOutcomes.failure(failure));
    }

    /** Nothing that leaves here carries the bot token. */
    private Outcome redact(Outcome o) {
        String token = config.token();
        if (o instanceof RetryAfter r) {
            return new RetryAfter(r.delay(), r.why().replace(token, "<token>"));
        }
        if (o instanceof Retryable r) {
            return new Retryable(r.why().replace(token, "<token>"));
        }
        if (o instanceof Rejected r) {
            return new Rejected(r.why().replace(token, "<token>"));
        }
        return o;
    }
}
