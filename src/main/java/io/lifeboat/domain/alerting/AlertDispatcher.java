package io.lifeboat.domain.alerting;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig.FlapConfig;
import io.lifeboat.config.LifeboatConfig.InhibitRule;
import io.lifeboat.config.LifeboatConfig.RouteConfig;
import io.lifeboat.domain.Alert;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns alerts into notices the way Alertmanager does, on a clock the caller passes in:
 *
 * <ul>
 *   <li>each alert goes to the nodes of the {@link RouteTree} that take it, and there into a group by
 *       the node's {@code group_by} labels;
 *   <li>a new group waits {@code group_wait} (0 sends at once); a change to a group that was notified
 *       waits until {@code group_interval} after its last notice; an unchanged group that still fires is
 *       repeated after {@code repeat_interval}; when every alert of a notified group has resolved, one
 *       RESOLVED notice goes out and the group ends;
 *   <li>the same alert again (same fingerprint and status) is not a change;
 *   <li>silenced and inhibited alerts are left out; when a silence ends, a still-firing alert goes out;
 *   <li>flap damping: an alert that changes status {@code flap.changes} times within {@code
 *       flap.window} is held as firing and summarised in one DIGEST notice per window until it has kept
 *       one status for a whole window; then its real state goes out.
 * </ul>
 *
 * Plain Java, no I/O, thread-safe (one lock).
 */
public final class AlertDispatcher {

    private static final Map<String, Integer> RANK = Map.of("info", 0, "warning", 1, "critical", 2);

    private final RouteTree tree;
    private final Inhibitor inhibitor;
    private final Silences silences;
    private final FlapConfig flap;
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, Alert> latest = new HashMap<>();
    private final Map<String, Flap> flaps = new HashMap<>();

    public AlertDispatcher(RouteConfig route, List<InhibitRule> inhibit, FlapConfig flap, Silences silences) {
        this.tree = new RouteTree(requireNonNull(route, "route"));
        this.inhibitor = new Inhibitor(requireNonNull(inhibit, "inhibit"));
        this.flap = requireNonNull(flap, "flap");
        this.silences = requireNonNull(silences, "silences");
    }

    public Silences silences() {
        return silences;
    }

    /** The receivers an alert is routed to (before silences and inhibition). */
    public List<String> receivers(Alert alert) {
        return tree.route(alert).stream()
                .map(RouteTree.Node::receiver)
                .distinct()
                .toList();
    }

    /** Takes one alert; returns the notices due at once (a {@code group_wait} of 0). */
    public synchronized List<Notice> accept(Alert incoming, Instant now) {
        requireNonNull(incoming, "alert");
        Alert alert = effective(incoming, now);
        Alert before = latest.get(alert.fingerprint());
        boolean statusChanged = before != null && !before.status().equals(alert.status());
        if (before == null && alert.status().equals("resolved") && !inAnyGroup(alert.fingerprint())) {
            return flushDue(now); // resolved, never seen: nothing to tell anyone
        }
        latest.put(alert.fingerprint(), before != null && !statusChanged ? keepStart(before, alert) : alert);
        Flap f = flaps.computeIfAbsent(alert.fingerprint(), k -> new Flap());
        if (statusChanged) {
            f.change(alert.status(), now, flap.window());
            if (!f.flapping && f.changes.size() >= flap.changes()) {
                f.flapping = true;
                f.nextDigest = now.plus(flap.window());
                apply(asFiring(alert), now); // held as firing while it flaps
                return flushDue(now);
            }
        }
        if (f.flapping) {
            return flushDue(now); // summarised in the digest
        }
        apply(alert, now);
        return flushDue(now);
    }

