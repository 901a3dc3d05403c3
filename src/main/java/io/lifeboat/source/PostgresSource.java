package io.lifeboat.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL database dumped by {@code pg_dump} in custom format without pg_dump's own
 * compression ({@code -Fc -Z0}; zstd is applied downstream), restorable with {@code pg_restore}.
 * The password travels in {@code PGPASSWORD}, and {@code --no-password} makes pg_dump fail instead
 * of prompting.
 */
public final class PostgresSource implements BackupSource {

    static final String TOOL = "pg_dump";
    /** Seconds libpq waits for a connection unless the environment already says otherwise. */
    static final String CONNECT_TIMEOUT_SECONDS = "30";

    private final ProcessStreamer streamer;

    /**
     * @param host server host, or null for libpq's default
     * @param port server port, or null for libpq's default
     * @param database the database to dump
     * @param user the role to connect as, or null for libpq's default
     * @param password the role's password, or null/empty for none (trust, peer, .pgpass)
     */
    public PostgresSource(String host, Integer port, String database, String user, String password) {
        requireNonNull(database, "database");
        List<String> command = new ArrayList<>(List.of(TOOL, "--format=custom", "--compress=0", "--no-password"));
        if (host != null && !host.isBlank()) {
            command.addAll(List.of("--host", host));
        }
        if (port != null) {
            command.addAll(List.of("--port", port.toString()));
        }
        if (user != null && !user.isBlank()) {
            command.addAll(List.of("--username", user));
        }
        command.addAll(List.of("--dbname", database));

        Map<String, String> environment = new HashMap<>();
        environment.put("PGAPPNAME", "lifeboat");
        if (System.getenv("PGCONNECT_TIMEOUT") == null) {
            environment.put("PGCONNECT_TIMEOUT", CONNECT_TIMEOUT_SECONDS); // a dead host fails instead of hanging
        }
        if (password != null && !password.isEmpty()) {
            environment.put("PGPASSWORD", password);
        }
        this.streamer = new ProcessStreamer(TOOL, command, environment);
    }

    /** The command line pg_dump runs with; it never contains the password. */
    public List<String> command() {
        return streamer.command();
    }

    @Override
    public void writeTo(OutputStream out) throws IOException, SourceFailedException {
        streamer.streamTo(out);
    }

    @Override
    public String tool() {
        return TOOL;
    }

    @Override
    public String toolVersion() {
        return ProcessStreamer.version(List.of(TOOL, "--version")); // asked once per run: a source lives for one run
    }

    @Override
    public String restoreHint(String artifactFileName) {
        String raw = RestoreHints.rawName(artifactFileName);
        return RestoreHints.unpackTo(artifactFileName, raw)
                + " && createdb NEWDB && pg_restore --no-owner --dbname NEWDB " + raw;
    }

    @Override
    public String toString() {
        return "PostgresSource" + command();
    }
}
