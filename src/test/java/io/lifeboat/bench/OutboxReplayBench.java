package io.lifeboat.bench;

import io.lifeboat.config.LifeboatConfig.RedisConfig.FullPolicy;
import io.lifeboat.outbox.MqttPublisher;
import io.lifeboat.outbox.Outbox;
import io.lifeboat.outbox.RedisBacklog;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load tool of bench/outbox-replay-bench.sh: buffers N messages in the Redis stream while the broker
 * is down (through the outbox itself), then waits for the broker, times the drain and samples the heap.
 *
 * <p>Arguments: brokerUrl redisUrl count payloadBytes spoolDir. Prints key=value lines.
 */
public final class OutboxReplayBench {

    public static void main(String[] args) throws Exception {
        String broker = args[0];
        String redisUrl = args[1];
        int count = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        Path spool = Path.of(args[4]);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peak = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (true) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        MqttPublisher publisher =
                new MqttPublisher(new MqttPublisher.Settings(broker, "bench-outbox", null, null, "bench", false));
        Outbox outbox = new Outbox(
                        new Outbox.Settings(
                                spool,
                                "lifeboat:outbox",
                                count + 1000L,
                                FullPolicy.SPILL,
                                1000,
                                10_000,
                                Duration.ofSeconds(10),
                                true,
                                false),
                        publisher,
                        new RedisBacklog(redisUrl, "lifeboat:outbox"))
                .start();
        StringBuilder pad = new StringBuilder();
        while (pad.length() < size - 40) {
            pad.append('x');
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String body = "{\"n\":" + i + ",\"pad\":\"" + pad + "\"}";
            outbox.publish("events", body.getBytes(StandardCharsets.UTF_8), false);
        }
        while (outbox.depth() < count) {
            Thread.sleep(100);
        }
        long buffered = System.nanoTime();
        System.gc();
        Thread.sleep(500);
        long heapBuffered = memory.getHeapMemoryUsage().getUsed();
        System.out.printf("buffer_seconds=%.1f%n", (buffered - t0) / 1e9);
        System.out.printf("buffer_rate=%.0f%n", count / ((buffered - t0) / 1e9));
        System.out.println("BUFFERED");
        System.out.flush();
        while (!outbox.connected()) {
            Thread.sleep(5);
        }
        peak.set(0);
        long start = System.nanoTime();
        long lastPrint = start;
        while (outbox.depth() > 0) {
            Thread.sleep(20);
            if (System.nanoTime() - lastPrint > 5_000_000_000L) {
                lastPrint = System.nanoTime();
                System.out.printf(
                        "progress depth=%d heap_mb=%.0f%n",
                        outbox.depth(), memory.getHeapMemoryUsage().getUsed() / 1e6);
            }
        }
        long end = System.nanoTime();
        double secs = (end - start) / 1e9;
        System.out.printf("drain_seconds=%.2f%n", secs);
        System.out.printf("drain_rate=%.0f%n", count / secs);
        System.out.printf("replayed=%d%n", outbox.replayed());
        System.out.printf("heap_after_buffering_mb=%.1f%n", heapBuffered / 1e6);
        System.out.printf("peak_heap_during_drain_mb=%.1f%n", peak.get() / 1e6);
        System.out.printf("max_heap_mb=%.0f%n", memory.getHeapMemoryUsage().getMax() / 1e6);
        outbox.close();
        System.exit(0);
    }
}
