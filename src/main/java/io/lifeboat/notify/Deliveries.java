package io.lifeboat.notify;

import static java.util.Objects.requireNonNull;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.domain.alerting.Notice;
import io.lifeboat.outbox.Sequencer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notices to their receivers, durably and in order. {@link #submit} appends a notice to its
 * receiver's queue ({@link NoticeStore}); one worker per receiver takes the head (the critical lane
 * first), sends it to each destination and removes it once every destination is settled:
 *
 * <ul>
 *   <li>an idempotency record per (notice, receiver, destination) in the catalog: written on success,
 *       checked before every attempt, so a replay after a restart or a retry never sends twice;
 *   <li>a rate limit per destination ({@link Receiver#perSecond}); a 429 pushes that destination's next
 *       slot back by what the server asked ({@code retry_after}, at most an hour);
 *   <li>5xx, timeouts and refused connections are retried with back-off (1 s doubling to 5 min) on the
 *       same head: later notices wait, so order holds; a critical notice arriving meanwhile goes first;
 *   <li>a request that timed out is not sent again while it may still land: its answer is awaited up to
 *       {@link #SLOW_FACTOR} times the timeout, and a late success counts;
 *   <li>a permanent refusal (other 4xx) is logged, counted and dropped for that destination.
 * </ul>
 *
 * {@code lifeboat_alerts_sent_total{receiver,result}} counts sent, retried, rate_limited, rejected,
 * duplicate, invalid and dropped.
 */
public final class Deliveries implements AutoCloseable {

    public static final String METER = "lifeboat.alerts.sent";
    /** How many timeouts' worth a slow request gets before it is given up and sent again. */
    static final int SLOW_FACTOR = 3;

    /**
     * The limit a receiver puts on one HTTP request: a request past {@link Receiver#timeout} is slow, not
     * failed; its answer is still awaited, up to this, before the notice is sent again.
     */
    public static Duration hardTimeout(Duration timeout) {
        return timeout.multipliedBy(SLOW_FACTOR).plusSeconds(1);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    /** Tunables; {@code maxQueue} bounds each receiver's queue (the oldest normal notices go first). */
    public record Settings(int maxQueue, Duration firstBackoff, Duration maxBackoff) {
        public static final Settings DEFAULT = new Settings(10_000, FIRST_BACKOFF, MAX_BACKOFF);
    }

    private final Map<String, Receiver> receivers;
    private final NoticeStore store;
    private final Catalog catalog;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Settings settings;
    private final Sequencer sequencer = new Sequencer();
    private final Map<String, Worker> workers = new LinkedHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public Deliveries(
            List<Receiver> receivers,
            NoticeStore store,
            Catalog catalog,
            MeterRegistry meters,
            Clock clock,
            Settings settings) {
        Map<String, Receiver> byName = new LinkedHashMap<>();
        receivers.forEach(r -> byName.put(r.name(), r));
        this.receivers = byName;
        this.store = requireNonNull(store, "store");
        this.catalog = requireNonNull(catalog, "catalog");
        this.meters = requireNonNull(meters, "meters");
        this.clock = requireNonNull(clock, "clock");
        this.settings = requireNonNull(settings, "settings");
    }

    /** Starts one worker per receiver; what earlier runs left in the queues goes out first. */
    public synchronized Deliveries start() {
        for (Receiver r : receivers.values()) {
            Worker w = new Worker(r);
            workers.put(r.name(), w);
            w.thread.start();
        }
        return this;
    }

    /** Queues a notice for its receiver; returns false (and logs) when there is no such receiver. */
    public boolean submit(Notice n) {
        Receiver r = receivers.get(n.receiver());
        if (r == null) {
            LOG.error("notice {} for unknown receiver {} dropped", n.id(), n.receiver());
            count(n.receiver(), "invalid");
            return false;
        }
        String lane = n.critical() ? NoticeStore.CRITICAL : NoticeStore.NORMAL;
        if (lane.equals(NoticeStore.NORMAL)) {
            bound(r.name());
        }
        store.append(r.name(), lane, sequencer.next(clock.millis()), NoticeCodec.text(n));
        Worker w = workers.get(r.name());
        if (w != null) {
            LockSupport.unpark(w.thread);
        }
        return true;
    }

    /** Notices waiting for a receiver (both lanes). */
    public long depth(String receiver) {
        return store.length(receiver, NoticeStore.CRITICAL) + store.length(receiver, NoticeStore.NORMAL);
    }

    private void bound(String receiver) {
        long n = store.length(receiver, NoticeStore.NORMAL);
        while (n-- >= settings.maxQueue()) {
            Optional<NoticeStore.Entry> oldest = store.head(receiver, NoticeStore.NORMAL);
            if (oldest.isEmpty()) {
                return;
            }
            store.remove(receiver, NoticeStore.NORMAL, oldest.get());
            count(receiver, "dropped");
            LOG.error(
                    "receiver {} has {} notices waiting: the oldest non-critical one was dropped",
                    receiver,
                    settings.maxQueue());
        }
    }

    private void count(String receiver, String result) {
        counters.computeIfAbsent(
                        receiver + "|" + result,
                        k -> Counter.builder(METER)
                                .description("Alert notices by receiver and what became of them")
                                .tag("receiver", receiver)
                                .tag("result", result)
                                .register(meters))
                .increment();
    }

    @Override
    public void close() {
        closed = true;
        List<Thread> threads = new ArrayList<>();
        synchronized (this) {
            workers.values().forEach(w -> threads.add(w.thread));
        }
        // a request in flight gets its answer (and its record) before the worker ends: not sent twice
        threads.forEach(LockSupport::unpark);
        for (Thread t : threads) {
            try {
                t.join(15_000);
                if (t.isAlive()) {
                    t.interrupt();
                    t.join(2000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---------------------------------------------------------------- the worker

    private enum Settled {
        DONE,
        SWITCH,
        CLOSED
    }

    private final class Worker {
        final Receiver receiver;
        final Thread thread;
        final Map<String, Instant> nextSlot = new ConcurrentHashMap<>();
        /** A request that timed out and may still land, per delivery key. */
        final Map<String, CompletableFuture<Receiver.Outcome>> slow = new ConcurrentHashMap<>();

        Worker(Receiver receiver) {
            this.receiver = receiver;
            this.thread = new Thread(this::run, "lifeboat-notify-" + receiver.name());
            this.thread.setDaemon(true);
        }

        void run() {
            while (!closed) {
                try {
                    if (!step()) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                    }
                } catch (RuntimeException e) {
                    LOG.warn("receiver {}: {}; trying again", receiver.name(), e.toString());
                    sleep(Duration.ofSeconds(1));
                }
            }
        }

        /** Works on the head of the critical lane, else the normal one; false when both are empty. */
        boolean step() {
            String lane = NoticeStore.CRITICAL;
            Optional<NoticeStore.Entry> head = store.head(receiver.name(), lane);
            if (head.isEmpty()) {
                lane = NoticeStore.NORMAL;
                head = store.head(receiver.name(), lane);
            }
            if (head.isEmpty()) {
                return false;
            }
            NoticeStore.Entry entry = head.get();
            Notice notice;
            try {
                notice = NoticeCodec.read(entry.payload());
            } catch (IllegalArgumentException e) {
                LOG.error("receiver {}: a queued notice cannot be read ({}); removed", receiver.name(), e.getMessage());
                count(receiver.name(), "invalid");
                store.remove(receiver.name(), lane, entry);
                return true;
            }
            for (String destination : receiver.destinations()) {
                Settled s = settle(notice, destination, lane.equals(NoticeStore.NORMAL));
                if (s != Settled.DONE) {
                    return true; // closed, or a critical notice goes first; this head stays
                }
            }
            store.remove(receiver.name(), lane, entry);
            return true;
        }

        private Settled settle(Notice n, String destination, boolean yieldToCritical) {
            String key = n.id() + ":" + receiver.name() + ":" + destination;
            if (catalog.delivered(key)) {
                count(receiver.name(), "duplicate");
                return Settled.DONE;
            }
            Duration backoff = settings.firstBackoff();
            while (!closed) {
                Receiver.Outcome o = attempt(n, destination, key);
                if (o instanceof Receiver.Sent) {
                    catalog.recordDelivery(key, receiver.name(), clock.instant());
                    count(receiver.name(), "sent");
                    return Settled.DONE;
                }
                if (o instanceof Receiver.Rejected r) {
                    count(receiver.name(), "rejected");
                    LOG.error(
                            "receiver {} refused notice {} for {}: {}; dropped",
                            receiver.name(),
                            n.id(),
                            destination,
                            r.why());
                    return Settled.DONE;
                }
                Duration wait;
                if (o instanceof Receiver.RetryAfter r) {
                    count(receiver.name(), "rate_limited");
                    wait = r.delay();
                    nextSlot.put(destination, clock.instant().plus(wait));
                    LOG.warn("receiver {} asks to wait {} ({})", receiver.name(), wait, r.why());
                } else {
                    count(receiver.name(), "retried");
                    wait = backoff;
                    backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0
                            ? settings.maxBackoff()
                            : backoff.multipliedBy(2);
                    LOG.warn(
                            "receiver {} could not take notice {} ({}); again in {}",
                            receiver.name(),
                            n.id(),
                            ((Receiver.Retryable) o).why(),
                            wait);
                }
                if (!sleepUnlessCritical(wait, yieldToCritical)) {
                    return closed ? Settled.CLOSED : Settled.SWITCH;
                }
            }
            return Settled.CLOSED;
        }

        /** One attempt, or the wait for an earlier attempt that timed out. */
        private Receiver.Outcome attempt(Notice n, String destination, String key) {
            CompletableFuture<Receiver.Outcome> pending = slow.remove(key);
            if (pending == null) {
                waitForSlot(destination);
                pending = receiver.deliver(n, destination);
            }
            Duration limit = receiver.timeout();
            try {
                return pending.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                int rounds = pendingRounds.merge(key, 1, Integer::sum);
                if (rounds < SLOW_FACTOR) {
                    slow.put(key, pending); // may still land: wait for it before sending again
                } else {
                    pendingRounds.remove(key);
                    pending.cancel(true);
                }
                return new Receiver.Retryable("no answer within " + limit);
            } catch (ExecutionException e) {
                return HttpOutcomes.failure(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                slow.put(key, pending);
                return new Receiver.Retryable("interrupted");
            } finally {
                if (pending.isDone()) {
                    pendingRounds.remove(key);
                }
            }
        }

        final Map<String, Integer> pendingRounds = new ConcurrentHashMap<>();

        private void waitForSlot(String destination) {
            double rate = receiver.perSecond();
            Instant now = clock.instant();
            Instant slot = nextSlot.getOrDefault(destination, now);
            if (slot.isAfter(now)) {
                sleep(Duration.between(now, slot));
                now = clock.instant();
            }
            if (rate > 0) {
                long gapNanos = (long) (1_000_000_000L / rate);
                nextSlot.put(destination, (slot.isAfter(now) ? slot : now).plusNanos(gapNanos));
            }
        }

        /** Sleeps; false when closed or (for a normal head) when a critical notice is waiting. */
        private boolean sleepUnlessCritical(Duration wait, boolean yieldToCritical) {
            long end = System.nanoTime() + wait.toNanos();
            while (!closed) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                if (yieldToCritical
                        && store.head(receiver.name(), NoticeStore.CRITICAL).isPresent()) {
                    return false;
                }
                LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
                if (Thread.interrupted()) {
                    return false;
                }
            }
            return false;
        }

        private void sleep(Duration d) {
            long end = System.nanoTime() + d.toNanos();
            while (!closed) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                LockSupport.parkNanos(left);
                if (Thread.interrupted()) {
                    return;
                }
            }
        }
    }
}
