package io.lifeboat.outbox;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig.RedisConfig.FullPolicy;
import io.lifeboat.domain.Alert;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Everything Lifeboat publishes goes through here, in one ordered pipeline run by one thread:
 *
 * <ol>
 *   <li>connected and nothing waiting: published at QoS 1, many in flight at once (up to the window and
 *       the broker's receive maximum);
 *   <li>broker unreachable, a publish failed, or older messages still waiting: appended to the backlog,
 *       the Redis stream ({@code redis.stream}), or the local spool ({@code dataDir/outbox}) when Redis is
 *       down, not configured, or full with {@code whenFull: spill}; with {@code whenFull: block} a full
 *       stream holds new messages in memory until there is room, and {@link #publish} blocks when that
 *       queue is full too;
 *   <li>connected again: the backlog is replayed in order (spool and stream merged by the sequence number
 *       given when the message entered), each entry removed only after its PUBACK.
 * </ol>
 *
 * Every message keeps the {@code lifeboat-msg-id} it got on entry, so a replay is at-least-once and
 * consumers drop duplicates. A one-shot command's outbox ({@code drains = false}) only appends: it
 * publishes live while there is no backlog, otherwise it adds to the backlog the daemon drains.
 */
public final class Outbox implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final int BATCH = 1000;
    private static final long REDIS_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long REDIS_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long SPOOL_SCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    public static final String ALERT = "OutboxNearlyFull";
    /** The pump counts as busy this long after it last moved a message: it naps instead of sleeping. */
    private static final long BUSY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * @param spoolDir the spool folder ({@code dataDir/outbox})
     * @param stream the Redis stream, ignored without a Redis
     * @param maxLength the stream's bound ({@code redis.maxLength})
     * @param window most messages unacknowledged at once (also capped by the broker's receive maximum)
     * @param memoryQueue messages accepted but not yet handled; {@link #publish} blocks beyond it
     * @param flushTimeout how long {@link #close} waits for what is queued to be published or buffered
     * @param drains true for the daemon (replays the backlog), false for one-shot commands (only append)
     * @param announce true for the daemon: {@code online} (retained) on {@code status} after every connect
     */
    public record Settings(
            Path spoolDir,
            String stream,
            long maxLength,
            FullPolicy whenFull,
            int window,
            int memoryQueue,
            Duration flushTimeout,
            boolean drains,
            boolean announce) {
        public Settings {
            requireNonNull(spoolDir, "spoolDir");
            requireNonNull(whenFull, "whenFull");
            requireNonNull(flushTimeout, "flushTimeout");
            if (window < 1 || memoryQueue < 1 || maxLength < 1) {
                throw new IllegalArgumentException("window, memoryQueue and maxLength must be positive");
            }
        }
    }

    private enum Source {
        LIVE,
        REDIS,
        SPOOL
    }

    private static final int PENDING = 0;
    private static final int ACKED = 1;
    private static final int FAILED = 2;
    private static final int REFUSED = 3;

    /** A message handed to the client, waiting for its PUBACK. */
    private static final class InFlight {
        final OutboxMessage message;
        final Source source;
        final String redisId;
        final SpoolReplay file;
        final long generation;
        volatile int state = PENDING;
        volatile String refusal;

        InFlight(OutboxMessage message, Source source, String redisId, SpoolReplay file, long generation) {
            this.message = message;
            this.source = source;
            this.redisId = redisId;
            this.file = file;
            this.generation = generation;
        }
    }

    /** Replay progress through one spool file: records read and records acknowledged (a prefix). */
    private static final class SpoolReplay {
        final Path path;
        SpoolFile.Reader reader;
        long read;
        long acked;
        boolean eof;
        String problem;

        SpoolReplay(Path path) {
            this.path = path;
        }
    }

    private final Settings settings;
    private final MqttPublisher mqtt;
    private final RedisBacklog redis;
    private final Spool spool;
    private final Sequencer sequencer = new Sequencer();
    private final LinkedBlockingDeque<OutboxMessage> pending = new LinkedBlockingDeque<>();
    private final Semaphore room;
    private volatile java.util.function.Consumer<io.lifeboat.domain.Alert> alertListener = a -> {};
    private final Events events = new Events(this, a -> alertListener.accept(a));
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong spoolDepth = new AtomicLong();
    private final Thread pump;

    private volatile boolean lost;
    private volatile boolean stopping;
    private volatile boolean stopped;
    private volatile long generation;
    private volatile long redisLength;
    private volatile long liveInFlight;
    private volatile int inFlightCount;
    /** True while the pump sleeps until woken (not while it naps under load): see {@link #idle}. */
    private volatile boolean asleep;

    // pump thread only
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final List<String> toDelete = new ArrayList<>();
    private boolean redisUp = true;
    private long redisRetryAt;
    private String redisCursor;
    private final ArrayDeque<RedisBacklog.Entry> redisAhead = new ArrayDeque<>();
    private boolean redisMaybeMore = true;
    private long redisPollAt;
    private final ArrayDeque<SpoolReplay> spoolFiles = new ArrayDeque<>();
    private final Set<Path> known = new HashSet<>();
    private OutboxMessage spoolHead;
    private long spoolScanAt;
    private boolean alerting;
    private boolean appended;
    private long lastProgress = System.nanoTime() - BUSY_NANOS;

    /**
     * @param redis the stream, or null for the spool only (no {@code redis} section)
     */
    public Outbox(Settings settings, MqttPublisher mqtt, RedisBacklog redis) {
        this.settings = requireNonNull(settings, "settings");
        this.mqtt = requireNonNull(mqtt, "mqtt");
        this.redis = redis;
        this.spool = new Spool(settings.spoolDir());
        this.room = new Semaphore(settings.memoryQueue());
        this.pump = new Thread(this::run, "lifeboat-outbox");
        this.pump.setDaemon(true);
    }

    /** Connects and starts the pipeline. */
    public Outbox start() {
        if (settings.drains()) {
            countForeignSpool();
        }
        refreshRedisLength();
        mqtt.start(new MqttPublisher.Listener() {
            @Override
            public void connected(boolean reconnect) {
                if (settings.announce()) {
                    enqueue(OutboxMessage.create("status", bytes("online"), true, sequencer));
                }
                LockSupport.unpark(pump);
            }

            @Override
            public void lost(String why) {
                lost = true;
                LockSupport.unpark(pump);
            }
        });
        pump.start();
        return this;
    }

    /** Registers {@code lifeboat_outbox_depth} and {@code lifeboat_outbox_replayed_total}. */
    /** Where the outbox's own alert (OutboxNearlyFull) goes besides MQTT: the daemon's alert routing. */
    public Outbox alertsTo(java.util.function.Consumer<io.lifeboat.domain.Alert> listener) {
        this.alertListener = java.util.Objects.requireNonNull(listener, "listener");
        return this;
    }

    public Outbox bindTo(MeterRegistry registry) {
        Gauge.builder("lifeboat.outbox.depth", this, Outbox::depth)
                .description(
                        "Messages waiting to be published: in memory, unacknowledged, in the Redis stream and in the spool")
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("lifeboat.outbox.replayed", replayed, AtomicLong::get)
                .description(
                        "Messages replayed from the backlog (Redis stream or spool) and acknowledged by the broker")
                .register(registry);
        return this;
    }

    /** Messages not yet acknowledged by the broker, wherever they wait. */
    public long depth() {
        return pending.size() + liveInFlight + redisLength + spoolDepth.get();
    }

    /** True while the broker connection is up. */
    public boolean connected() {
        return mqtt.connected();
    }

    public long replayed() {
        return replayed.get();
    }

    /** Takes a message in order; blocks only while the in-memory queue is full (stream full, block). */
    @Override
    public void publish(String topic, byte[] payload, boolean retained) {
        OutboxMessage m = OutboxMessage.create(topic, payload, retained, sequencer);
        if (Thread.currentThread() == pump) {
            enqueue(m); // the outbox's own alert: the pump must never wait for itself
            return;
        }
        if (stopped) {
            try {
                spool.append(List.of(m)); // after close: straight to disk, never lost
                spoolDepth.incrementAndGet();
                LOG.warn("outbox closed: {} spooled to {}", m, spool.dir());
            } catch (IOException e) {
                LOG.error("outbox closed and the spool cannot be written; message LOST: {} ({})", m, e.toString());
            }
            return;
        }
        try {
            room.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for room in the outbox", e);
        }
        pending.add(m);
        if (asleep) {
            LockSupport.unpark(pump); // napping under load, the pump finds it within a millisecond
        }
    }

    /** For the outbox's own messages (status, its alert): never waits for room. */
    private void enqueue(OutboxMessage m) {
        room.tryAcquire(); // may go negative in effect: the count only limits callers of publish()
        pending.add(m);
    }

    // ---------------------------------------------------------------- the pump

    private void run() {
        long firstWait = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
        while (!mqtt.attempted() && System.nanoTime() < firstWait) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(
                    20)); // decide live or backlog knowing the broker, also when a short command is closing already
        }
        long deadline = Long.MAX_VALUE;
        while (true) {
            try {
                if (stopping && deadline == Long.MAX_VALUE) {
                    deadline = System.nanoTime() + settings.flushTimeout().toNanos();
                }
                boolean progress = reap();
                if (lost) {
                    abort();
                    progress = true;
                }
                if (!stopping && settings.drains() && mqtt.connected()) {
                    progress |= replay();
                }
                progress |= accept();
                if (toDelete.size() >= BATCH || (inFlight.isEmpty() && !toDelete.isEmpty())) {
                    flushDeletes();
                }
                inFlightCount = inFlight.size();
                if (stopping && ((pending.isEmpty() && inFlight.isEmpty()) || System.nanoTime() > deadline)) {
                    break;
                }
                if (progress) {
                    lastProgress = System.nanoTime();
                } else {
                    idle();
                }
            } catch (RuntimeException e) {
                LOG.error("outbox pump: {}", e.toString(), e);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        }
        shutdownBuffers();
    }

    /**
     * Waits for work. Under load (progress within the last {@link #BUSY_NANOS}) the pump naps for a
     * millisecond and takes what came meanwhile in one round, without being woken per message: a wake-up
     * costs more CPU than publishing the message, and the batch also lets the client's sender and
     * receiver threads sleep less often; so does a closing outbox. Otherwise it sleeps until {@link
     * #publish} wakes it (or 50 ms, 5 ms while acknowledgements are due). Publishers read {@link
     * #asleep} after adding to {@code pending}, the pump reads {@code pending} after setting it: one of
     * them sees the other.
     */
    private void idle() {
        if (stopping || System.nanoTime() - lastProgress < BUSY_NANOS) {
            LockSupport.parkNanos(NAP_NANOS); // closing: the flush waits for this loop, look again soon
            return;
        }
        asleep = true;
        try {
            if (pending.isEmpty()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(inFlight.isEmpty() ? 50 : 5));
            }
        } finally {
            asleep = false;
        }
    }

    /** Pops acknowledged messages from the head, in order, and removes them from their store. */
    private boolean reap() {
        boolean any = false;
        while (!inFlight.isEmpty()) {
            InFlight head = inFlight.peekFirst();
            int state = head.state;
            if (state == PENDING) {
                break;
            }
            if (state == FAILED) {
                lost = true;
                break;
            }
            inFlight.pollFirst();
            if (state == REFUSED) {
                LOG.error(
                        "outbox: the broker refused {} on {} ({}); removed so it does not block the rest",
                        head.message,
                        head.message.topic(),
                        head.refusal);
            }
            done(head);
            any = true;
        }
        return any;
    }

    private void done(InFlight e) {
        switch (e.source) {
            case LIVE -> liveInFlight--;
            case REDIS -> {
                toDelete.add(e.redisId);
                replayed.incrementAndGet();
            }
            case SPOOL -> {
                e.file.acked++;
                spoolDepth.decrementAndGet();
                replayed.incrementAndGet();
                finishIfDone(e.file);
            }
        }
    }

    /** The connection broke or a publish failed: what was not acknowledged is sent again later. */
    private void abort() {
        lost = false;
        generation++;
        List<OutboxMessage> again = new ArrayList<>();
        for (InFlight e : inFlight) {
            if (e.state == ACKED || e.state == REFUSED) {
                done(e);
            } else if (e.source == Source.LIVE) {
                liveInFlight--;
                again.add(e.message);
            }
        }
        inFlight.clear();
        safeFlushDeletes();
        redisCursor = null; // re-read the stream from its (unacknowledged) start
        redisAhead.clear();
        redisMaybeMore = true;
        spoolHead = null;
        for (SpoolReplay f : spoolFiles) {
            closeReader(f);
            f.read = f.acked;
            f.eof = false;
        }
        for (int i = again.size() - 1; i >= 0; i--) {
            pending.addFirst(again.get(i)); // ahead of newer messages; room is already held for them
            room.tryAcquire();
        }
        if (!again.isEmpty()) {
            LOG.info("outbox: {} unacknowledged message(s) will be sent again", again.size());
        }
    }

    /** Fills the window from the backlog, older store first. */
    private boolean replay() {
        boolean any = false;
        while (inFlight.size() < window()) {
            Long spoolSeq = spoolHeadSeq();
            Long redisSeq = redisHeadSeq();
            Routing.Next next = Routing.older(spoolSeq, redisSeq);
            if (next == Routing.Next.NONE) {
                break;
            }
            if (next == Routing.Next.SPOOL) {
                SpoolReplay f = spoolFiles.peekFirst();
                if (!send(spoolHead, Source.SPOOL, null, f)) {
                    break;
                }
                f.read++;
                spoolHead = null;
            } else {
                RedisBacklog.Entry e = redisAhead.peekFirst();
                if (!send(e.message(), Source.REDIS, e.id(), null)) {
                    break;
                }
                redisAhead.pollFirst();
            }
            any = true;
        }
        return any;
    }

    private Long spoolHeadSeq() {
        if (spoolHead != null) {
            return spoolHead.seq();
        }
        try {
            if (spool.openRecords() > 0) {
                Path sealed = sealOwn();
                if (sealed != null) {
                    known.add(sealed);
                    spoolFiles.addLast(new SpoolReplay(sealed));
                }
            }
            if (spoolFiles.isEmpty() && System.nanoTime() >= spoolScanAt) {
                spoolScanAt = System.nanoTime() + SPOOL_SCAN_NANOS;
                discoverSpool();
            }
            while (!spoolFiles.isEmpty()) {
                SpoolReplay f = spoolFiles.peekFirst();
                if (f.eof) {
                    if (f.acked == f.read) {
                        finishIfDone(f);
                        continue;
                    }
                    return null; // waiting for the last acks of this file before the next one
                }
                if (f.reader == null) {
                    f.reader = new SpoolFile.Reader(f.path);
                    for (long i = 0; i < f.read; i++) {
                        if (f.reader.next() == null) {
                            break; // skip what was acknowledged already
                        }
                    }
                }
                OutboxMessage m = f.reader.next();
                if (m != null) {
                    spoolHead = m;
                    return m.seq();
                }
                f.eof = true;
                f.problem = f.reader.problem();
                if (f.problem != null) {
                    LOG.warn("outbox: spool file {}: {}; the rest of it is skipped", f.path.getFileName(), f.problem);
                    long lostRecords = Math.max(0, countedRecords(f) - f.read);
                    spoolDepth.addAndGet(-lostRecords);
                }
                closeReader(f);
            }
        } catch (IOException e) {
            LOG.warn("outbox: spool: {}", e.toString());
        }
        return null;
    }

    private final java.util.Map<Path, Long> counted = new java.util.HashMap<>();

    private long countedRecords(SpoolReplay f) {
        return counted.getOrDefault(f.path, f.read);
    }

    private Path sealOwn() throws IOException {
        long records = spool.openRecords();
        Path before = currentOpenPath();
        spool.seal();
        if (before == null) {
            return null;
        }
        String name = before.getFileName().toString();
        Path sealed = before.resolveSibling(name.substring(0, name.length() - Spool.OPEN.length()) + Spool.SEALED);
        counted.put(sealed, records);
        return sealed;
    }

    private Path currentOpenPath() throws IOException {
        if (!Files.isDirectory(spool.dir())) {
            return null;
        }
        long pid = ProcessHandle.current().pid();
        try (var list = Files.list(spool.dir())) {
            return list.filter(p -> {
                        String n = p.getFileName().toString();
                        return n.endsWith(Spool.OPEN) && n.contains("-" + pid + "-");
                    })
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElse(null);
        }
    }

    private void discoverSpool() throws IOException {
        for (Path p : spool.sealed()) {
            if (known.add(p)) {
                if (!counted.containsKey(p)) {
                    long n = count(p);
                    counted.put(p, n);
                    spoolDepth.addAndGet(n);
                }
                spoolFiles.addLast(new SpoolReplay(p));
            }
        }
    }

    /** Spool files left by other processes (or an earlier run) count toward the depth from the start. */
    private void countForeignSpool() {
        try {
            for (Path p : spool.sealed()) {
                long n = count(p);
                counted.put(p, n);
                spoolDepth.addAndGet(n);
                known.add(p);
                spoolFiles.addLast(new SpoolReplay(p));
            }
        } catch (IOException e) {
            LOG.warn("outbox: cannot read the spool folder {}: {}", spool.dir(), e.toString());
        }
    }

    private static long count(Path p) {
        try (SpoolFile.Reader r = new SpoolFile.Reader(p)) {
            while (r.next() != null) {
                // counting
            }
            return r.records();
        } catch (IOException e) {
            return 0;
        }
    }

    private void finishIfDone(SpoolReplay f) {
        if (!f.eof || f.acked != f.read) {
            return;
        }
        closeReader(f);
        try {
            Files.deleteIfExists(f.path);
            LOG.info("outbox: spool file {} replayed ({} message(s)), deleted", f.path.getFileName(), f.acked);
        } catch (IOException e) {
            LOG.warn("outbox: cannot delete replayed spool file {}: {}", f.path, e.toString());
        }
        spoolFiles.remove(f);
        counted.remove(f.path);
    }

    private static void closeReader(SpoolReplay f) {
        if (f.reader != null) {
            try {
                f.reader.close();
            } catch (IOException ignored) {
                // read-only
            }
            f.reader = null;
        }
    }

    private Long redisHeadSeq() {
        if (redis == null) {
            return null;
        }
        if (redisAhead.isEmpty() && redisAvailable() && (redisMaybeMore || System.nanoTime() >= redisPollAt)) {
            try {
                List<RedisBacklog.Entry> batch = redis.readAfter(redisCursor, BATCH);
                redisAhead.addAll(batch);
                if (!batch.isEmpty()) {
                    redisCursor = batch.get(batch.size() - 1).id();
                }
                redisMaybeMore = batch.size() == BATCH;
                redisPollAt = System.nanoTime() + REDIS_POLL_NANOS;
                if (batch.isEmpty()) {
                    refreshRedisLength();
                }
            } catch (JedisException e) {
                redisDown(e);
            }
        }
        RedisBacklog.Entry head = redisAhead.peekFirst();
        return head == null ? null : head.message().seq();
    }

    /** Takes new messages: live when nothing waits, else to the backlog, in order. */
    private boolean accept() {
        boolean any = false;
        List<OutboxMessage> batch = new ArrayList<>();
        while (true) {
            OutboxMessage m = pending.peekFirst();
            if (m == null) {
                break;
            }
            Routing.Destination to = Routing.destination(
                    mqtt.connected() && !lost,
                    backlog(),
                    redis != null,
                    redisAvailable(),
                    Routing.full(redisLength, settings.maxLength()),
                    settings.whenFull());
            if (to == Routing.Destination.LIVE) {
                if (inFlight.size() >= window() || !send(m, Source.LIVE, null, null)) {
                    break;
                }
                liveInFlight++;
                takePending();
                any = true;
                continue;
            }
            if (to == Routing.Destination.WAIT) {
                break;
            }
            // a batch for the backlog, still counted in pending (depth) until it is stored
            long room = to == Routing.Destination.REDIS ? settings.maxLength() - redisLength : BATCH;
            batch.clear();
            for (OutboxMessage p : pending) {
                if (batch.size() >= Math.min(BATCH, room)) {
                    break;
                }
                batch.add(p);
            }
            if (!store(batch, to)) {
                break; // nothing can take them now: they stay queued, in order
            }
            for (int i = 0; i < batch.size(); i++) {
                takePending();
            }
            any = true;
            checkFill();
        }
        checkFill();
        return any;
    }

    private void takePending() {
        pending.pollFirst();
        room.release();
    }

    /**
     * True when an older message of this process waits. A one-shot command (not draining) looks only at
     * what it appended itself: it never replays the shared backlog, so waiting behind the daemon's would
     * mean never publishing live while a backlog exists; order between two processes is not defined anyway.
     */
    private boolean backlog() {
        if (!settings.drains()) {
            return appended;
        }
        if (spoolHead != null || spool.openRecords() > 0) {
            return true;
        }
        for (SpoolReplay f : spoolFiles) {
            if (!f.eof) {
                return true;
            }
        }
        if (redis != null && (!redisAhead.isEmpty() || redisMaybeMore)) {
            return true;
        }
        return false;
    }

    /** Appends to Redis (or, failing that, the spool); false when neither could take them. */
    private boolean store(List<OutboxMessage> batch, Routing.Destination to) {
        appended = true;
        if (to == Routing.Destination.REDIS) {
            try {
                redisLength += batch.size();
                redis.append(batch);
                redisMaybeMore = true;
                return true;
            } catch (JedisException e) {
                redisLength -= batch.size();
                redisDown(e);
            }
        }
        try {
            spoolDepth.addAndGet(batch.size());
            spool.append(batch);
            return true;
        } catch (IOException e) {
            spoolDepth.addAndGet(-batch.size());
            LOG.error(
                    "outbox: cannot write the spool in {} ({}); {} message(s) held in memory",
                    spool.dir(),
                    e,
                    pending.size());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            return false;
        }
    }

    private boolean redisAvailable() {
        if (redis == null) {
            return false;
        }
        if (!redisUp && System.nanoTime() >= redisRetryAt) {
            try {
                redisLength = redis.length();
                redisUp = true;
                LOG.info("outbox: Redis stream {} reachable again ({} entries)", redis.stream(), redisLength);
            } catch (JedisException e) {
                redisRetryAt = System.nanoTime() + REDIS_RETRY_NANOS;
            }
        }
        return redisUp;
    }

    private void redisDown(JedisException e) {
        if (redisUp) {
            LOG.warn("outbox: Redis unreachable ({}); spooling to {}", e.getMessage(), spool.dir());
        }
        redisUp = false;
        redisRetryAt = System.nanoTime() + REDIS_RETRY_NANOS;
        redisAhead.clear();
        redisCursor = null;
        redisMaybeMore = true;
    }

    private void refreshRedisLength() {
        if (redis == null) {
            return;
        }
        try {
            redisLength = redis.length();
        } catch (JedisException e) {
            // redisAvailable() notices
        }
    }

    /** OutboxNearlyFull fires at 80 % of redis.maxLength and resolves below. */
    private void checkFill() {
        if (redis == null) {
            return;
        }
        boolean nearly = Routing.nearlyFull(redisLength, settings.maxLength());
        if (nearly && !alerting) {
            alerting = true;
            events.alert(alert("firing", "warning"));
        } else if (!nearly && alerting) {
            alerting = false;
            events.alert(alert("resolved", "warning"));
        }
    }

    private Alert alert(String status, String severity) {
        Instant now = Instant.now();
        return new Alert(
                ALERT,
                severity,
                status,
                "firing".equals(status)
                        ? "Outbox stream " + redis.stream() + " is over 80% full"
                        : "Outbox stream " + redis.stream() + " is below 80% again",
                redisLength + " of " + settings.maxLength() + " entries; when full: "
                        + settings.whenFull().name().toLowerCase(),
                Map.of("alertname", ALERT, "source", "lifeboat", "stream", redis.stream()),
                now,
                "resolved".equals(status) ? now : null);
    }

    private void flushDeletes() {
        try {
            redis.delete(toDelete);
            redisLength = Math.max(0, redisLength - toDelete.size());
            toDelete.clear();
        } catch (JedisException e) {
            redisDown(e); // kept: they are deleted later, or replayed again (duplicates, never loss)
        }
    }

    private void safeFlushDeletes() {
        if (redis != null && !toDelete.isEmpty() && redisAvailable()) {
            flushDeletes();
        }
    }

    private int window() {
        return Math.max(1, Math.min(settings.window(), mqtt.receiveMaximum()));
    }

    /** Hands one message to the client; false when it cannot take it now (window, connection). */
    private boolean send(OutboxMessage m, Source source, String redisId, SpoolReplay file) {
        InFlight e = new InFlight(m, source, redisId, file, generation);
        try {
            mqtt.publish(m, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                        e.refusal = "reason code 0x" + Integer.toHexString(codes[0]);
                        e.state = REFUSED;
                    } else {
                        e.state = ACKED;
                    }
                    wakeForAck(e);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    e.state = FAILED;
                    if (e.generation == generation) {
                        lost = true;
                    }
                    LockSupport.unpark(pump);
                }
            });
        } catch (MqttException ex) {
            if (ex.getReasonCode() != org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                lost = true;
            }
            return false;
        }
        inFlight.addLast(e);
        return true;
    }

    /**
     * Wakes the pump for an acknowledgement when it has to act on it soon: a replayed entry (to be
     * removed from its store, and the window refilled), a closing outbox, or a window half full. A live
     * message's PUBACK otherwise waits for the pump's next round (at most 5 ms while anything is in
     * flight): waking a thread per message costs more than the message under a steady load.
     */
    private void wakeForAck(InFlight e) {
        if (e.source != Source.LIVE || stopping || inFlightCount * 2 >= window()) {
            LockSupport.unpark(pump);
        }
    }

    private void shutdownBuffers() {
        // what was not acknowledged, and what never left, goes to the backlog in order
        List<OutboxMessage> rest = new ArrayList<>();
        reap();
        for (InFlight e : inFlight) {
            if (e.state == ACKED || e.state == REFUSED) {
                done(e);
            } else if (e.source == Source.LIVE) {
                liveInFlight--;
                rest.add(e.message);
            }
        }
        inFlight.clear();
        inFlightCount = 0;
        OutboxMessage m;
        while ((m = pending.pollFirst()) != null) {
            rest.add(m);
        }
        if (!rest.isEmpty()) {
            boolean redisOk =
                    redis != null && redisAvailable() && !Routing.full(redisLength + rest.size(), settings.maxLength());
            if (!store(rest, redisOk ? Routing.Destination.REDIS : Routing.Destination.SPOOL)) {
                LOG.error(
                        "outbox: {} message(s) could be neither published nor buffered at shutdown: LOST", rest.size());
            }
            LOG.info("outbox: {} message(s) not yet delivered are kept in the backlog", rest.size());
        }
        safeFlushDeletes();
        stopped = true;
    }

    /**
     * Flushes: waits up to {@code flushTimeout} for queued and unacknowledged messages; what could not go
     * stays in the Redis stream or the spool for the next daemon to replay.
     */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        LockSupport.unpark(pump);
        try {
            pump.join(settings.flushTimeout().toMillis() + 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stopped = true;
        try {
            spool.close();
        } catch (IOException e) {
            LOG.warn("outbox: sealing the spool: {}", e.toString());
        }
        mqtt.close();
        if (redis != null) {
            redis.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
