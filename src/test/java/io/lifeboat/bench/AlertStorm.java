package io.lifeboat.bench;

import io.lifeboat.Json;
import io.lifeboat.alerting.AlertRouting;
import io.lifeboat.alerting.AlertingSetup;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.LifeboatConfig.AlertingConfig;
import io.lifeboat.config.LifeboatConfig.ReceiverConfig;
import io.lifeboat.config.LifeboatConfig.RouteConfig;
import io.lifeboat.domain.Alert;
import io.lifeboat.testsupport.TelegramBotApi;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * The alert-storm benchmark (issue 5): {@code --alerts} alerts (10,000) over {@code --seconds} (60)
 * across 50 fingerprints, into the real routing and delivery (grouping, Telegram through camel-telegram,
 * the notice queue in Redis when {@code --redis} is given, else the catalog) towards a Telegram Bot API
 * server on loopback. 40 warnings (8 alertnames x 5 targets) go to the chat of receiver {@code phone},
 * grouped by alertname; 10 criticals (2 alertnames x 5 targets) go to receiver {@code pager}, one group
 * each, sent at once. Each critical starts at a random moment and three of them resolve and fire again.
 * Reports notices sent per receiver, Telegram requests per chat, the latency from a critical alert's
 * change to its Telegram request (p50/p99/max), and the heap. One JSON line on stdout.
 */
public final class AlertStorm {

