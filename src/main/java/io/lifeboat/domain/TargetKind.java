package io.lifeboat.domain;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** What a target is, and so which tool takes its backup and what the artifact is called. */
public enum TargetKind {
    POSTGRES("dump"),
    REDIS("rdb"),
    DIRECTORY("tar"),
    COMMAND("bin");

    private final String defaultExtension;

    TargetKind(String defaultExtension) {
        this.defaultExtension = defaultExtension;
    }

    public String defaultExtension() {
        return defaultExtension;
    }

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<TargetKind> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        return Arrays.stream(values())
                .filter(k -> k.configName().equals(value.trim().toLowerCase(Locale.ROOT)))
                .findFirst();
    }
}
