package io.lifeboat.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The rules docker-compose.yml keeps, each a function from the file's text to the problems found, so
 * that a test can show every rule catching a broken copy of the file (a check that cannot fail is no
 * check). Paths resolve against the repository folder.
 */
final class ComposeChecks {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME:?message}} and the other compose forms. */
    static final Pattern VARIABLE = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?}");
    /** An environment entry or option whose name says it holds a secret. */
    static final Pattern SECRET_NAME = Pattern.compile("(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|_KEY|APIKEY|CREDENTIAL).*");
    /** A whole value that is one variable reference: what a secret must be. */
    static final Pattern ONLY_VARIABLE = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*(:?[-?][^}]*)?}");
    /** A password given on a command line (mosquitto_sub -P, --password) that is not a variable. */
    static final Pattern INLINE_PASSWORD = Pattern.compile("(?:\\s-P|--password|--pass)[\\s=]+['\"]?(?![$'\"])(\\S+)");

    private final Path repo;

    ComposeChecks(Path repo) {
        this.repo = repo;
    }

    static JsonNode parse(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Iterable<Map.Entry<String, JsonNode>> services(JsonNode compose) {
        List<Map.Entry<String, JsonNode>> list = new ArrayList<>();
        compose.path("services").fields().forEachRemaining(list::add);
        return list;
    }

    /** Every file or folder a service mounts from the repository exists, or is made by a script and git-ignored. */
    List<String> mountedFilesExist(String composeText) {
        List<String> problems = new ArrayList<>();
        String gitignore = read(repo.resolve(".gitignore"));
        String scripts = scriptsText();
        for (var s : services(parse(composeText))) {
            for (JsonNode v : s.getValue().path("volumes")) {
                String source = v.isTextual()
                        ? v.asText().split(":")[0]
                        : v.path("source").asText();
                if (!source.startsWith("./") && !source.startsWith("../")) {
                    continue; // a named volume
                }
                String relative = source.substring(2);
                if (Files.exists(repo.resolve(relative))) {
                    continue;
                }
                boolean ignored = gitignore
                        .lines()
                        .anyMatch(l -> l.strip().equals(relative) || l.strip().equals(relative + "/"));
                String name = Path.of(relative).getFileName().toString();
                boolean made = scripts.contains("/" + name) || scripts.contains(name + "/");
                if (!(ignored && made)) {
                    problems.add(s.getKey() + " mounts " + source + ", which does not exist"
                            + (ignored ? " and no mosquitto/make-*.sh script makes it" : " and is not git-ignored"));
                }
            }
        }
        return problems;
    }

    /** Every {@code ${VAR}} the Lifeboat config reads is in the lifeboat service's environment. */
    List<String> lifeboatGetsEveryVariable(String composeText, String lifeboatConfigText) {
        JsonNode env = parse(composeText).path("services").path("lifeboat").path("environment");
        List<String> problems = new ArrayList<>();
        for (String name : variables(stripComments(lifeboatConfigText)).keySet()) {
            if (!env.has(name)) {
                problems.add("config/lifeboat.compose.yaml reads ${" + name
                        + "}, which the lifeboat service's environment does not pass");
            }
        }
        return problems;
    }

    /** No host port is published twice (profiles included: they can run together). */
    static List<String> hostPortsDistinct(String composeText) {
        Map<String, String> seen = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (var s : services(parse(composeText))) {
            for (JsonNode p : s.getValue().path("ports")) {
                String host = hostPort(p);
                if (host == null) {
                    continue;
                }
                String other = seen.putIfAbsent(host, s.getKey());
                if (other != null) {
                    problems.add("host port " + host + " is published by " + other + " and " + s.getKey());
                }
            }
        }
        return problems;
    }

    /** {@code [address:]host:container[/proto]} with variables resolved to their defaults; null when not published. */
    static String hostPort(JsonNode p) {
        if (p.isObject()) {
            return p.has("published") ? p.path("published").asText() : null;
        }
        String spec = VARIABLE.matcher(p.asText())
                .replaceAll(m -> m.group(3) == null ? "" : Matcher.quoteReplacement(m.group(3)));
        String proto = spec.contains("/") ? spec.substring(spec.indexOf('/')) : "/tcp";
        String[] parts = spec.replaceAll("/.*", "").split(":");
        return parts.length < 2 ? null : parts[parts.length - 2] + proto;
    }

    /** No secret written in the file: secret-named values are variables, no password on a command line. */
    static List<String> noInlineSecret(String composeText) {
        List<String> problems = new ArrayList<>();
        for (var s : services(parse(composeText))) {
            walk(s.getValue(), s.getKey(), (path, key, value) -> {
                if (key != null
                        && SECRET_NAME.matcher(key).matches()
                        && !ONLY_VARIABLE.matcher(value).matches()) {
                    problems.add(path + " holds a literal; a secret must be ${VARIABLE} from .env");
                }
                Matcher m = INLINE_PASSWORD.matcher(" " + value);
                if (m.find()) {
                    problems.add(path + " passes a literal password on a command line ("
                            + m.group().strip() + ")");
                }
            });
        }
        return problems;
    }

    /** Every service has a health check that runs something. */
    static List<String> everyServiceHasHealthcheck(String composeText) {
        List<String> problems = new ArrayList<>();
        for (var s : services(parse(composeText))) {
            JsonNode h = s.getValue().path("healthcheck");
            JsonNode test = h.path("test");
            boolean disabled = h.path("disable").asBoolean(false)
                    || (test.isArray()
                            && test.size() > 0
                            && test.get(0).asText().equals("NONE"));
            boolean runs = (test.isArray() && test.size() > 1)
                    || (test.isTextual() && !test.asText().isBlank());
            if (disabled || !runs) {
                problems.add(s.getKey() + " has no health check");
            }
        }
        return problems;
    }

    /** Home Assistant runs only with --profile homeassistant, and nothing else needs that profile. */
    static List<String> homeAssistantOnlyUnderItsProfile(String composeText) {
        List<String> problems = new ArrayList<>();
        boolean found = false;
        for (var s : services(parse(composeText))) {
            boolean ha = s.getValue().path("image").asText().contains("home-assistant");
            Set<String> profiles = new TreeSet<>();
            s.getValue().path("profiles").forEach(p -> profiles.add(p.asText()));
            found |= ha;
            if (ha && !profiles.equals(Set.of("homeassistant"))) {
                problems.add(s.getKey() + " (Home Assistant) must have profiles: [homeassistant], has " + profiles);
            }
            if (!ha && !profiles.isEmpty()) {
                problems.add(s.getKey() + " is under profiles " + profiles + ": only Home Assistant is optional");
            }
        }
        if (!found) {
            problems.add("no Home Assistant service (image ghcr.io/home-assistant/home-assistant)");
        }
        return problems;
    }

    /** .env.example names every variable the compose file requires or reads without a default. */
    static List<String> envExampleNamesEveryRequiredVariable(String composeText, String envExample) {
        Set<String> named = new TreeSet<>();
        envExample.lines().map(String::strip).forEach(l -> {
            Matcher m = Pattern.compile("^#?\\s*([A-Za-z_][A-Za-z0-9_]*)=").matcher(l);
            if (m.find()) {
                named.add(m.group(1));
            }
        });
        List<String> problems = new ArrayList<>();
        for (var e : variables(stripComments(composeText)).entrySet()) {
            String op = e.getValue();
            boolean required = op == null || op.contains("?");
            if (required && !named.contains(e.getKey())) {
                problems.add("docker-compose.yml requires ${" + e.getKey() + "}, which .env.example does not name");
            }
        }
        return problems;
    }

    /** The secret variables in .env.example carry no value: placeholders only. */
    static List<String> envExampleHasNoValues(String envExample) {
        List<String> problems = new ArrayList<>();
        envExample.lines().map(String::strip).filter(l -> !l.startsWith("#")).forEach(l -> {
            int eq = l.indexOf('=');
            if (eq > 0
                    && SECRET_NAME.matcher(l.substring(0, eq)).matches()
                    && !l.substring(eq + 1).isBlank()) {
                problems.add(".env.example gives " + l.substring(0, eq) + " a value; leave it empty");
            }
        });
        return problems;
    }

    /** Variable name to its operator ({@code :?}, {@code :-}, ...; null for a bare {@code ${NAME}}). */
    static Map<String, String> variables(String text) {
        Map<String, String> vars = new java.util.LinkedHashMap<>();
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            String op = m.group(2);
            vars.merge(m.group(1), op == null ? "" : op, (a, b) -> a.contains("?") || a.isEmpty() ? a : b);
        }
        vars.replaceAll((k, v) -> v.isEmpty() ? null : v);
        return vars;
    }

    static String stripComments(String yaml) {
        StringBuilder out = new StringBuilder();
        for (String line : yaml.split("\n", -1)) {
            String t = line.stripLeading();
            out.append(t.startsWith("#") ? "" : line).append('\n');
        }
        return out.toString();
    }

    interface Visitor {
        void scalar(String path, String key, String value);
    }

    static void walk(JsonNode node, String path, Visitor visitor) {
        walk(node, path, null, visitor);
    }

    private static void walk(JsonNode node, String path, String key, Visitor visitor) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                var e = it.next();
                walk(e.getValue(), path + "." + e.getKey(), e.getKey(), visitor);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode item = node.get(i);
                String itemKey = key;
                if (item.isTextual() && item.asText().contains("=")) { // environment as a list: NAME=value
                    itemKey = item.asText().substring(0, item.asText().indexOf('='));
                    visitor.scalar(path + "[" + i + "]", itemKey, item.asText().substring(itemKey.length() + 1));
                    continue;
                }
                walk(item, path + "[" + i + "]", null, visitor);
            }
        } else if (node.isValueNode() && !node.isNull()) {
            visitor.scalar(path, key, node.asText());
        }
    }

    private String scriptsText() {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(repo.resolve("mosquitto"))) {
            files.filter(f -> f.getFileName().toString().matches("make-.*\\.sh"))
                    .forEach(f -> all.append(read(f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toString();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Set<String> set(String... values) {
        return new LinkedHashSet<>(List.of(values));
    }
}
