package io.lifeboat.restore;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.Manifest;
import java.util.Map;

/**
 * One restore to carry out. {@code into} is where (a database name, a folder, a redis:// URL); null
 * lets the restorer pick a scratch place. {@code scratch} marks a drill's throw-away copy. {@code
 * options} holds kind-specific switches, e.g. {@code table} for a single PostgreSQL table.
 */
public record RestoreRequest(
        TargetConfig target, Manifest manifest, String into, boolean scratch, Map<String, String> options) {

    /** Option: one table ({@code [schema.]name}) instead of the whole database (postgres). */
    public static final String TABLE = "table";
    /** Option: {@code true} when the restored copy will be promoted over the live data ({@code --replace}). */
    public static final String REPLACE = "replace";
    /** Option: {@code yyyyMMddHHmmss} (UTC), the suffix of the names a restore makes; now when absent. */
    public static final String STAMP = "stamp";

    /** The {@link #STAMP} of an instant. */
    public static String stamp(java.time.Instant at) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                .withZone(java.time.ZoneOffset.UTC)
                .format(at);
    }

    public RestoreRequest {
        requireNonNull(target, "target");
        requireNonNull(manifest, "manifest");
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    public String option(String name) {
        return options.get(name);
    }
}
