package io.lifeboat.notify;

import static io.lifeboat.notify.Notices.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig.CatalogConfig;
import io.lifeboat.config.LifeboatConfig.ReceiverConfig;
import io.lifeboat.testsupport.TelegramBotApi;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telegram delivery against a Bot API server on loopback, through camel-telegram, with the notices queued
 * in the real Redis on 127.0.0.1:6379 (a stream name of its own per test).
 */
class TelegramDeliveryIT {

    private static final String TOKEN = "123456:fake-token-for-tests-only-0123";
    private static final Pattern NUMBER = Pattern.compile("#(\\w+)");

    @TempDir
    Path dir;

    private TelegramBotApi telegram;
    private Catalog catalog;
    private CamelContext camel;
    private ProducerTemplate template;
    private RedisNoticeStore redis;
    private NoticeStore store;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private Deliveries deliveries;

    @BeforeEach
    void setUp() throws Exception {
        telegram = new TelegramBotApi(TOKEN);
        catalog = Catalog.open(new CatalogConfig(null, null, null), dir);
        camel = new DefaultCamelContext();
        camel.start();
        template = camel.createProducerTemplate();
        redis = new RedisNoticeStore("redis://127.0.0.1:6379", "lifeboat-test-" + UUID.randomUUID());
        store = new FailoverNoticeStore(redis, new CatalogNoticeStore(catalog));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (deliveries != null) {
            deliveries.close();
        }
        camel.close();
        telegram.close();
        redis.close();
        catalog.close();
    }

    private ReceiverConfig phone(double perSecond, String... chats) {
        return new ReceiverConfig(
                "phone",
                "telegram",
                telegram.baseUri(),
                TOKEN,
                List.of(chats),
                null,
                false,
                null,
                Map.of(),
                perSecond,
                Duration.ofSeconds(1));
    }

    private Deliveries start(ReceiverConfig c) {
        Instant verified = Instant.now().minus(Duration.ofHours(3)).minusSeconds(30);
        NoticeText text = new NoticeText(t -> Optional.of(verified));
        deliveries = new Deliveries(
                        List.of(new TelegramReceiver(c, template, text, Clock.systemUTC())),
                        store,
                        catalog,
                        meters,
                        Clock.systemUTC(),
                        new Deliveries.Settings(10_000, Duration.ofMillis(200), Duration.ofSeconds(2)))
                .start();
        return deliveries;
    }

    private static List<String> numbers(List<TelegramBotApi.Request> requests, String chat) {
        return requests.stream()
                .filter(r -> r.chatId().equals(chat))
                .map(r -> {
                    Matcher m = NUMBER.matcher(r.text());
                    return m.find() ? m.group(1) : "?";
                })
                .toList();
    }

