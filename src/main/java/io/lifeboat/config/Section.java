package io.lifeboat.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.domain.Durations;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One YAML mapping at a known key path, read field by field. Every getter reports a wrong or
 * missing value as a problem under its full key ({@code targets.app-db.port}) and returns null,
 * so reading goes on and all problems are found in one pass.
 */
final class Section {

    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?\\d{1,10}");

    private final JsonNode node;
    private final String path;
    private final Problems problems;
    private final Interpolator interpolator;
    private final Path baseDir;

    Section(JsonNode node, String path, Problems problems, Interpolator interpolator, Path baseDir) {
        this.node = requireNonNull(node, "node");
        this.path = requireNonNull(path, "path");
        this.problems = requireNonNull(problems, "problems");
        this.interpolator = requireNonNull(interpolator, "interpolator");
        this.baseDir = requireNonNull(baseDir, "baseDir");
    }

    /** A string value as read: the text to use, and how to quote it in a message without leaking it. */
    record Text(String value, String shown) {}

    String path() {
        return path;
    }

    Problems problems() {
        return problems;
    }

    String key(String field) {
        String name = Problems.printable(field);
        return path.isEmpty() ? name : path + "." + name;
    }

    void problem(String field, String message) {
        problems.add(key(field), message);
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    JsonNode raw(String field) {
        return node.get(field);
    }

    Iterator<Map.Entry<String, JsonNode>> fields() {
        return node.fields();
    }

    /** Reports every key outside {@code known}; a key in {@code elsewhere} gets {@code reason} instead. */
    void allowOnly(Set<String> known, Set<String> elsewhere, String reason) {
        node.fieldNames().forEachRemaining(name -> {
            if (known.contains(name)) {
                return;
            }
            if (elsewhere.contains(name)) {
                problem(name, reason);
                return;
            }
            String near = Problems.closest(name, new TreeSet<>(known));
            problem(name, near == null ? "unknown key" : "unknown key; did you mean '" + near + "'?");
        });
    }

    void allowOnly(Set<String> known) {
        allowOnly(known, Set.of(), "");
    }

    /** A nested mapping; empty when absent or null, a problem when it is not a mapping. */
    Optional<Section> section(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            problem(field, "expected a map (key: value lines), got " + type(v));
            return Optional.empty();
        }
        return Optional.of(new Section(v, key(field), problems, interpolator, baseDir));
    }