    private static final String TOKEN = "123456:bench-token-not-a-real-one-0000";
    private static final Pattern CHANGE = Pattern.compile("(crit-\\d+-t\\d+) change (\\d+)");

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int total = Integer.parseInt(a.getOrDefault("alerts", "10000"));
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "60"));
        String redis = a.get("redis");
        System.out.println(Json.text(new AlertStorm().run(total, seconds, redis)));
        System.exit(0);
    }

    Map<String, Object> run(int total, int seconds, String redis) throws Exception {
        Path dir = Files.createTempDirectory("alert-storm");
        try (TelegramBotApi telegram = new TelegramBotApi(TOKEN);
                Catalog catalog = Catalog.open(new LifeboatConfig.CatalogConfig(null, null, null), dir);
                DefaultCamelContext camel = new DefaultCamelContext()) {
            camel.start();
            Map<String, ReceiverConfig> receivers = new LinkedHashMap<>();
            receivers.put(
                    "phone",
                    new ReceiverConfig(
                            "phone",
                            "telegram",
                            telegram.baseUri(),
                            TOKEN,
                            List.of("100"),
                            null,
                            false,
                            null,
                            Map.of(),
                            1,
                            Duration.ofSeconds(10)));
            receivers.put(
                    "pager",
                    new ReceiverConfig(
                            "pager",
                            "telegram",
                            telegram.baseUri(),
                            TOKEN,
                            List.of("200"),
                            null,
                            false,
                            null,
                            Map.of(),
                            1,
                            Duration.ofSeconds(10)));
            RouteConfig critical = new RouteConfig(
                    "pager",
                    Map.of("severity", "critical"),
                    Map.of(),
                    false,
                    List.of("alertname", "target"),
                    Duration.ZERO,
                    Duration.ZERO,
                    Duration.ofHours(1),
                    List.of());
            RouteConfig root = new RouteConfig(
                    "phone",
                    Map.of(),
                    Map.of(),
                    false,
                    List.of("alertname"),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(30),
                    Duration.ofHours(1),
                    List.of(critical));
            AlertingConfig alerting = new AlertingConfig(receivers, root, List.of(), List.of(), null, null);
            LifeboatConfig config = new LifeboatConfig(
                    dir,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    Map.of(),
                    null,
                    null,
                    redis == null
                            ? null
                            : new LifeboatConfig.RedisConfig(
                                    redis,
                                    "alert-storm-" + System.nanoTime(),
                                    100_000,
                                    LifeboatConfig.RedisConfig.FullPolicy.SPILL),
                    null,
                    null,
                    null,
                    null,
                    null,
                    alerting,
                    null);
            AlertingSetup.Parts parts = AlertingSetup.open(
                    config,
                    catalog,
                    io.lifeboat.events.EventSink.NONE,
                    new SimpleMeterRegistry(),
                    Clock.systemUTC(),
                    camel.createProducerTemplate());
            AlertRouting routing = parts.routing();
            parts.deliveries().start();
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            ticker.scheduleAtFixedRate(routing::tick, 1, 1, TimeUnit.SECONDS);
            long[] heapPeak = {0};
            ScheduledExecutorService heap = Executors.newSingleThreadScheduledExecutor();
            heap.scheduleAtFixedRate(
                    () -> heapPeak[0] = Math.max(
                            heapPeak[0],
                            ManagementFactory.getMemoryMXBean()
                                    .getHeapMemoryUsage()
                                    .getUsed()),
                    0,
                    50,
                    TimeUnit.MILLISECONDS);

            Random random = new Random(42);
            // critical fingerprints: when they start, and for three of them a resolve and a new firing
            Map<String, long[]> criticalPlan = new LinkedHashMap<>();
            for (int n = 0; n < 2; n++) {
                for (int t = 0; t < 5; t++) {
                    long start = (long) (random.nextDouble() * seconds * 0.8 * 1000);
                    long resolve = criticalPlan.size() < 3 ? start + 5000 + random.nextInt(5000) : Long.MAX_VALUE;
                    criticalPlan.put(
                            "crit-" + n + "-t" + t,
                            new long[] {start, resolve, resolve == Long.MAX_VALUE ? Long.MAX_VALUE : resolve + 5000});
                }
            }
            Map<String, Integer> changeOf = new HashMap<>();
            Map<String, String> statusOf = new HashMap<>();
            Map<String, Long> changedAt = new ConcurrentHashMap<>();
            AtomicLong accepted = new AtomicLong();
            long acceptNanos = 0;
            long begin = System.nanoTime();
            for (int i = 0; i < total; i++) {
                long due = begin + (long) ((double) i * seconds * 1e9 / total);
                while (System.nanoTime() < due) {
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
                long elapsedMs = (System.nanoTime() - begin) / 1_000_000;
                Alert alert;
                int pick = random.nextInt(50);
                if (pick < 40) {
                    String name = "Warn" + (pick % 8);
                    String target = "t" + (pick / 8);
                    alert = new Alert(
                            name + ":" + target,
                            "warning",
                            "firing",
                            name + " on " + target,
                            "storm",
                            Map.of("alertname", name, "target", target),
                            Instant.now(),
                            null);
                } else {
                    String fp = "crit-" + ((pick - 40) / 5) + "-t" + ((pick - 40) % 5);
                    long[] plan = criticalPlan.get(fp);
                    if (elapsedMs < plan[0]) {
                        i--; // not started yet: another alert instead
                        continue;
                    }
                    String status = elapsedMs >= plan[1] && elapsedMs < plan[2] ? "resolved" : "firing";
                    if (!status.equals(statusOf.get(fp))) {
                        statusOf.put(fp, status);
                        int c = changeOf.merge(fp, 1, Integer::sum);
                        changedAt.put(fp + " change " + c, System.nanoTime());
                    }
                    alert = new Alert(
                            fp,
                            "critical",
                            status,
                            fp + " change " + changeOf.get(fp),
                            "storm",
                            Map.of("alertname", "Crit" + ((pick - 40) / 5), "target", "t" + ((pick - 40) % 5)),
                            Instant.now(),
                            status.equals("resolved") ? Instant.now() : null);
                }
                long t0 = System.nanoTime();
                routing.accept(alert);
                acceptNanos += System.nanoTime() - t0;
                accepted.incrementAndGet();
            }
            long sendEnd = System.nanoTime();
            // let the last critical changes and the group intervals play out
            long quietBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (System.nanoTime() < quietBy) {
                Thread.sleep(200);
            }
            ticker.shutdownNow();
            heap.shutdownNow();
            parts.deliveries().close();

            List<Double> latencies = new ArrayList<>();
            Map<String, Boolean> seen = new HashMap<>();
            for (TelegramBotApi.Request r : telegram.delivered()) {
                if (!r.chatId().equals("200")) {
                    continue;
                }
                Matcher m = CHANGE.matcher(r.text());
                while (m.find()) {
                    String key = m.group(1) + " change " + m.group(2);
                    Long at = changedAt.get(key);
                    if (at != null && seen.putIfAbsent(key, true) == null) {
                        latencies.add((r.arrivedNanos() - at) / 1e6);
                    }
                }
            }
            double[] lat =
                    latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("alerts", accepted.get());
            out.put("seconds", Math.round((sendEnd - begin) / 1e8) / 10.0);
            out.put("alertsPerSecond", Math.round(accepted.get() / ((sendEnd - begin) / 1e9)));
            out.put("fingerprints", 50);
            out.put("queue", redis == null ? "catalog (H2)" : "redis");
            out.put("routingMicrosPerAlert", Math.round(acceptNanos / 1e3 / Math.max(1, accepted.get()) * 10) / 10.0);
            out.put(
                    "telegramRequestsWarningChat",
                    telegram.delivered().stream()
                            .filter(r -> r.chatId().equals("100"))
                            .count());
            out.put(
                    "telegramRequestsCriticalChat",
                    telegram.delivered().stream()
                            .filter(r -> r.chatId().equals("200"))
                            .count());
            out.put("criticalChanges", changedAt.size());
            out.put("criticalChangesNotified", lat.length);
            out.put("criticalP50Ms", percentile(lat, 0.5));
            out.put("criticalP99Ms", percentile(lat, 0.99));
            out.put("criticalMaxMs", lat.length == 0 ? -1 : Math.round(lat[lat.length - 1] * 10) / 10.0);
            out.put("heapPeakMb", Math.round(heapPeak[0] / 1e5) / 10.0);
            out.put(
                    "heapMaxMb",
                    Math.round(ManagementFactory.getMemoryMXBean()
                                            .getHeapMemoryUsage()
                                            .getMax()
                                    / 1e5)
                            / 10.0);
            System.err.println("critical latencies ms: " + Arrays.toString(lat));
            return out;
        }
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return Math.round(sorted[Math.max(0, Math.min(i, sorted.length - 1))] * 10) / 10.0;
    }
}
