package io.lifeboat.alerting;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig.AlertingConfig;
import io.lifeboat.config.LifeboatConfig.SilenceConfig;
import io.lifeboat.domain.Alert;
import io.lifeboat.domain.alerting.AlertDispatcher;
import io.lifeboat.domain.alerting.Matcher;
import io.lifeboat.domain.alerting.Notice;
import io.lifeboat.domain.alerting.Silence;
import io.lifeboat.domain.alerting.SilenceStore;
import io.lifeboat.domain.alerting.Silences;
import io.lifeboat.notify.Deliveries;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's alert fan-out: every alert (Lifeboat's own and those that come in) goes into the {@link
 * AlertDispatcher}; the notices it decides on go to {@link Deliveries}. {@link #tick} runs every second
 * (route {@code alert-tick}). Without {@code alerting.receivers} nothing is routed: alerts go to the log
 * and {@code <prefix>/alerts} only.
 */
public final class AlertRouting implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertRouting.class);

    private final AlertDispatcher dispatcher;
    private final Deliveries deliveries;
    private final Silences silences;
    private final Clock clock;

    public AlertRouting(AlertingConfig config, SilenceStore store, Deliveries deliveries, Clock clock) {
        this.clock = requireNonNull(clock, "clock");
        Instant now = clock.instant();
        this.silences = new Silences(requireNonNull(store, "store"), now);
        for (int i = 0; i < config.silences().size(); i++) {
            SilenceConfig s = config.silences().get(i);
            if (s.endsAt().isAfter(now)) {
                List<Matcher> matchers = new ArrayList<>();
                s.matchers().forEach((k, v) -> matchers.add(Matcher.eq(k, v)));
                silences.add(new Silence(
                        "config-" + (i + 1), matchers, now.minusMillis(1), s.endsAt(), "config", s.comment()));
            }
        }
        this.dispatcher =
                config.routed() ? new AlertDispatcher(config.route(), config.inhibit(), config.flap(), silences) : null;
        this.deliveries = deliveries;
    }

    public boolean routed() {
        return dispatcher != null;
    }

    public Silences silences() {
        return silences;
    }

    /** Takes one alert; notices due at once go to their receivers' queues. */
    public void accept(Alert alert) {
        if (dispatcher == null) {
            return;
        }
        submit(dispatcher.accept(alert, clock.instant()));
    }

    /** Group waits, intervals, repeats, digests and ended silences that are due. */
    public void tick() {
        if (dispatcher == null) {
            return;
        }
        submit(dispatcher.tick(clock.instant()));
    }

    private void submit(List<Notice> notices) {
        for (Notice n : notices) {
            LOG.info(
                    "notice {} {} to {}: {} alert(s)",
                    n.kind(),
                    n.id(),
                    n.receiver(),
                    n.alerts().size());
            if (deliveries != null) {
                deliveries.submit(n);
            }
        }
    }

    /** Silences still in force, as the API and the CLI list them. */
    public List<Map<String, Object>> silenceViews() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Silence s : silences.current(clock.instant())) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", s.id());
            v.put("matchers", s.matchers().stream().map(Matcher::toString).toList());
            v.put("startsAt", s.startsAt().toString());
            v.put("endsAt", s.endsAt().toString());
            v.put("createdBy", s.createdBy());
            v.put("comment", s.comment());
            out.add(v);
        }
        return out;
    }

    /** Queued notices per receiver. */
    public Map<String, Long> queued(List<String> receivers) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (deliveries != null) {
            receivers.forEach(r -> out.put(r, deliveries.depth(r)));
        }
        return out;
    }

    @Override
    public void close() {
        if (deliveries != null) {
            deliveries.close();
        }
    }
}