    /** A list of maps, such as {@code validate: [{sql: ..., min: 1}]}; empty when absent. */
    List<Section> sections(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            problem(field, "expected a list of maps, got " + type(v));
            return List.of();
        }
        List<Section> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isObject()) {
                problem(field + "[" + i + "]", "expected a map, got " + type(e));
                continue;
            }
            out.add(new Section(e, key(field) + "[" + i + "]", problems, interpolator, baseDir));
        }
        return out;
    }

    Optional<Section> requiredSection(String field) {
        if (!has(field)) {
            problem(field, "required");
            return Optional.empty();
        }
        return section(field);
    }

    /** A string with {@code ${ENV}} resolved; null when absent, null or empty after resolving. */
    Text text(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            problem(
                    field,
                    "expected a string, got " + v.asText() + " (YAML reads yes/no/true/false as booleans; quote it)");
            return null;
        }
        if (!v.isTextual() && !v.isNumber()) {
            problem(field, "expected a string, got " + type(v));
            return null;
        }
        return resolve(field, v.asText());
    }

    Text resolve(String field, String raw) {
        Interpolator.Result r = interpolator.resolve(raw);
        r.errors().forEach(e -> problem(field, e));
        if (!r.ok() || r.value().isEmpty()) {
            return null;
        }
        Redaction.noteField(key(field), r.value());
        return new Text(
                r.value(),
                r.fromEnvironment() ? "'" + Problems.printable(raw) + "'" : "'" + Problems.printable(r.value()) + "'");
    }

    String string(String field) {
        Text t = text(field);
        return t == null ? null : t.value();
    }

    String string(String field, String fallback) {
        return has(field) ? string(field) : fallback;
    }

    Text requiredText(String field) {
        if (!has(field)) {
            problem(field, "required");
            return null;
        }
        int before = problems.count();
        Text t = text(field);
        if (t == null && problems.count() == before) {
            problem(field, "must not be empty");
        }
        return t;
    }

    String requiredString(String field) {
        Text t = requiredText(field);
        return t == null ? null : t.value();
    }

    /** A whole number in [min, max]; a YAML number or a string such as {@code "${PORT:-5432}"}. */
    Integer integer(String field, int fallback, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        long value;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            value = v.asLong();
        } else if (v.isTextual()) {
            Text t = resolve(field, v.asText());
            if (t == null || !WHOLE_NUMBER.matcher(t.value().trim()).matches()) {
                if (t != null) {
                    problem(field, "expected a whole number, got " + t.shown());
                }
                return null;
            }
            value = Long.parseLong(t.value().trim());
        } else {
            problem(field, "expected a whole number, got " + type(v));
            return null;
        }
        if (value < min || value > max) {
            problem(field, "must be between " + min + " and " + max + ", got " + value);
            return null;
        }
        return (int) value;
    }

    Boolean bool(String field, boolean fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        Text t = v.isTextual() ? resolve(field, v.asText()) : null;
        if (t != null && (t.value().equals("true") || t.value().equals("false"))) {
            return Boolean.parseBoolean(t.value());
        }
        problem(field, "expected true or false, got " + (t != null ? t.shown() : type(v)));
        return null;
    }

    Duration duration(String field, boolean required) {
        Text t = required ? requiredText(field) : text(field);
        if (t == null) {
            return null;
        }
        try {
            return Durations.parse(t.value());
        } catch (RuntimeException e) {
            problem(field, "bad duration " + t.shown() + " (use e.g. 30s, 5m, 26h, 7d, 1h30m)");
            return null;
        }
    }

    /** A path; a relative one resolves against the folder that holds the config file. */
    Path path(String field, boolean required) {
        Text t = required ? requiredText(field) : text(field);
        return t == null ? null : toPath(field, t);
    }

    Path path(String field, String fallback) {
        return has(field) ? path(field, true) : toPath(field, new Text(fallback, fallback));
    }

    private Path toPath(String field, Text t) {
        try {
            return baseDir.resolve(t.value()).normalize();
        } catch (InvalidPathException e) {
            problem(field, "not a valid path: " + t.shown());
            return null;
        }
    }

    /** A non-empty list of strings. */
    List<String> strings(String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            problem(field, "required");
            return null;
        }
        if (!v.isArray() || v.isEmpty()) {
            problem(
                    field,
                    v.isArray()
                            ? "must not be empty"
                            : "expected a list such as [\"sh\", \"-c\", \"...\"], got " + type(v));
            return null;
        }
        List<String> out = new ArrayList<>();
        int before = problems.count();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            String at = field + "[" + i + "]";
            if (!e.isTextual() && !e.isNumber()) {
                problem(at, "expected a string, got " + type(e));
                continue;
            }
            Interpolator.Result r = interpolator.resolve(e.asText());
            r.errors().forEach(m -> problem(at, m));
            out.add(r.value());
        }
        if (problems.count() == before && out.get(0).isBlank()) {
            problem(field + "[0]", "the program to run must not be empty");
        }
        return problems.count() == before ? List.copyOf(out) : null;
    }

    static String type(JsonNode v) {
        if (v.isObject()) return "a map";
        if (v.isArray()) return "a list";
        if (v.isBoolean()) return "a boolean";
        if (v.isNumber()) return "a number";
        if (v.isTextual()) return "a string";
        if (v.isNull()) return "nothing";
        return "a " + v.getNodeType().name().toLowerCase();
    }
}
