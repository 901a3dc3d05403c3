package io.lifeboat.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code lifeboat.yaml} could not be used. Holds every problem found, each {@code key: message},
 * so an operator fixes the whole file in one go. No message ever contains a resolved secret.
 */
public final class ConfigException extends RuntimeException {

    private final Path file;
    private final List<String> problems;

    public ConfigException(Path file, List<String> problems) {
        super(message(requireNonNull(file, "file"), requireNonNull(problems, "problems")));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    /** The config file as it was given (not made absolute). */
    public Path file() {
        return file;
    }

    /** Each problem as {@code key: message}, in the order they were found. */
    public List<String> problems() {
        return problems;
    }

    private static String message(Path file, List<String> problems) {
        StringBuilder b = new StringBuilder()
                .append(file)
                .append(" has ")
                .append(problems.size())
                .append(problems.size() == 1 ? " problem:" : " problems:");
        problems.forEach(p -> b.append("\n  - ").append(p));
        return b.toString();
    }
}
