package io.lifeboat.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${NAME}} and {@code ${NAME:-default}} in a config string from the environment.
 * When NAME is unset but {@code NAME_FILE} is set, the value is read from that file (trimmed; a
 * relative file name resolves against the config folder), the way Docker and Kubernetes hand out
 * secrets. {@code :-} gives the default when NAME is unset or empty. {@code $$} is a literal
 * {@code $}; any other {@code $} stays as it is. Error messages name variables, never values.
 */
public final class Interpolator {

    /** A secret file larger than this is a mistake (a certificate bundle, a whole directory dump). */
    static final int MAX_SECRET_FILE_BYTES = 64 * 1024;

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Map<String, String> env;
    private final Path baseDir;

    public Interpolator(Map<String, String> env, Path baseDir) {
        this.env = requireNonNull(env, "env");
        this.baseDir = requireNonNull(baseDir, "baseDir");
    }

    /**
     * The resolved text. {@code fromEnvironment} says a variable was substituted, so the value may
     * be a secret and must not be shown; {@code errors} are messages without the key.
     */
    public record Result(String value, boolean fromEnvironment, List<String> errors) {
        public Result {
            requireNonNull(value, "value");
            errors = List.copyOf(errors);
        }

        public boolean ok() {
            return errors.isEmpty();
        }
    }

    public Result resolve(String raw) {
        requireNonNull(raw, "raw");
        StringBuilder out = new StringBuilder(raw.length());
        List<String> errors = new ArrayList<>();
        boolean substituted = false;
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c != '$' || i + 1 >= raw.length()) {
                out.append(c);
                i++;
            } else if (raw.charAt(i + 1) == '$') {
                out.append('$');
                i += 2;
            } else if (raw.charAt(i + 1) == '{') {
                int end = raw.indexOf('}', i + 2);
                if (end < 0) {
                    errors.add("unterminated ${ (write $$ for a literal $)");
                    break;
                }
                substituted = true;
                out.append(reference(raw.substring(i + 2, end), errors));
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return new Result(out.toString(), substituted, errors);
    }

    private String reference(String body, List<String> errors) {
        int sep = body.indexOf(":-");
        String name = sep < 0 ? body : body.substring(0, sep);
        String fallback = sep < 0 ? null : body.substring(sep + 2);
        if (!NAME.matcher(name).matches()) {
            errors.add("bad variable reference '${" + Problems.printable(body)
                    + "}' (use ${NAME} or ${NAME:-default}, $$ for a literal $)");
            return "";
        }
        String value = lookup(name, errors);
        if (value != null && (fallback == null || !value.isEmpty())) {
            return value;
        }
        if (fallback != null) {
            return fallback;
        }
        errors.add("environment variable " + name + " is not set (nor " + name + "_FILE)");
        return "";
    }

    /** The variable's value, else the trimmed content of the file NAME_FILE names, else null. */
    private String lookup(String name, List<String> errors) {
        String value = env.get(name);
        if (value != null) {
            return value;
        }
        String file = env.get(name + "_FILE");
        if (file == null || file.isEmpty()) {
            return null;
        }
        try {
            Path path = baseDir.resolve(file).normalize();
            try (InputStream in = Files.newInputStream(path)) {
                byte[] bytes = in.readNBytes(MAX_SECRET_FILE_BYTES + 1);
                if (bytes.length > MAX_SECRET_FILE_BYTES) {
                    errors.add("file " + path + " named by " + name + "_FILE is larger than " + MAX_SECRET_FILE_BYTES
                            + " bytes");
                    return "";
                }
                return new String(bytes, StandardCharsets.UTF_8).trim();
            }
        } catch (IOException | InvalidPathException e) {
            String why = e instanceof java.nio.file.NoSuchFileException
                    ? "no such file"
                    : e.getClass().getSimpleName();
            errors.add("cannot read the file named by " + name + "_FILE (" + Problems.printable(file) + "): " + why);
            return "";
        }
    }
}
