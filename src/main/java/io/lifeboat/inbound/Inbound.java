package io.lifeboat.inbound;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lifeboat.Json;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Alert;
import io.lifeboat.domain.AlertRules;
import io.lifeboat.domain.BackupCommand;
import io.lifeboat.domain.FaultWindow;
import io.lifeboat.domain.HealthEvent;
import io.lifeboat.domain.HealthEvent.Rejected;
import io.lifeboat.domain.HealthTracker;
import io.lifeboat.domain.InboundAlert;
import io.lifeboat.domain.Payloads;
import io.lifeboat.domain.SafeModeRequest;
import io.lifeboat.domain.Trigger;
import io.lifeboat.events.EventSink;
import io.lifeboat.jobs.JobQueue;
import io.lifeboat.jobs.JobRequest;
import io.lifeboat.safemode.SafeModeService;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to inbound input, whatever way it came (MQTT, HTTP, Artemis, JMX): validate it,
 * dead-letter and count what is bad, and act on what is good: health state and its events, the Safe
 * Mode rule, backup jobs from commands and alerts, Safe Mode commands. Plain Java; the Camel routes
 * only carry bytes and headers here. Nothing in here throws for bad input.
 */
public final class Inbound {

    private static final Logger LOG = LoggerFactory.getLogger(Inbound.class);
    private static final Logger ALERTS_IN = LoggerFactory.getLogger("lifeboat.alerts.in");

    /**
     * The answer to one input: {@code body} is the summary; {@code rejected} (a reason code) and
     * {@code detail} are set when it was refused; {@code integrity} is an integrity_failed event to hand
     * to the integrity responder.
     */
    public record Result(Map<String, Object> body, String rejected, String detail, HealthEvent integrity) {
        static Result accepted(Map<String, Object> body) {
            return new Result(body, null, null, null);
        }

        public boolean ok() {
            return rejected == null;
        }
    }

    private final LifeboatConfig config;
    private final HealthTracker tracker;
    private final FaultWindow faults;
    private final SafeModeService safeMode;
    private final Supplier<JobQueue> jobs;
    private final Rejections rejections;
    private final EventSink sink;
    private final Clock clock;
    private final AlertRules rules;
    private final int maxBytes;
    private volatile io.lifeboat.alerting.AlertRouting alerting;

    public Inbound(
            LifeboatConfig config,
            SafeModeService safeMode,
            Supplier<JobQueue> jobs,
            Rejections rejections,
            EventSink sink,
            Clock clock) {
        this.config = requireNonNull(config, "config");
        this.safeMode = requireNonNull(safeMode, "safeMode");
        this.jobs = requireNonNull(jobs, "jobs");
        this.rejections = requireNonNull(rejections, "rejections");
        this.sink = requireNonNull(sink, "sink");
        this.clock = requireNonNull(clock, "clock");
        this.tracker =
                new HealthTracker(config.health().flapChanges(), config.health().flapWindow(), clock);
        this.faults =
                new FaultWindow(config.safeMode().faults(), config.safeMode().window(), clock);
        this.rules = new AlertRules(config.alertRules(), config.targets().keySet());
        this.maxBytes = maxPayloadBytes(config);
    }

    /** Where incoming alerts go besides the backup rules (the receivers), and where silences are kept. */
    public Inbound alertingTo(io.lifeboat.alerting.AlertRouting alerting) {
        this.alerting = alerting;
        return this;
    }

    public static int maxPayloadBytes(LifeboatConfig config) {
        return config.mqtt() == null
                ? LifeboatConfig.MqttConfig.DEFAULT_MAX_PAYLOAD
                : config.mqtt().maxPayloadBytes();
    }

    public HealthTracker tracker() {
        return tracker;
    }

    // ---- health

    /** A health event for {@code service} (null: the JSON body names it). */
    public Result health(byte[] payload, String source, String service) {
        Instant now = clock.instant();
        HealthEvent.Parsed parsed = HealthEvent.parse(service, payload, now, maxBytes);
        if (parsed instanceof HealthEvent.Bad bad) {
            return reject(source, bad.rejected(), payload);
        }
        return accept(((HealthEvent.Ok) parsed).event(), now);
    }

