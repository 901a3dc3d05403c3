package io.lifeboat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.lifeboat.Json;
import io.reactivex.schedulers.Schedulers;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Event-throughput load (issue 4, benchmark 1). Publishes health events to {@code
 * <prefix>/health/svc-<n>} at a fixed rate for a fixed time, each service alternating {@code
 * degraded}/{@code up} so every event is a change, and measures publish → arrival:
 *
 * <ul>
 *   <li>{@code --mode lifeboat}: arrival is the {@code {"type":"health.changed"}} event Lifeboat
 *       publishes on {@code <prefix>/events}, matched to its input by the sequence number in {@code
 *       detail} when the event carries it, else by service and status in order;
 *   <li>{@code --mode direct}: arrival is the same message reaching a plain subscriber on {@code
 *       <prefix>/health/+} (no Lifeboat): the broker's and the client library's own ceiling.
 * </ul>
 *
 * Before measuring, {@code --warmup} seconds (default 2) of the same load are sent and not measured,
 * in whole rounds ending with every service {@code up}, so the first measured {@code degraded} is a
 * change. Options: {@code --broker --prefix --mode --rate --seconds --services (1000) --qos (1)
 * --warmup --drain-ms (15000) --cpu-pids name=pid,…}; with {@code --cpu-pids} (and always for
 * itself, as {@code load}) the CPU each process used while sending is reported ({@code
 * cpu_<name>_cores}, {@code cpu_<name>_usPerEvent}). Prints one JSON line with the figures on stdout,
 * a summary on stderr.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) io.lifeboat.bench.EventLoad \
 *     --broker tcp://127.0.0.1:1883 --prefix bench --mode direct --rate 5000 --seconds 10
 * </pre>
 */
public final class EventLoad {

    private final String broker;
    private final String prefix;
    private final String mode;
    private final int rate;
    private final int seconds;
    private final int services;
    private final int qos;
    private final long drainMillis;
    private final int warmup;
    /** processes whose CPU time is read over the measured window: name -> pid ("load" is this one) */
    private final Map<String, Long> cpuPids = new LinkedHashMap<>();

    private final long[] sentAt;
    private final long[] latency;
    /** lifeboat mode: wall-clock micros at publish, and the two legs split at the event's receivedAt */
    private final long[] sentWallMicros;

    private final long[] inboundMicros;
    private final long[] outboundMicros;
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong unmatched = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final int[] nextRound;
    private volatile long lastArrival;
    private volatile long lastAny = System.nanoTime();
    private volatile boolean measuring;

    EventLoad(Map<String, String> a) {
        broker = a.getOrDefault("broker", "tcp://127.0.0.1:1883");
        prefix = a.getOrDefault("prefix", "lifeboat");
        mode = a.getOrDefault("mode", "direct");
        if (!mode.equals("direct") && !mode.equals("lifeboat")) {
            throw new IllegalArgumentException("--mode is direct or lifeboat, got " + mode);
        }
        rate = Integer.parseInt(a.getOrDefault("rate", "1000"));
        seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
        services = Integer.parseInt(a.getOrDefault("services", "1000"));
        qos = Integer.parseInt(a.getOrDefault("qos", "1"));
        drainMillis = Long.parseLong(a.getOrDefault("drain-ms", "15000"));
        warmup = Integer.parseInt(a.getOrDefault("warmup", "2"));
        cpuPids.put("load", ProcessHandle.current().pid());
        for (String named : a.getOrDefault("cpu-pids", "").split(",")) {
            int eq = named.indexOf('=');
            if (eq > 0) {
                cpuPids.put(named.substring(0, eq), Long.parseLong(named.substring(eq + 1)));
            }
        }
        int total = Math.multiplyExact(rate, seconds);
        sentAt = new long[total];
        latency = new long[total];
        Arrays.fill(latency, -1);
        sentWallMicros = new long[total];
        inboundMicros = new long[total];
        outboundMicros = new long[total];
        Arrays.fill(inboundMicros, Long.MIN_VALUE);
        Arrays.fill(outboundMicros, Long.MIN_VALUE);
        nextRound = new int[services];
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        Map<String, Object> result = new EventLoad(a).run();
        System.out.println(Json.text(result));
        System.exit(0); // the client's event-loop threads would keep the JVM up
    }

