package io.lifeboat.config;

import io.lifeboat.domain.RetentionPolicy;
import io.lifeboat.domain.TargetKind;
import io.lifeboat.domain.Validation;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
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
            TargetKind.COMMAND, Set.of("command", "extension", "restore"));
    private static final Set<String> RETENTION_KEYS =
            Set.of("last", "hourly", "daily", "weekly", "monthly", "yearly", "within");
    /** The check each kind's drill validation uses. */
    private static final Map<TargetKind, String> VALIDATION_KEY = Map.of(
            TargetKind.POSTGRES, "sql",
            TargetKind.REDIS, "keys",
            TargetKind.DIRECTORY, "files",
            TargetKind.COMMAND, "command");

    private Targets() {}

    static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    /** Names a target cannot have because the store uses them as top-level prefixes of its own. */
    static boolean reserved(String name) {
        return io.lifeboat.domain.StorageLayout.SETS.equals(name);
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
        RetentionPolicy retention = retention(t);
        TargetKind drillKind = kind;
        DrillConfig drill = t.section("drill").map(d -> drill(d, drillKind)).orElse(null);
        Boolean autoRestore = t.bool("autoRestore", false);
        if (Boolean.TRUE.equals(autoRestore) && kind != null && kind != TargetKind.POSTGRES) {
            t.problem("autoRestore", "is only supported for kind postgres (it restores to a scratch database first)");
        }
        List<String> restoreCommand = null;

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
            restoreCommand = t.has("restore") ? t.strings("restore") : null;
        }
        if (t.problems().count() != before) {
            return null;
        }
        return new TargetConfig(
                name,
                kind,
                schedule,
                rpo,
                host,
                port,
                database,
                user,
                password,
                url,
                path,
                command,
                extension,
                retention,
                drill,
                Boolean.TRUE.equals(autoRestore),
                restoreCommand);
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

    static String cron(Section t) {
        return cron(t, t.requiredText("schedule"));
    }

    static String cron(Section t, Section.Text text) {
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

    private static RetentionPolicy retention(Section t) {
        if (!t.has("retention")) {
            return RetentionPolicy.KEEP_ALL;
        }
        return t.section("retention")
                .map(r -> {
                    r.allowOnly(RETENTION_KEYS);
                    int before = r.problems().count();
                    int last = count(r, "last"), hourly = count(r, "hourly"), daily = count(r, "daily");
                    int weekly = count(r, "weekly"), monthly = count(r, "monthly"), yearly = count(r, "yearly");
                    Duration within = r.duration("within", false);
                    return r.problems().count() == before
                            ? new RetentionPolicy(last, hourly, daily, weekly, monthly, yearly, within)
                            : null;
                })
                .orElse(RetentionPolicy.KEEP_ALL);
    }

    private static int count(Section r, String key) {
        Integer n = r.integer(key, 0, 0, 1_000_000);
        return n == null ? 0 : n;
    }

    private static DrillConfig drill(Section d, TargetKind kind) {
        d.allowOnly(Set.of("schedule", "rto", "validate"));
        String schedule = null;
        Section.Text cronText = d.text("schedule");
        if (cronText != null) {
            schedule = cron(d, cronText);
        }
        Duration rto = d.duration("rto", false);
        List<Validation> checks = new ArrayList<>();
        for (Section v : d.sections("validate")) {
            String expected = kind == null ? null : VALIDATION_KEY.get(kind);
            Set<String> known = new HashSet<>(Set.of("min", "max"));
            if (expected != null) {
                known.add(expected);
            }
            Set<String> other = new HashSet<>(VALIDATION_KEY.values());
            other.removeAll(known);
            v.allowOnly(known, other, kind == null ? "" : "not used by kind " + kind.configName());
            String check = expected == null ? null : v.requiredString(expected);
            Long min = v.has("min") ? longOrNull(v.integer("min", 0, 0, Integer.MAX_VALUE)) : null;
            Long max = v.has("max") ? longOrNull(v.integer("max", 0, 0, Integer.MAX_VALUE)) : null;
            if (min != null && max != null && min > max) {
                v.problem("max", "must not be below min (" + min + "), got " + max);
            }
            if (check != null && kind != null) {
                checks.add(new Validation(
                        kind == TargetKind.POSTGRES ? check : null,
                        kind == TargetKind.REDIS ? check : null,
                        kind == TargetKind.DIRECTORY ? check : null,
                        kind == TargetKind.COMMAND ? check : null,
                        min,
                        max));
            }
        }
        return new DrillConfig(schedule, rto, checks);
    }

    private static Long longOrNull(Integer n) {
        return n == null ? null : n.longValue();
    }

    private static String kinds() {
        return Arrays.stream(TargetKind.values()).map(TargetKind::configName).collect(Collectors.joining(", "));
    }
}