    /** A message on {@code mqtt.subscriptions[index]}: a payload in its up or down list, else refused. */
    public Result subscription(int index, byte[] payload, String source) {
        LifeboatConfig.Subscription sub = config.mqtt().subscriptions().get(index);
        Payloads.Text t = Payloads.text(payload, maxBytes);
        if (t instanceof Payloads.Bad bad) {
            return reject(source, bad.rejected(), payload);
        }
        String text = ((Payloads.TextOk) t).text();
        String status = sub.up().stream().anyMatch(text::equalsIgnoreCase)
                ? "up"
                : sub.down().stream().anyMatch(text::equalsIgnoreCase) ? "down" : null;
        if (status == null) {
            return reject(
                    source,
                    new Rejected(
                            "unknown_status",
                            "'" + Payloads.printable(text) + "' is in neither up " + sub.up() + " nor down "
                                    + sub.down() + " of the subscription for " + sub.service()),
                    payload);
        }
        Instant now = clock.instant();
        return accept(new HealthEvent(sub.service(), status, "from " + sub.topic() + ": " + text, now), now);
    }

    private Result accept(HealthEvent event, Instant receivedAt) {
        Optional<HealthTracker.Outcome> outcome = tracker.observe(event.service(), event.status());
        outcome.ifPresent(o -> announce(o, event, receivedAt));
        faults.report(event.service(), event.status()).ifPresent(this::faultRule);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", true);
        body.put("service", event.service());
        body.put("status", event.status());
        body.put("changed", outcome.isPresent());
        return new Result(body, null, null, HealthEvent.INTEGRITY_FAILED.equals(event.status()) ? event : null);
    }

    private void announce(HealthTracker.Outcome o, HealthEvent event, Instant receivedAt) {
        Map<String, Object> e = new LinkedHashMap<>();
        if (o.kind() == HealthTracker.Kind.FLAPPING) {
            e.put("type", "health.flapping");
            e.put("service", o.service());
            e.put("status", o.status());
            e.put("changes", o.changes());
            e.put("window", config.health().flapWindow().toString());
            e.put("at", o.since().toString());
            LOG.warn(
                    "{} is flapping ({} changes within {}): quiet until it holds one status that long",
                    o.service(),
                    o.changes(),
                    config.health().flapWindow());
        } else {
            e.put("type", "health.changed");
            e.put("service", o.service());
            e.put("status", o.status());
            e.put("previous", o.previous() == null ? "unknown" : o.previous()); // first report since start
            e.put("at", (event == null ? o.since() : event.at()).toString());
            e.put("receivedAt", receivedAt.toString());
            if (event != null && !event.detail().isEmpty()) {
                e.put("detail", event.detail());
            }
        }
        try {
            sink.publish("events", Json.text(e).getBytes(StandardCharsets.UTF_8), false);
        } catch (RuntimeException ex) {
            LOG.warn("could not publish {}: {}", e.get("type"), ex.getMessage());
        }
    }

    /** Flapping services that settled without a new event; called now and then by a timer. */
    public void tick() {
        Instant now = clock.instant();
        for (HealthTracker.Outcome o : tracker.tick()) {
            announce(o, null, now);
        }
    }

    private void faultRule(List<String> services) {
        String list = String.join(", ", services);
        String actor = "rule: " + services.size() + " services down: " + list;
        String reason = services.size() + " services reported down or integrity_failed within "
                + config.safeMode().window() + ": " + list;
        try {
            safeMode.enter(reason, actor);
        } catch (RuntimeException e) {
            LOG.error("Safe Mode rule fired ({}) but Safe Mode could not be recorded: {}", reason, e.getMessage());
        }
    }

    // ---- commands