    String topic(int service) {
        return prefix + "/health/svc-" + service;
    }

    /** The status of publication {@code seq}: rounds alternate degraded, up, … (the warm-up set up). */
    String status(long seq) {
        return (seq / services) % 2 == 0 ? "degraded" : "up";
    }

    Map<String, Object> run() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        startMatcher();
        MqttQos level = MqttQos.fromCode(qos);
        Mqtt5AsyncClient subscriber = client("eventload-sub-" + id);
        subscriber
                .connectWith()
                .cleanStart(true)
                .restrictions()
                .receiveMaximum(65535)
                .applyRestrictions()
                .send()
                .get(10, TimeUnit.SECONDS);
        subscriber
                .subscribeWith()
                .topicFilter(mode.equals("direct") ? prefix + "/health/+" : prefix + "/events")
                .qos(level)
                // only stamp and hand over: parsing here would hold up the client's event loop and show up
                // as latency of the system measured; the matcher looks every millisecond (a wake-up per
                // message would cost more CPU than the message)
                .callback(p ->
                        inbox.add(new Arrival(System.nanoTime(), wallMicros(Instant.now()), p.getPayloadAsBytes())))
                .send()
                .get(10, TimeUnit.SECONDS);

        Mqtt5AsyncClient publisher = client("eventload-pub-" + id);
        publisher.connectWith().cleanStart(true).send().get(10, TimeUnit.SECONDS);

        // warm-up, not measured: whole rounds of degraded then up at the same rate (JIT, connections,
        // buffers), or at least one round of up, so every service is up and each measured event a change
        long rounds = Math.max(1, 2 * Math.round(Math.ceil((double) rate * warmup / (2.0 * services))));
        long warm = rounds * services;
        long warmStart = System.nanoTime();
        for (long i = 0; i < warm; i++) {
            while ((System.nanoTime() - warmStart) / 1e9 * rate < i) {
                LockSupport.parkNanos(1_000_000); // a millisecond's worth at a time, as measured below
            }
            String st = rounds == 1 ? "up" : status(i);
            publish(publisher, level, topic((int) (i % services)), payload(st, "warm-up"));
        }
        // wait until the warm-up's arrivals have stopped (at most 30 s)
        long quietBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Thread.sleep(500);
        while (System.nanoTime() < quietBy && System.nanoTime() - lastAny < TimeUnit.MILLISECONDS.toNanos(1000)) {
            Thread.sleep(100);
        }
        measuring = true;

        Map<String, Long> cpuBefore = cpuTicks();
        long start = System.nanoTime();
        int total = sentAt.length;
        int seq = 0;
        while (seq < total) {
            long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
            if (seq >= due) {
                // a millisecond's worth at a time: waking per message would cost this tool (which
                // shares the cores with what it measures) more than the messages do
                LockSupport.parkNanos(1_000_000);
                continue;
            }
            for (; seq < Math.min(due + 1, total); seq++) {
                sentAt[seq] = System.nanoTime();
                sentWallMicros[seq] = wallMicros(Instant.now());
                publish(publisher, level, topic(seq % services), payload(status(seq), "seq=" + seq));
            }
        }
        long sendEnd = System.nanoTime();
        Map<String, Long> cpuAfter = cpuTicks();
        long deadline = sendEnd + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        while (System.nanoTime() < deadline && matched.get() < total) {
            Thread.sleep(20);
        }
        // quiet for a moment after the last one: late duplicates and strays are counted too
        Thread.sleep(200);
        subscriber.disconnect().get(5, TimeUnit.SECONDS);
        publisher.disconnect().get(5, TimeUnit.SECONDS);