    private double counted(String result) {
        var c = meters.find(Deliveries.METER)
                .tag("receiver", "phone")
                .tag("result", result)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void messagesArriveFormattedInOrderAtOneASecondPerChat() throws Exception {
        start(phone(1, "111", "222"));
        for (int i = 1; i <= 4; i++) {
            deliveries.submit(Notices.firing("phone", "n" + i, "warning"));
        }
        await(30_000, () -> telegram.delivered().size() == 8);
        assertThat(numbers(telegram.delivered(), "111")).containsExactly("n1", "n2", "n3", "n4");
        assertThat(numbers(telegram.delivered(), "222")).containsExactly("n1", "n2", "n3", "n4");
        String text = telegram.delivered().get(0).text();
        assertThat(text)
                .startsWith("WARNING BackupFailed on db #n1")
                .contains("target: db")
                .contains("pg_dump exited 1")
                .containsPattern("last verified backup: 3h(0m)? ago")
                .contains("run: ./lifeboat backup db");
        // one a second per chat: no burst (a broken limit sends these within milliseconds), and four
        // messages span three slots; slack for a shared machine, where one request may arrive late
        for (String chat : List.of("111", "222")) {
            List<Long> at = telegram.delivered().stream()
                    .filter(r -> r.chatId().equals(chat))
                    .map(TelegramBotApi.Request::arrivedNanos)
                    .toList();
            for (int i = 1; i < at.size(); i++) {
                assertThat(TimeUnit.NANOSECONDS.toMillis(at.get(i) - at.get(i - 1)))
                        .as("gap before message %d to chat %s", i, chat)
                        .isGreaterThanOrEqualTo(500);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(at.get(at.size() - 1) - at.get(0)))
                    .as("four messages to chat %s", chat)
                    .isGreaterThanOrEqualTo(2500);
        }
        await(10_000, () -> counted("sent") == 8 && deliveries.depth("phone") == 0);
    }

    @Test
    void retryAfterIsHonouredAndTheMessageGoesOnce() throws Exception {
        telegram.script(TelegramBotApi.Answer.tooManyRequests(2));
        start(phone(0, "111"));
        deliveries.submit(Notices.firing("phone", "n1", "warning"));
        await(20_000, () -> telegram.delivered().size() == 1);
        List<TelegramBotApi.Request> all = telegram.requests();
        assertThat(all).extracting(TelegramBotApi.Request::answered).containsExactly(429, 200);
        assertThat(TimeUnit.NANOSECONDS.toMillis(
                        all.get(1).arrivedNanos() - all.get(0).arrivedNanos()))
                .isGreaterThanOrEqualTo(1900);
        assertThat(counted("rate_limited")).isEqualTo(1);
        Thread.sleep(1500);
        assertThat(telegram.delivered()).hasSize(1);
    }

    @Test
    void aServerErrorIsRetriedAndTheMessageArrivesExactlyOnce() throws Exception {
        telegram.script(TelegramBotApi.Answer.serverError(), TelegramBotApi.Answer.serverError());
        start(phone(0, "111"));
        deliveries.submit(Notices.firing("phone", "n1", "warning"));
        await(20_000, () -> telegram.delivered().size() == 1);
        Thread.sleep(1500);
        assertThat(telegram.requests())
                .extracting(TelegramBotApi.Request::answered)
                .containsExactly(500, 500, 200);
        assertThat(counted("retried")).isEqualTo(2);
    }

    @Test
    void aSlowAnswerIsAwaitedNotSentAgain() throws Exception {
        telegram.script(TelegramBotApi.Answer.slowOk(2500)); // the timeout is 1 s
        start(phone(0, "111"));
        deliveries.submit(Notices.firing("phone", "n1", "warning"));
        deliveries.submit(Notices.firing("phone", "n2", "warning"));
        await(20_000, () -> telegram.delivered().size() == 2);
        Thread.sleep(1500);
        assertThat(numbers(telegram.requests(), "111")).containsExactly("n1", "n2");
    }

    @Test
    void nothingIsSentTwiceAcrossARestartMidBacklog() throws Exception {
        start(phone(2, "111"));
        for (int i = 1; i <= 6; i++) {
            deliveries.submit(Notices.firing("phone", "n" + i, "warning"));
        }
        await(20_000, () -> telegram.delivered().size() >= 2);
        deliveries.close(); // the daemon stops with notices still queued
        int before = telegram.delivered().size();
        assertThat(before).isLessThan(6);
        start(phone(2, "111")); // and starts again over the same queue and records
        await(20_000, () -> telegram.delivered().size() == 6);
        Thread.sleep(1500);
        assertThat(numbers(telegram.delivered(), "111")).containsExactly("n1", "n2", "n3", "n4", "n5", "n6");
    }

    @Test
    void aReceiverDownForAWhileGetsItsBacklogInOrder() throws Exception {
        int port = telegram.port();
        telegram.close();
        start(phone(20, "111"));
        for (int i = 1; i <= 20; i++) {
            deliveries.submit(Notices.firing("phone", "n" + i, "warning"));
        }
        Thread.sleep(3000);
        assertThat(deliveries.depth("phone")).isEqualTo(20);
        assertThat(counted("retried")).isGreaterThanOrEqualTo(1);
        telegram = new TelegramBotApi(TOKEN, port);
        await(30_000, () -> telegram.delivered().size() == 20);
        List<String> expected = java.util.stream.IntStream.rangeClosed(1, 20)
                .mapToObj(i -> "n" + i)
                .toList();
        assertThat(numbers(telegram.delivered(), "111")).containsExactlyElementsOf(expected);
    }

    @Test
    void aCriticalNoticeGoesBeforeABacklogOfWarnings() throws Exception {
        start(phone(4, "111"));
        for (int i = 1; i <= 20; i++) {
            deliveries.submit(Notices.firing("phone", "w" + i, "warning"));
        }
        deliveries.submit(Notices.firing("phone", "c1", "critical"));
        await(30_000, () -> telegram.delivered().size() == 21);
        List<String> order = numbers(telegram.delivered(), "111");
        assertThat(order.indexOf("c1")).isLessThan(5);
        assertThat(telegram.delivered().get(order.indexOf("c1")).text()).startsWith("CRITICAL");
    }

    @Test
    void aWrongTokenIsRejectedCountedAndTheTokenIsNotInTheReason() throws Exception {
        ReceiverConfig wrong = new ReceiverConfig(
                "phone",
                "telegram",
                telegram.baseUri(),
                "999:wrong-token-not-the-bots-00000",
                List.of("111"),
                null,
                false,
                null,
                Map.of(),
                0,
                Duration.ofSeconds(1));
        start(wrong);
        deliveries.submit(Notices.firing("phone", "n1", "warning"));
        await(20_000, () -> counted("rejected") == 1);
        assertThat(telegram.delivered()).isEmpty();
        assertThat(deliveries.depth("phone")).isZero();
    }

    @Test
    void aDamagedQueueEntryIsDroppedAndTheNextOneStillGoes() throws Exception {
        store.append("phone", NoticeStore.NORMAL, 1, "{not a notice");
        start(phone(0, "111"));
        deliveries.submit(Notices.firing("phone", "n1", "warning"));
        await(20_000, () -> telegram.delivered().size() == 1);
        assertThat(counted("invalid")).isEqualTo(1);
    }
}