    /** {@code {"target","reason","requestId"}}: one backup job. */
    public Result backup(byte[] payload, String source) {
        BackupCommand.Parsed parsed =
                BackupCommand.parse(payload, maxBytes, config.targets().keySet());
        if (parsed instanceof BackupCommand.Bad bad) {
            return reject(source, bad.rejected(), payload);
        }
        BackupCommand c = ((BackupCommand.Ok) parsed).command();
        Trigger trigger = Trigger.manual((c.reason() == null ? "command" : c.reason()) + " (via " + source + ")");
        JobRequest job = c.requestId() != null
                ? new JobRequest(c.target(), trigger, "cmd:" + c.requestId())
                : JobRequest.coalesced(
                        c.target(), trigger, clock.instant(), config.artemis().coalesce());
        try {
            jobs.get().submit(job);
        } catch (RuntimeException e) {
            return queueUnavailable(source, payload, e);
        }
        LOG.info("backup of {} requested from {}: job {}", c.target(), source, job.key());
        return Result.accepted(Map.of("accepted", true, "jobs", List.of(jobSummary(job))));
    }

    /**
     * {@code {"action":"enter|resume","reason","token","by"}}. {@code actor} says who asks (e.g.
     * {@code http:127.0.0.1}; null: from the source); {@code by} in the body is added to it.
     */
    public Result safeMode(byte[] payload, String source, String actor) {
        SafeModeRequest.Parsed parsed = SafeModeRequest.parse(payload, maxBytes);
        if (parsed instanceof SafeModeRequest.Bad bad) {
            return reject(source, bad.rejected(), payload); // not read as a request: no token was taken from it
        }
        SafeModeRequest r = ((SafeModeRequest.Ok) parsed).request();
        String who = actor != null && !actor.isBlank()
                ? actor
                : source != null && source.startsWith("mqtt:") ? "mqtt" : String.valueOf(source);
        if (r.by() != null) {
            who = who + " (by " + r.by() + ")";
        }
        SafeModeService.Outcome o = SafeModeRequest.ENTER.equals(r.action())
                ? safeMode.enter(r.reason(), who)
                : safeMode.resume(r.token(), who, r.reason());
        if (!o.ok()) {
            return reject(
                    source, new Rejected(o.refused(), o.message() + " (asked by " + who + ")"), redacted(payload));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", true);
        body.put("safeMode", o.on() ? "ON" : "OFF");
        body.put("changed", o.changed());
        body.put("message", o.message());
        body.put("actor", who);
        return Result.accepted(body);
    }

    /** The request with its token replaced, for the dead-letter topic. */
    private static byte[] redacted(byte[] payload) {
        try {
            ObjectNode node = (ObjectNode) Json.MAPPER.readTree(payload);
            if (node.has("token")) {
                node.put("token", "<redacted>");
            }
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (java.io.IOException | RuntimeException e) {
            return new byte[0];
        }
    }

    // ---- alerts

    /** A Lifeboat alert or an Alertmanager webhook payload: logged, and backups for firing alerts that match a rule. */
    public Result alert(byte[] payload, String source) {
        Instant now = clock.instant();
        InboundAlert.Parsed parsed = InboundAlert.parse(payload, maxBytes, now);
        if (parsed instanceof InboundAlert.Bad bad) {
            return reject(source, bad.rejected(), payload);
        }
        InboundAlert.Ok ok = (InboundAlert.Ok) parsed;
        List<Map<String, Object>> submitted = new ArrayList<>();
        for (int i = 0; i < ok.alerts().size(); i++) {
            Alert a = ok.alerts().get(i);
            ALERTS_IN.info(
                    "alert from {}: [{}] {} {}: {} {}",
                    source,
                    a.severity(),
                    a.status(),
                    a.fingerprint(),
                    a.summary(),
                    a.labels());
            String name = a.labels().getOrDefault("alertname", a.fingerprint());
            Trigger trigger = new Trigger("alert", name + ": " + a.summary());
            for (String target : rules.targetsFor(a)) {
                // no startsAt: the same alert within one coalesce slice is one job
                String when = ok.startsAtGiven().get(i)
                        ? a.startsAt().toString()
                        : "slice"
                                + now.toEpochMilli()
                                        / Math.max(
                                                1, config.artemis().coalesce().toMillis());
                JobRequest job =
                        new JobRequest(target, trigger, "alert:" + a.fingerprint() + ":" + when + ":" + target);
                try {
                    jobs.get().submit(job);
                } catch (RuntimeException e) {
                    return queueUnavailable(source, payload, e);
                }
                submitted.add(jobSummary(job));
            }
            if (!rules.matching(a).isEmpty()) {
                LOG.info("alert {} matches {}: {} job(s)", a.fingerprint(), rules.matching(a), submitted.size());
            }
        }
        io.lifeboat.alerting.AlertRouting routing = alerting;
        if (routing != null) {
            ok.alerts().forEach(routing::accept); // to the receivers, grouped, silenced, inhibited
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", true);
        body.put("alerts", ok.alerts().size());
        body.put("jobs", submitted);
        return Result.accepted(body);
    }

    private static Map<String, Object> jobSummary(JobRequest job) {
        return Map.of("target", job.target(), "key", job.key());
    }

    // ---- silences

    /** Creates or ends a silence ({@link io.lifeboat.domain.alerting.SilenceRequest}); refusals go to the DLQ. */
    public Result silence(byte[] payload, String source, String actor) {
        io.lifeboat.alerting.AlertRouting routing = alerting;
        Instant now = clock.instant();
        var parsed = io.lifeboat.domain.alerting.SilenceRequest.parse(
                payload, io.lifeboat.domain.alerting.SilenceRequest.MAX_BYTES, now, actor == null ? source : actor);
        if (parsed instanceof io.lifeboat.domain.alerting.SilenceRequest.Bad bad) {
            return reject(source, bad.rejected(), payload);
        }
        if (routing == null) {
            return reject(source, new Rejected("unavailable", "alert routing is not running"), payload);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", true);
        if (parsed instanceof io.lifeboat.domain.alerting.SilenceRequest.Expire e) {
            if (!routing.silences().expire(e.id(), now)) {
                return reject(source, new Rejected("unknown_silence", "no silence " + e.id() + " in force"), payload);
            }
            LOG.info("silence {} ended by {}", e.id(), actor == null ? source : actor);
            body.put("expired", e.id());
            return Result.accepted(body);
        }
        var created = ((io.lifeboat.domain.alerting.SilenceRequest.Create) parsed).silence();
        routing.silences().add(created);
        LOG.info(
                "silence {} until {} for {} by {}",
                created.id(),
                created.endsAt(),
                created.matchers(),
                created.createdBy());
        body.put("silenceId", created.id());
        body.put("endsAt", created.endsAt().toString());
        return Result.accepted(body);
    }

    // ---- refusals

    /** A failure inside Lifeboat while handling input: dead-lettered as internal_error, never thrown out. */
    public Result internalError(byte[] payload, String source, Throwable error) {
        LOG.error("input from {} could not be handled", source, error);
        return reject(source, new Rejected("internal_error", "Lifeboat failed handling it: " + error), payload);
    }

    /**
     * The job queue's broker cannot take the job (an external Artemis that is down): the request is
     * dead-lettered with reason queue_unavailable, so it is visible and can be sent again; the HTTP API
     * answers 503.
     */
    private Result queueUnavailable(String source, byte[] payload, RuntimeException e) {
        LOG.error("input from {} could not be queued: {}", source, e.getMessage());
        return reject(
                source,
                new Rejected("queue_unavailable", "the job queue cannot take it now (" + e.getMessage() + ")"),
                payload);
    }

    private Result reject(String source, Rejected r, byte[] payload) {
        rejections.reject(source, r, payload, payload == null ? 0 : payload.length);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", false);
        body.put("reason", r.reason());
        body.put("detail", r.detail());
        return new Result(body, r.reason(), r.detail(), null);
    }
}