    /** Everything due by {@code now}: waits and intervals that passed, repeats, digests, ended silences. */
    public synchronized List<Notice> tick(Instant now) {
        List<Notice> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, Flap>> it = flaps.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Flap> e = it.next();
            Flap f = e.getValue();
            f.trim(now, flap.window());
            if (!f.flapping) {
                Alert known = latest.get(e.getKey());
                if (f.changes.isEmpty() && (known == null || known.status().equals("resolved"))) {
                    latest.remove(e.getKey()); // resolved and quiet for a window: forgotten
                    it.remove();
                }
                continue;
            }
            Alert current = latest.get(e.getKey());
            if (current == null) {
                continue;
            }
            if (!now.isBefore(f.nextDigest)) {
                for (Group g : groupsWith(e.getKey())) {
                    out.add(g.notice(Notice.Kind.DIGEST, List.of(current), now, f.digest(flap.window(), current)));
                }
                f.nextDigest = now.plus(flap.window());
            }
            if (f.changes.isEmpty()) { // one status for a whole window: settled
                f.flapping = false;
                apply(current, now);
                if (current.status().equals("resolved")) {
                    latest.remove(e.getKey());
                }
            }
        }
        for (Group g : groups.values()) {
            if (g.nextFlush == null && !visibleHash(g, now).equals(g.lastHash)) {
                g.schedule(now); // a silence or an inhibition ended (or began)
            }
        }
        out.addAll(flushDue(now));
        for (Group g : groups.values()) {
            if (g.notifiedFiring
                    && g.nextFlush == null
                    && !now.isBefore(g.lastNotified.plus(g.node.repeatInterval()))) {
                List<Alert> firing = visible(g, now).stream()
                        .filter(a -> a.status().equals("firing"))
                        .toList();
                if (!firing.isEmpty()) {
                    out.add(g.notice(Notice.Kind.REPEAT, firing, now, ""));
                    g.lastNotified = now;
                }
            }
        }
        return out;
    }

    /** How many groups are open (for status and tests). */
    public synchronized int openGroups() {
        return groups.size();
    }

    // ---------------------------------------------------------------- internals

    private void apply(Alert alert, Instant now) {
        for (RouteTree.Node node : tree.route(alert)) {
            Map<String, String> labels = groupLabels(node, alert);
            String key = node.id() + labels;
            Group g = groups.get(key);
            if (g == null) {
                if (alert.status().equals("resolved")) {
                    continue; // a group is opened by a firing alert
                }
                g = new Group(key, node, labels, now);
                groups.put(key, g);
            }
            Alert had = g.alerts.get(alert.fingerprint());
            if (had != null && had.status().equals(alert.status())) {
                g.alerts.put(alert.fingerprint(), keepStart(had, alert)); // newest text, same alert
                continue;
            }
            if (had == null && alert.status().equals("resolved")) {
                continue;
            }
            g.alerts.put(alert.fingerprint(), alert);
            g.schedule(now);
        }
    }

    private List<Notice> flushDue(Instant now) {
        List<Notice> out = new ArrayList<>();
        for (Iterator<Group> it = groups.values().iterator(); it.hasNext(); ) {
            Group g = it.next();
            if (g.nextFlush == null || now.isBefore(g.nextFlush)) {
                continue;
            }
            g.nextFlush = null;
            flush(g, now, out);
            if (g.alerts.isEmpty()) {
                it.remove();
            }
        }
        return out;
    }

    private void flush(Group g, Instant now, List<Notice> out) {
        List<Alert> shown = visible(g, now);
        List<Alert> firing =
                shown.stream().filter(a -> a.status().equals("firing")).toList();
        List<Alert> resolved =
                shown.stream().filter(a -> a.status().equals("resolved")).toList();
        String hash = hash(firing);
        if (!firing.isEmpty()) {
            if (!hash.equals(g.lastHash) || (!resolved.isEmpty() && g.notifiedFiring)) {
                List<Alert> all = new ArrayList<>(firing);
                if (g.notifiedFiring) {
                    all.addAll(resolved);
                }
                out.add(g.notice(Notice.Kind.FIRING, all, now, ""));
                g.notifiedFiring = true;
                g.lastNotified = now;
            }
        } else {
            boolean allResolved =
                    g.alerts.values().stream().allMatch(a -> a.status().equals("resolved"));
            if (allResolved && g.notifiedFiring && !resolved.isEmpty()) {
                out.add(g.notice(Notice.Kind.RESOLVED, resolved, now, ""));
                g.notifiedFiring = false;
                g.lastNotified = now;
            }
        }
        g.lastHash = hash;
        g.alerts.values().removeIf(a -> a.status().equals("resolved"));
    }

    /** The alerts of a group that may be sent now: not silenced, not inhibited. */
    private List<Alert> visible(Group g, Instant now) {
        List<Alert> firingNow = latest.values().stream()
                .filter(a -> a.status().equals("firing"))
                .toList();
        List<Alert> out = new ArrayList<>();
        for (Alert a : g.alerts.values()) {
            if (silences.silencedBy(a, now).isPresent()) {
                continue;
            }
            if (a.status().equals("firing") && inhibitor.inhibited(a, firingNow)) {
                continue;
            }
            out.add(a);
        }
        out.sort(Comparator.comparing(Alert::fingerprint));
        return out;
    }

    private String visibleHash(Group g, Instant now) {
        return hash(visible(g, now).stream()
                .filter(a -> a.status().equals("firing"))
                .toList());
    }

    private static String hash(List<Alert> firing) {
        StringBuilder b = new StringBuilder();
        firing.stream()
                .map(Alert::fingerprint)
                .sorted()
                .forEach(f -> b.append(f).append('\n'));
        return b.toString();
    }

    private boolean inAnyGroup(String fingerprint) {
        return groups.values().stream().anyMatch(g -> g.alerts.containsKey(fingerprint));
    }

    private List<Group> groupsWith(String fingerprint) {
        return groups.values().stream()
                .filter(g -> g.alerts.containsKey(fingerprint))
                .toList();
    }

    private static Map<String, String> groupLabels(RouteTree.Node node, Alert alert) {
        Map<String, String> labels = Matcher.labels(alert);
        Map<String, String> out = new TreeMap<>();
        if (node.groupByAll()) {
            out.putAll(labels);
        } else {
            for (String l : node.groupBy()) {
                out.put(l, labels.getOrDefault(l, ""));
            }
        }
        return out;
    }

    /** A firing alert whose endsAt has passed is resolved. */
    private static Alert effective(Alert a, Instant now) {
        if (a.status().equals("firing") && a.endsAt() != null && !a.endsAt().isAfter(now)) {
            return new Alert(
                    a.fingerprint(),
                    a.severity(),
                    "resolved",
                    a.summary(),
                    a.detail(),
                    a.labels(),
                    a.startsAt(),
                    a.endsAt());
        }
        return a;
    }

    private static Alert asFiring(Alert a) {
        return a.status().equals("firing")
                ? a
                : new Alert(
                        a.fingerprint(),
                        a.severity(),
                        "firing",
                        a.summary(),
                        a.detail(),
                        a.labels(),
                        a.startsAt(),
                        null);
    }

    /** The same alert still firing keeps its first startsAt; its text may be newer. */
    private static Alert keepStart(Alert first, Alert now) {
        if (first.startsAt().equals(now.startsAt())) {
            return now;
        }
        return new Alert(
                now.fingerprint(),
                now.severity(),
                now.status(),
                now.summary(),
                now.detail(),
                now.labels(),
                first.startsAt(),
                now.endsAt());
    }

    static String severity(List<Alert> alerts) {
        return alerts.stream()
                .map(Alert::severity)
                .max(Comparator.comparing(s -> RANK.getOrDefault(s, 0)))
                .orElse("info");
    }

    // ---------------------------------------------------------------- state

    private static final class Group {
        final String key;
        final RouteTree.Node node;
        final Map<String, String> labels;
        final Instant created;
        final Map<String, Alert> alerts = new LinkedHashMap<>();
        Instant nextFlush;
        Instant lastNotified;
        String lastHash = "";
        boolean notifiedFiring;
        int sent;

        Group(String key, RouteTree.Node node, Map<String, String> labels, Instant created) {
            this.key = key;
            this.node = node;
            this.labels = labels;
            this.created = created;
        }

        void schedule(Instant now) {
            if (nextFlush != null) {
                return;
            }
            if (lastNotified == null) {
                Instant due = created.plus(node.groupWait());
                nextFlush = due.isBefore(now) ? now : due;
            } else {
                Instant due = lastNotified.plus(node.groupInterval());
                nextFlush = due.isBefore(now) ? now : due;
            }
        }

        Notice notice(Notice.Kind kind, List<Alert> alerts, Instant now, String digest) {
            sent++;
            String id = sha256(node.receiver() + "|" + key + "|" + created + "|" + sent + "|" + kind);
            return new Notice(id, node.receiver(), key, labels, kind, severity(alerts), alerts, now, digest);
        }
    }

    private static final class Flap {
        final Deque<Instant> changes = new ArrayDeque<>();
        final Deque<String> statuses = new ArrayDeque<>();
        boolean flapping;
        Instant nextDigest;

        void change(String status, Instant now, Duration window) {
            changes.addLast(now);
            statuses.addLast(status);
            trim(now, window);
        }

        void trim(Instant now, Duration window) {
            while (!changes.isEmpty() && !changes.peekFirst().isAfter(now.minus(window))) {
                changes.removeFirst();
                statuses.removeFirst();
            }
        }

        String digest(Duration window, Alert current) {
            long fired = statuses.stream().filter("firing"::equals).count();
            long resolved = statuses.size() - fired;
            return current.summary() + ": flapping, fired " + fired + " and resolved " + resolved
                    + " times in the last " + io.lifeboat.domain.Durations.format(window) + "; now " + current.status();
        }
    }

    private static String sha256(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
