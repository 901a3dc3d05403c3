package io.lifeboat.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.config.LifeboatConfig.RedisConfig.FullPolicy;
import io.lifeboat.outbox.MqttPublisher;
import io.lifeboat.outbox.Outbox;
import io.lifeboat.outbox.PersistentSubscriber;
import io.lifeboat.outbox.RedisBacklog;
import io.lifeboat.outbox.Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/**
 * The outbox against a real Mosquitto and a real Redis that we stop and start: every message arrives,
 * exactly once after de-duplication by {@code lifeboat-msg-id}, in the order it was published.
 */
class OutboxPartitionIT {

    private static final int MESSAGES = 500;

    @TempDir
    Path work;

    Servers.Mosquitto mosquitto;
    Servers.Redis redis;
    String prefix;

    @BeforeEach
    void servers() throws Exception {
        mosquitto = new Servers.Mosquitto(work.resolve("mosquitto"));
        mosquitto.start();
        redis = new Servers.Redis(work.resolve("redis"));
        redis.start();
        prefix = "outbox-it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void stop() throws Exception {
        Path log = work.resolve("mosquitto/Mosquitto.log");
        if (Files.exists(log)) {
            System.err.println("--- mosquitto log\n" + Files.readString(log));
        }
        mosquitto.close();
        redis.close();
    }

    private Outbox outbox(boolean withRedis, long maxLength, FullPolicy whenFull, int memoryQueue) throws Exception {
        MqttPublisher publisher = new MqttPublisher(
                new MqttPublisher.Settings(mosquitto.url(), "outbox-" + UUID.randomUUID(), null, null, prefix, false));
        return new Outbox(
                        new Outbox.Settings(
                                work.resolve("data/outbox"),
                                "lifeboat:outbox",
                                maxLength,
                                whenFull,
                                1000,
                                memoryQueue,
                                Duration.ofSeconds(10),
                                true,
                                false),
                        publisher,
                        withRedis ? new RedisBacklog(redis.url(), "lifeboat:outbox") : null)
                .start();
    }

    private static void publish(Outbox outbox, int from, int to) {
        for (int i = from; i < to; i++) {
            outbox.publish("events", Integer.toString(i).getBytes(UTF_8), false);
        }
    }

    @Test
    void aBrokerOutageIsBufferedInRedisAndReplayedInOrder() throws Exception {
        try (PersistentSubscriber sub = new PersistentSubscriber(mosquitto.url(), prefix + "/#");
                JedisPooled jedis = new JedisPooled(redis.url());
                Outbox outbox = outbox(true, 1_000_000, FullPolicy.SPILL, 10_000)) {
            await("connected", outbox::connected);
            publish(outbox, 0, 170);
            // what the broker acknowledged is its to keep: Mosquitto 2.0.11 lost messages it had acknowledged
            // and was still delivering to the persistent session when stopped (SIGTERM) and restarted at once,
            // so the outage starts once they were delivered
            await("delivered before the outage", () -> numbers(sub).size() >= 170);
            mosquitto.stop();
            await("the outbox notices the broker is gone", () -> !outbox.connected());
            publish(outbox, 170, 350);
            await("the outage's messages are in the stream", () -> jedis.xlen("lifeboat:outbox") >= 180);
            assertThat(outbox.depth()).isGreaterThanOrEqualTo(180);
            mosquitto.start();
            publish(outbox, 350, MESSAGES); // while the backlog drains: behind it, never ahead
            awaitAll(sub, MESSAGES, outbox);
            await("depth back to 0", () -> outbox.depth() == 0);
            await("stream emptied", () -> jedis.xlen("lifeboat:outbox") == 0);
            assertThat(outbox.replayed()).isGreaterThanOrEqualTo(180);
        }
    }

    @Test
    void withRedisDownTooTheSpoolCarriesTheOutage() throws Exception {
        Path spool = work.resolve("data/outbox");
        try (PersistentSubscriber sub = new PersistentSubscriber(mosquitto.url(), prefix + "/#");
                Outbox outbox = outbox(true, 1_000_000, FullPolicy.SPILL, 10_000)) {
            await("connected", outbox::connected);
            publish(outbox, 0, 170);
            // what the broker acknowledged is its to keep: Mosquitto 2.0.11 lost messages it had acknowledged
            // and was still delivering to the persistent session when stopped (SIGTERM) and restarted at once,
            // so the outage starts once they were delivered
            await("delivered before the outage", () -> numbers(sub).size() >= 170);
            mosquitto.stop();
            redis.stop();
            await("the outbox notices the broker is gone", () -> !outbox.connected());
            publish(outbox, 170, 350);
            await("the outage's messages are spooled", () -> spoolFiles(spool) > 0 && outbox.depth() >= 180);
            mosquitto.start();
            publish(outbox, 350, 420);
            redis.start(); // an empty Redis: the spool alone holds the outage
            publish(outbox, 420, MESSAGES);
            awaitAll(sub, MESSAGES, outbox);
            await("depth back to 0", () -> outbox.depth() == 0);
            await("spool files deleted after their acks", () -> spoolFiles(spool) == 0);
            assertThat(outbox.replayed()).isGreaterThanOrEqualTo(180);
        }
    }

