package io.lifeboat.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.config.LifeboatConfig.AlertingConfig;
import io.lifeboat.config.LifeboatConfig.FlapConfig;
import io.lifeboat.config.LifeboatConfig.HomeAssistantConfig;
import io.lifeboat.config.LifeboatConfig.InhibitRule;
import io.lifeboat.config.LifeboatConfig.ReceiverConfig;
import io.lifeboat.config.LifeboatConfig.RouteConfig;
import io.lifeboat.config.LifeboatConfig.SilenceConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads {@code alerting.receivers}, {@code route}, {@code inhibit}, {@code silences}, {@code flap} and
 * {@code rpoCheck}, and the {@code homeassistant} section. Alertmanager's snake_case keys
 * ({@code group_by}, {@code group_wait}, {@code match_re}, {@code source_match}, …) are accepted beside
 * the camelCase ones, so a route copied from an Alertmanager config reads as it did there.
 */
final class AlertingSection {

    static final Set<String> KEYS = Set.of("backupOn", "receivers", "route", "inhibit", "silences", "flap", "rpoCheck");
    private static final Set<String> TYPES = Set.of("telegram", "homeassistant", "webhook", "mqtt");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern CHAT = Pattern.compile("-?\\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31}");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,99}");

    private AlertingSection() {}

    static AlertingConfig read(Section a) {
        Map<String, ReceiverConfig> receivers = new LinkedHashMap<>();
        a.section("receivers")
                .ifPresent(r -> r.fields().forEachRemaining(e -> {
                    String name = e.getKey();
                    if (!NAME.matcher(name).matches()) {
                        r.problem(name, "a receiver name is letters, digits, . _ - (at most 64)");
                        return;
                    }
                    r.section(name).map(s -> receiver(name, s)).ifPresent(rc -> receivers.put(name, rc));
                }));
        RouteConfig route =
                a.section("route").map(r -> route(r, receivers, true)).orElse(null);
        if (route == null && !receivers.isEmpty() && !a.has("route")) {
            a.problem("route", "required when receivers are configured: which alerts go where, e.g. {receiver: phone}");
        }
        if (route != null && receivers.isEmpty()) {
            a.problem("receivers", "required: the route names receivers");
        }
        List<InhibitRule> inhibit = new ArrayList<>();
        for (Section i : a.sections("inhibit")) {
            i.allowOnly(Set.of("sourceMatch", "source_match", "targetMatch", "target_match", "equal"));
            Map<String, String> source = labels(i, "sourceMatch", "source_match");
            Map<String, String> target = labels(i, "targetMatch", "target_match");
            if (source.isEmpty()) {
                i.problem("sourceMatch", "required: which alert inhibits, e.g. {alertname: HostDown}");
            }
            if (target.isEmpty()) {
                i.problem("targetMatch", "required: which alerts it inhibits, e.g. {severity: warning}");
            }
            List<String> equal = i.has("equal") ? i.strings("equal") : List.of();
            inhibit.add(new InhibitRule(source, target, equal == null ? List.of() : equal));
        }
        List<SilenceConfig> silences = new ArrayList<>();
        for (Section s : a.sections("silences")) {
            s.allowOnly(Set.of("matchers", "endsAt", "comment"));
            Map<String, String> matchers = labels(s, "matchers", "matchers");
            if (matchers.isEmpty()) {
                s.problem("matchers", "required: a silence without matchers would silence everything");
            }
            Section.Text ends = s.requiredText("endsAt");
            Instant endsAt = null;
            if (ends != null) {
                try {
                    endsAt = java.time.OffsetDateTime.parse(ends.value()).toInstant();
                } catch (DateTimeParseException e) {
                    s.problem("endsAt", "must be an ISO-8601 time such as 2026-12-01T00:00:00Z, got " + ends.shown());
                }
            }
            if (endsAt != null && !matchers.isEmpty()) {
                silences.add(new SilenceConfig(matchers, endsAt, s.string("comment")));
            }
        }
        FlapConfig flap = a.section("flap")
                .map(f -> {
                    f.allowOnly(Set.of("changes", "window"));
                    Integer changes = f.integer("changes", FlapConfig.DEFAULT.changes(), 2, 1000);
                    Duration window = f.duration("window", false);
                    return new FlapConfig(
                            changes == null ? FlapConfig.DEFAULT.changes() : changes,
                            window == null ? FlapConfig.DEFAULT.window() : window);
                })
                .orElse(FlapConfig.DEFAULT);
        Duration rpoCheck = a.duration("rpoCheck", false);
        if (rpoCheck != null && rpoCheck.compareTo(Duration.ofSeconds(1)) < 0) {
            a.problem("rpoCheck", "must be at least 1s");
        }
        return new AlertingConfig(receivers, route, inhibit, silences, flap, rpoCheck);
    }

    private static ReceiverConfig receiver(String name, Section s) {
        s.allowOnly(Set.of(
                "type",
                "url",
                "baseUri",
                "token",
                "chats",
                "notify",
                "persistent",
                "topic",
                "headers",
                "perSecond",
                "timeout"));
        String type = s.requiredString("type");
        if (type != null && !TYPES.contains(type)) {
            s.problem("type", "must be one of telegram, homeassistant, webhook, mqtt; got '" + type + "'");
        }
        String url = s.string(s.has("baseUri") ? "baseUri" : "url");
        Section.Text token = s.text("token");
        List<String> chats = List.of();
        double defaultRate = 0;
        if ("telegram".equals(type)) {
            defaultRate = 1; // Telegram: about one message a second per chat
            if (token == null && !s.has("token")) {
                s.problem("token", "required: the bot token, e.g. \"${TELEGRAM_BOT_TOKEN}\"");
            } else if (token != null && !token.value().matches("\\d{1,20}:[A-Za-z0-9_-]{20,100}")) {
                s.problem("token", "does not look like a bot token (digits:letters, from @BotFather)");
            }
            chats = s.strings("chats");
            if (chats != null) {
                for (String c : chats) {
                    if (!CHAT.matcher(c).matches()) {
                        s.problem(
                                "chats",
                                "'" + Problems.printable(c)
                                        + "' is not a chat id (digits, -digits for groups, or @channel)");
                    }
                }
            } else {
                chats = List.of();
            }
            if (url != null) {
                httpUrl(s, s.has("baseUri") ? "baseUri" : "url", url);
            }
        } else if ("homeassistant".equals(type)) {
            if (url == null) {
                s.problem("url", "required: Home Assistant's address, e.g. http://homeassistant:8123");
            } else {
                httpUrl(s, "url", url);
            }
            if (!s.has("token")) {
                s.problem("token", "required: a long-lived access token, e.g. \"${HA_TOKEN}\"");
            }
        } else if ("webhook".equals(type)) {
            if (url == null) {
                s.problem("url", "required: where to POST the notices");
            } else {
                httpUrl(s, "url", url);
            }
        }
        String notify = s.string("notify");
        if (notify != null && !notify.matches("[a-z0-9_]{1,100}")) {
            s.problem(
                    "notify",
                    "is a notify service name such as mobile_app_phone, got '" + Problems.printable(notify) + "'");
        }
        Boolean persistent = s.bool("persistent", true);
        String topic = s.string("topic");
        if (topic != null && (topic.contains("#") || topic.contains("+") || topic.startsWith("/"))) {
            s.problem("topic", "must be a plain topic relative to the prefix, e.g. notify/phone");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        s.section("headers")
                .ifPresent(h -> h.fields().forEachRemaining(e -> {
                    String v = h.string(e.getKey());
                    if (v != null) {
                        headers.put(e.getKey(), v);
                    }
                }));
        double perSecond = defaultRate;
        JsonNode rate = s.raw("perSecond");
        if (rate != null && !rate.isNull()) {
            if (!rate.isNumber() || rate.asDouble() < 0 || rate.asDouble() > 1000) {
                s.problem("perSecond", "must be a number from 0 (no limit) to 1000");
            } else {
                perSecond = rate.asDouble();
            }
        }
        Duration timeout = s.duration("timeout", false);
        return new ReceiverConfig(
                name,
                type == null ? "invalid" : type,
                url,
                token == null ? null : token.value(),
                chats,
                notify,
                persistent == null || persistent,
                topic,
                headers,
                perSecond,
                timeout);
    }

    private static void httpUrl(Section s, String field, String url) {
        if (!url.matches("https?://[^\\s/$.?#][^\\s]*")) {
            s.problem(field, "must be an http:// or https:// address, got '" + Problems.printable(url) + "'");
        }
    }

    private static RouteConfig route(Section r, Map<String, ReceiverConfig> receivers, boolean root) {
        r.allowOnly(Set.of(
                "receiver",
                "match",
                "matchRe",
                "match_re",
                "continue",
                "groupBy",
                "group_by",
                "groupWait",
                "group_wait",
                "groupInterval",
                "group_interval",
                "repeatInterval",
                "repeat_interval",
                "routes"));
        String receiver = r.string("receiver");
        if (receiver == null && root) {
            r.problem("receiver", "required at the root route: where alerts go that no child route takes");
        }
        if (receiver != null && !receivers.isEmpty() && !receivers.containsKey(receiver)) {
            r.problem("receiver", "names '" + receiver + "', which is not in alerting.receivers " + receivers.keySet());
        }
        Map<String, String> match = labels(r, "match", "match");
        Map<String, String> matchRe = labels(r, "matchRe", "match_re");
        matchRe.forEach((k, v) -> {
            try {
                Pattern.compile(v);
            } catch (PatternSyntaxException e) {
                r.problem("matchRe", k + ": '" + Problems.printable(v) + "' is not a regular expression");
            }
        });
        if (root && (!match.isEmpty() || !matchRe.isEmpty())) {
            r.problem("match", "the root route takes every alert; put matchers on its routes");
        }
        Boolean cont = r.bool("continue", false);
        String groupByKey = r.has("group_by") ? "group_by" : "groupBy";
        List<String> groupBy = null;
        if (r.has(groupByKey)) {
            groupBy = r.strings(groupByKey);
            if (groupBy != null) {
                for (String l : groupBy) {
                    if (!l.equals("...") && !LABEL.matcher(l).matches()) {
                        r.problem(groupByKey, "'" + Problems.printable(l) + "' is not a label name");
                    }
                }
            }
        }
        List<RouteConfig> routes = new ArrayList<>();
        for (Section child : r.sections("routes")) {
            routes.add(route(child, receivers, false));
        }
        return new RouteConfig(
                receiver,
                match,
                matchRe,
                cont != null && cont,
                groupBy,
                duration(r, "groupWait", "group_wait"),
                duration(r, "groupInterval", "group_interval"),
                duration(r, "repeatInterval", "repeat_interval"),
                routes);
    }

    private static Duration duration(Section r, String camel, String snake) {
        return r.duration(r.has(snake) ? snake : camel, false);
    }

    private static Map<String, String> labels(Section s, String camel, String snake) {
        String key = s.has(snake) ? snake : camel;
        Map<String, String> out = new LinkedHashMap<>();
        s.section(key).ifPresent(m -> {
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!LABEL.matcher(e.getKey()).matches()) {
                    m.problem(e.getKey(), "is not a label name");
                    continue;
                }
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    m.problem(e.getKey(), "expected a label value (text), got " + Section.type(e.getValue()));
                    continue;
                }
                out.put(e.getKey(), e.getValue().asText());
            }
        });
        return out;
    }

    static HomeAssistantConfig homeAssistant(Section h) {
        h.allowOnly(Set.of("discovery", "prefix", "nodeId", "resumeTokenEntity"));
        HomeAssistantConfig d = HomeAssistantConfig.OFF;
        Boolean discovery = h.bool("discovery", true);
        String prefix = h.string("prefix", d.prefix());
        if (prefix != null && !prefix.matches("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")) {
            h.problem("prefix", "must be a plain topic prefix such as homeassistant");
        }
        String nodeId = h.string("nodeId", d.nodeId());
        if (nodeId != null && !nodeId.matches("[A-Za-z0-9_-]{1,64}")) {
            h.problem("nodeId", "letters, digits, _ and - only (it goes into topics and unique ids)");
        }
        String entity = h.string("resumeTokenEntity", d.resumeTokenEntity());
        if (entity != null && !entity.matches("[a-z_]+\\.[a-z0-9_]+")) {
            h.problem("resumeTokenEntity", "must be an entity id such as input_text.lifeboat_resume_token");
        }
        return new HomeAssistantConfig(
                discovery == null || discovery,
                prefix == null ? d.prefix() : prefix,
                nodeId == null ? d.nodeId() : nodeId,
                entity == null ? d.resumeTokenEntity() : entity);
    }
}