        long[] lat = Arrays.stream(latency).filter(l -> l >= 0).sorted().toArray();
        long end = lat.length == 0 ? sendEnd : Math.max(lastArrival, sendEnd);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", mode);
        r.put("targetRate", rate);
        r.put("seconds", seconds);
        r.put("services", services);
        r.put("qos", qos);
        r.put("sent", total);
        r.put("sendRate", round(total / ((sendEnd - start) / 1e9)));
        r.put("matched", lat.length);
        r.put("missing", total - lat.length);
        r.put("unmatched", unmatched.get());
        r.put("duplicates", duplicates.get());
        r.put("publishFailed", failed.get());
        r.put("processedPerSecond", round(lat.length / ((end - start) / 1e9)));
        r.put("p50Ms", ms(percentile(lat, 0.50)));
        r.put("p99Ms", ms(percentile(lat, 0.99)));
        r.put("maxMs", ms(lat.length == 0 ? -1 : lat[lat.length - 1]));
        if (mode.equals("lifeboat")) {
            // where the time goes: publish -> Lifeboat received it (broker + inbound client), and
            // Lifeboat received it -> the event arrived (route, outbox, broker, subscriber)
            long[] in = legs(inboundMicros);
            long[] out = legs(outboundMicros);
            r.put("inboundP50Ms", micros(percentile(in, 0.50)));
            r.put("inboundP99Ms", micros(percentile(in, 0.99)));
            r.put("outboundP50Ms", micros(percentile(out, 0.50)));
            r.put("outboundP99Ms", micros(percentile(out, 0.99)));
        }
        // CPU over the sending window (Linux /proc): share of one core, and microseconds per event
        for (Map.Entry<String, Long> b : cpuBefore.entrySet()) {
            Long after = cpuAfter.get(b.getKey());
            if (after != null) {
                double cpuSeconds = (after - b.getValue()) / (double) CLOCK_TICKS;
                r.put("cpu_" + b.getKey() + "_cores", Math.round(cpuSeconds / ((sendEnd - start) / 1e9) * 100) / 100.0);
                r.put("cpu_" + b.getKey() + "_usPerEvent", round(cpuSeconds * 1e6 / total));
            }
        }
        System.err.printf(
                "%s %d/s x %ds: sent %d (%.0f/s), matched %d, missing %d, processed %.0f/s, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                mode,
                rate,
                seconds,
                total,
                r.get("sendRate"),
                lat.length,
                total - lat.length,
                r.get("processedPerSecond"),
                r.get("p50Ms"),
                r.get("p99Ms"),
                r.get("maxMs"));
        return r;
    }

    private byte[] payload(String status, String detail) {
        return ("{\"status\":\"" + status + "\",\"detail\":\"" + detail + "\",\"ts\":\"" + Instant.now() + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A client on the broker's host and port ({@code tcp://host:port}). HiveMQ's client runs each
     * connection on one Netty event loop and writes what is queued in one go, so the load tool costs
     * little CPU per event on a machine it shares with the broker and Lifeboat.
     */
    private Mqtt5AsyncClient client(String id) {
        URI uri = URI.create(broker);
        return MqttClient.builder()
                .useMqttVersion5()
                .identifier(id)
                .serverHost(uri.getHost())
                .serverPort(uri.getPort() < 0 ? 1883 : uri.getPort())
                // callbacks and completions on the connection's own event loop (they only stamp and
                // count): handing each to a pool thread would cost a wake-up per message
                .executorConfig()
                .applicationScheduler(Schedulers.from(Runnable::run))
                .applyExecutorConfig()
                .buildAsync();
    }

    /**
     * Publishes without waiting for the acknowledgement: beyond the broker's receive maximum the client
     * queues, in order. A publication the broker refused or the client could not send is counted
     * ({@code publishFailed}); it also never arrives, so it shows as missing.
     */
    private void publish(Mqtt5AsyncClient client, MqttQos level, String topic, byte[] payload) {
        client.publishWith().topic(topic).qos(level).payload(payload).send().whenComplete((r, e) -> {
            if (e != null || (r != null && r.getError().isPresent())) {
                failed.incrementAndGet();
            }
        });
    }

    private record Arrival(long nanos, long wallMicros, byte[] payload) {}

    private final java.util.concurrent.ConcurrentLinkedQueue<Arrival> inbox =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private Thread startMatcher() {
        Thread t = new Thread(
                () -> {
                    while (true) {
                        Arrival a = inbox.poll();
                        if (a == null) {
                            LockSupport.parkNanos(1_000_000);
                            continue;
                        }
                        arrived(a.payload(), a.nanos(), a.wallMicros());
                    }
                },
                "eventload-matcher");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void arrived(byte[] payload, long now, long arrivedWall) {
        lastAny = now;
        if (!measuring) {
            return;
        }
        String text = new String(payload, StandardCharsets.UTF_8);
        long seq = -1;
        Long received = null;
        if (mode.equals("direct")) {
            seq = seqIn(text);
        } else {
            JsonNode e;
            try {
                e = Json.MAPPER.readTree(payload);
            } catch (Exception notJson) {
                return;
            }
            if (e == null || !"health.changed".equals(e.path("type").asText())) {
                return; // other events (backups, state) are not ours
            }
            seq = seqIn(e.path("detail").asText(""));
            try {
                received = wallMicros(Instant.parse(e.path("receivedAt").asText("")));
            } catch (java.time.format.DateTimeParseException noTime) {
                received = null;
            }
            if (seq < 0) {
                seq = byServiceAndStatus(
                        e.path("service").asText(""), e.path("status").asText(""));
            }
        }
        if (seq < 0 || seq >= sentAt.length || sentAt[(int) seq] == 0) {
            unmatched.incrementAndGet();
            return;
        }
        if (latency[(int) seq] >= 0) {
            duplicates.incrementAndGet();
            return;
        }
        latency[(int) seq] = now - sentAt[(int) seq];
        if (received != null) {
            inboundMicros[(int) seq] = received - sentWallMicros[(int) seq];
            outboundMicros[(int) seq] = arrivedWall - received;
        }
        matched.incrementAndGet();
        lastArrival = now;
    }

    private static long seqIn(String text) {
        int i = text.indexOf("seq=");
        if (i < 0) {
            return -1;
        }
        long v = 0;
        int j = i + 4;
        for (; j < text.length() && Character.isDigit(text.charAt(j)); j++) {
            v = v * 10 + (text.charAt(j) - '0');
        }
        return j == i + 4 ? -1 : v;
    }

    /** Without a sequence in the event: the oldest sent, unmatched publication of this service with this status. */
    private long byServiceAndStatus(String service, String status) {
        if (!service.startsWith("svc-")) {
            return -1;
        }
        int s;
        try {
            s = Integer.parseInt(service.substring(4));
        } catch (NumberFormatException e) {
            return -1;
        }
        if (s < 0 || s >= services) {
            return -1;
        }
        for (int round = nextRound[s]; ; round++) {
            long seq = (long) round * services + s;
            if (seq >= sentAt.length || sentAt[(int) seq] == 0) {
                return -1;
            }
            if (status(seq).equals(status) && latency[(int) seq] < 0) {
                nextRound[s] = round + 1;
                return seq;
            }
        }
    }

    /** USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on every Linux build in use). */
    private static final long CLOCK_TICKS = 100;

    /** utime + stime of each watched process that is still there (Linux; empty elsewhere). */
    private Map<String, Long> cpuTicks() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        for (Map.Entry<String, Long> p : cpuPids.entrySet()) {
            try {
                String stat = java.nio.file.Files.readString(
                        java.nio.file.Path.of("/proc", p.getValue().toString(), "stat"));
                // fields after the command name (which may hold spaces) end with ')'
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.put(p.getKey(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
            } catch (java.io.IOException | RuntimeException gone) {
                // not Linux, or the process ended: no figure for it
            }
        }
        return ticks;
    }

    private static long wallMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    private long[] legs(long[] micros) {
        return Arrays.stream(micros).filter(v -> v != Long.MIN_VALUE).sorted().toArray();
    }

    private static double micros(long v) {
        return v == Long.MIN_VALUE ? -1 : Math.round(v / 10.0) / 100.0;
    }

    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(i, sorted.length - 1))];
    }

    private static double ms(long nanos) {
        return nanos < 0 ? -1 : Math.round(nanos / 1e4) / 100.0;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
