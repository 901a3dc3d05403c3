package io.lifeboat.config;

import io.lifeboat.domain.TargetKind;
import java.text.ParseException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.quartz.CronExpression;

/** Reads one entry of {@code targets}. */
final class Targets {

    /** A target's name is a storage prefix and an MQTT topic level. */
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,16}");
    private static final Set<String> COMMON = Set.of("kind", "schedule", "rpo", "retention", "drill", "autoRestore");
    private static final Map<TargetKind, Set<String>> KIND_KEYS = Map.of(
            TargetKind.POSTGRES, Set.of("host", "port", "database", "user", "password"),
            TargetKind.REDIS, Set.of("url", "password"),
            TargetKind.DIRECTORY, Set.of("path"),
            TargetKind.COMMAND, Set.of("command", "extension"));
    private static final Set<String> RETENTION_COUNTS =
            Set.of("last", "hourly", "daily", "weekly", "monthly", "yearly");
    private static final List<String> RETENTION_ORDER =
            List.of("last", "hourly", "daily", "weekly", "monthly", "yearly", "within");

    private Targets() {}

    static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    /** The target, or null when it has problems (they are reported to the section's Problems). */
    static TargetConfig read(String name, Section t) {
        int before = t.problems().count();
        Section.Text kindText = t.requiredText("kind");
        TargetKind kind = null;
        if (kindText != null) {
            kind = TargetKind.parse(kindText.value()).orElse(null);
            if (kind == null) {
                t.problem("kind", "unknown kind " + kindText.shown() + " (expected " + kinds() + ")");
            }
        }
        checkKeys(t, kind);
        String schedule = cron(t);
        Duration rpo = t.duration("rpo", true);
        Map<String, Object> retention = retention(t);
        if (t.has("drill") && !t.raw("drill").isObject()) {
            t.problem("drill", "expected a map (schedule, rto, validate), got " + Section.type(t.raw("drill")));
        }
        t.bool("autoRestore", false);

        String host = null, database = null, user = null, password = null, url = null, extension = null;
        Integer port = null;
        java.nio.file.Path path = null;
        List<String> command = null;
        if (kind == TargetKind.POSTGRES) {
            host = java.util.Objects.requireNonNullElse(t.string("host"), "127.0.0.1");
            port = t.integer("port", 5432, 1, 65535);
            database = t.requiredString("database");
            user = t.string("user");
            password = t.string("password");
        } else if (kind == TargetKind.REDIS) {
            Section.Text u = t.requiredText("url");
            if (u != null && !u.value().startsWith("redis://") && !u.value().startsWith("rediss://")) {
                t.problem("url", "must start with redis:// or rediss://");
            }
            url = u == null ? null : u.value();
            password = t.string("password");
        } else if (kind == TargetKind.DIRECTORY) {
            path = t.path("path", true);
        } else if (kind == TargetKind.COMMAND) {
            command = t.strings("command");
            Section.Text ext = t.text("extension");
            if (ext != null && !EXTENSION.matcher(ext.value()).matches()) {
                t.problem("extension", "must be 1 to 16 of a-z 0-9, got " + ext.shown());
            }
            extension = ext == null ? null : ext.value();
        }
        if (t.problems().count() != before) {
            return null;
        }
        return new TargetConfig(
                name, kind, schedule, rpo, host, port, database, user, password, url, path, command, extension,
                retention);
    }

    private static void checkKeys(Section t, TargetKind kind) {
        Set<String> other = new HashSet<>();
        KIND_KEYS.values().forEach(other::addAll);
        if (kind == null) {
            Set<String> known = new HashSet<>(COMMON);
            known.addAll(other);
            t.allowOnly(known);
            return;
        }
        Set<String> known = new HashSet<>(COMMON);
        known.addAll(KIND_KEYS.get(kind));
        t.allowOnly(known, other, "not used by kind " + kind.configName());
    }

    private static String cron(Section t) {
        Section.Text text = t.requiredText("schedule");
        if (text == null) {
            return null;
        }
        String cron = text.value().trim();
        int fields = cron.split("\\s+").length;
        if (fields < 6 || fields > 7) {
            t.problem(
                    "schedule",
                    "bad cron " + text.shown()
                            + ": expected 6 or 7 fields (second minute hour day month weekday [year]), got " + fields);
            return null;
        }
        try {
            new CronExpression(cron);
            return cron;
        } catch (ParseException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : Problems.printable(e.getMessage());
            // Quartz quotes parts of the expression; keep it out of the message when it came from the environment
            t.problem("schedule", "bad cron " + text.shown() + (text.shown().contains("${") ? "" : ": " + why));
            return null;
        }
    }

    private static Map<String, Object> retention(Section t) {
        if (!t.has("retention")) {
            return Map.of();
        }
        return t.section("retention")
                .map(r -> {
                    Set<String> known = new HashSet<>(RETENTION_COUNTS);
                    known.add("within");
                    r.allowOnly(known);
                    Map<String, Object> out = new LinkedHashMap<>();
                    for (String key : RETENTION_ORDER) {
                        if (!r.has(key)) {
                            continue;
                        }
                        Object value = key.equals("within") ? r.duration(key, true) : r.integer(key, 0, 0, 1_000_000);
                        if (value != null) {
                            out.put(key, value);
                        }
                    }
                    return Collections.unmodifiableMap(out);
                })
                .orElse(Map.of());
    }

    private static String kinds() {
        return Arrays.stream(TargetKind.values()).map(TargetKind::configName).collect(Collectors.joining(", "));
    }
}