    @Test
    void aStreamAtEightyPercentAlertsAndWhenFullSpillsInOrder() throws Exception {
        try (PersistentSubscriber sub = new PersistentSubscriber(mosquitto.url(), prefix + "/#");
                JedisPooled jedis = new JedisPooled(redis.url());
                Outbox outbox = outbox(true, 100, FullPolicy.SPILL, 10_000)) {
            await("connected", outbox::connected);
            mosquitto.stop();
            await("the outbox notices the broker is gone", () -> !outbox.connected());
            publish(outbox, 0, 150);
            await(
                    "stream full at its bound, the rest spilled",
                    () -> jedis.xlen("lifeboat:outbox") == 100 && spoolFiles(work.resolve("data/outbox")) > 0);
            await("all accounted for in the depth", () -> outbox.depth() >= 151);
            assertThat(jedis.xlen("lifeboat:outbox"))
                    .as("never beyond redis.maxLength")
                    .isEqualTo(100);
            mosquitto.start();
            awaitAll(sub, 150, outbox);
            await("resolved notice", () -> alerts(sub).stream().anyMatch(a -> a.contains("\"resolved\"")));
            List<String> alerts = alerts(sub);
            assertThat(alerts.get(0))
                    .contains("OutboxNearlyFull")
                    .contains("\"firing\"")
                    .contains("warning");
            assertThat(alerts).anyMatch(a -> a.contains("OutboxNearlyFull") && a.contains("\"resolved\""));
            await("depth back to 0", () -> outbox.depth() == 0);
        }
    }

    @Test
    void aFullStreamWithBlockMakesThePublisherWaitAndLosesNothing() throws Exception {
        try (PersistentSubscriber sub = new PersistentSubscriber(mosquitto.url(), prefix + "/#");
                JedisPooled jedis = new JedisPooled(redis.url());
                Outbox outbox = outbox(true, 100, FullPolicy.BLOCK, 20)) {
            await("connected", outbox::connected);
            mosquitto.stop();
            await("the outbox notices the broker is gone", () -> !outbox.connected());
            AtomicInteger published = new AtomicInteger();
            Thread producer = new Thread(() -> {
                for (int i = 0; i < 200; i++) {
                    outbox.publish("events", Integer.toString(i).getBytes(UTF_8), false);
                    published.incrementAndGet();
                }
            });
            producer.start();
            await("stream full", () -> jedis.xlen("lifeboat:outbox") == 100);
            await("the publisher waits for room", () -> producer.getState() == Thread.State.WAITING);
            assertThat(published.get()).isLessThan(200);
            assertThat(spoolFiles(work.resolve("data/outbox")))
                    .as("block does not spill")
                    .isZero();
            mosquitto.start();
            producer.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(published.get()).isEqualTo(200);
            awaitAll(sub, 200, outbox);
            await("depth back to 0", () -> outbox.depth() == 0);
        }
    }

    /** Every number 0..n-1 arrived, once after de-duplication, in order. */
    private static void awaitAll(PersistentSubscriber sub, int n, Outbox outbox) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end && numbers(sub).size() < n) {
            Thread.sleep(50);
        }
        List<Integer> got = numbers(sub);
        int wrong = 0;
        while (wrong < got.size() && got.get(wrong) == wrong) {
            wrong++;
        }
        String around = got.subList(Math.max(0, wrong - 3), Math.min(got.size(), wrong + 12))
                .toString();
        assertThat(got)
                .as(
                        "arrived (%d, %d with duplicates); missing %s; outbox depth %d",
                        got.size(),
                        sub.all().size(),
                        range(n).stream()
                                .filter(i -> !got.contains(i))
                                .limit(20)
                                .toList(),
                        outbox.depth(),
                        sub.all().stream().limit(3).toList())
                .containsExactlyElementsOf(range(n));
    }

    private static List<Integer> numbers(PersistentSubscriber sub) {
        return sub.deduplicated().stream()
                .filter(r -> r.topic().endsWith("/events"))
                .map(r -> Integer.parseInt(r.payload()))
                .toList();
    }

    private static List<String> alerts(PersistentSubscriber sub) {
        return sub.deduplicated().stream()
                .filter(r -> r.topic().endsWith("/alerts"))
                .map(PersistentSubscriber.Received::payload)
                .toList();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static long spoolFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(
                            p -> p.toString().endsWith(".spool") || p.toString().endsWith(".open"))
                    .count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }
}
