package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/** Why a run started: {@code schedule}, {@code manual}, {@code event} or {@code alert}, with detail. */
public record Trigger(String type, String detail) {

    private static final Set<String> TYPES = Set.of("schedule", "manual", "event", "alert");

    public Trigger {
        requireNonNull(type, "type");
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("trigger type must be one of " + TYPES + ", got '" + type + "'");
        }
        detail = detail == null ? "" : detail;
    }

    public static Trigger manual(String reason) {
        return new Trigger("manual", reason);
    }

    public static Trigger schedule(String detail) {
        return new Trigger("schedule", detail);
    }
}
