package io.lifeboat.restore;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.Validation;
import io.lifeboat.source.ProcessFeeder;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Restores a {@code pg_dump -Fc} archive with the stock {@code pg_restore}, fed on stdin as the stored
 * object is read, always into a database that did not exist before: {@code CREATE DATABASE <into>}
 * (default {@code <database>_restore_<yyyyMMddHHmmss>}), then {@code pg_restore --exit-on-error}. A
 * failure drops the new database; the live one is never written to.
 *
 * <p>Ownership: a restore into a new database (to inspect, to copy rows back, a drill) runs with
 * {@code --no-owner --no-privileges}, so it works for any role allowed to create databases and on a
 * fresh server where the original roles do not exist; everything belongs to Lifeboat's role. A restore
 * that will replace the live database ({@code --replace}) keeps the dump's owners and grants and
 * creates the database with the live one's owner, because the applications must find their tables as
 * before; that needs a superuser or a member of the owning roles, else pg_restore fails and nothing
 * changes.
 *
 * <p>{@link #promote} swaps by rename ({@code <db>} → {@code <db>_pre_restore_<ts>}, restored → {@code
 * <db>}) in one transaction; {@link #rollback} swaps back. A single table ({@code table} option,
 * {@code pg_restore --table}) goes into a new database, or into an existing one ({@code --into}) only
 * when no table of that name is there: Lifeboat never overwrites a table.
 *
 * <p>Request options it reads: {@value #TABLE} ({@code [schema.]name}), {@value #REPLACE} ({@code
 * true} when the copy will be promoted), {@value #STAMP} ({@code yyyyMMddHHmmss}, UTC: the suffix of
 * the names it makes; the current time when absent).
 */
public final class PostgresRestorer implements Restorer {

    static final String TABLE = RestoreRequest.TABLE;
    static final String REPLACE = RestoreRequest.REPLACE;
    static final String STAMP = RestoreRequest.STAMP;

    static final String TOOL = "pg_restore";
    static final String RESTORE_INFIX = "_restore_";
    static final String PRE_RESTORE_INFIX = "_pre_restore_";
    static final String ROLLED_BACK_INFIX = "_rolled_back_";
    static final DateTimeFormatter STAMP_FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

    /** Database names Lifeboat creates or accepts from a user: plain, lower case, no quoting needed. */
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private static final Pattern STAMP_PATTERN = Pattern.compile("\\d{14}");
    private static final Set<String> RESERVED = Set.of("postgres", "template0", "template1");
    private static final int MAX_IDENTIFIER_BYTES = 63;
    /** The most of an archive's start read to find its table of contents (kept for the restore to re-read). */
    private static final int TOC_LIMIT = 16 << 20;

    private static final Duration SESSIONS_GONE = Duration.ofSeconds(30);
    private static final int VALIDATION_TIMEOUT_SECONDS = Integer.getInteger("lifeboat.restore.validationTimeout", 600);

    private final Clock clock;
    /** {@code --table} values as {@link #preflight} found them in the dump (schema-qualified), for the plan. */
    private final Map<String, TableRef> found = new java.util.concurrent.ConcurrentHashMap<>();

    public PostgresRestorer() {
        this(Clock.systemUTC());
    }

    PostgresRestorer(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    // ---- plan

    @Override
    public List<String> plan(RestoreRequest request) {
        TargetConfig t = request.target();
        Names names = names(request);
        TableRef table = tableOption(request);
        if (table != null) {
            table = found.getOrDefault(request.option(TABLE), table);
        }
        boolean replace = replacing(request);
        if (replace && table != null) {
            throw new IllegalArgumentException("--replace restores a whole database; a single table (--table) is"
                    + " restored beside the live data, never over it");
        }
        ServerState server = ServerState.read(t, names, table);
        List<String> lines = new ArrayList<>();
        boolean intoExists = server.intoExists().orElse(false);
        if (table != null && intoExists) {
            if (server.tableInInto().orElse(false)) {
                throw tableExists(table, names.into());
            }
            lines.add("restore table " + table.shown() + " into the existing database " + names.into()
                    + " (it has no table of that name), in one transaction");
        } else {
            if (intoExists) {
                throw databaseExists(names.into());
            }
            lines.add("create database " + names.into() + " (template0"
                    + server.liveEncoding()
                            .map(e -> ", " + e + " like " + t.database())
                            .orElse("")
                    + (replace ? server.liveOwner().map(o -> ", owner " + o).orElse("") : "")
                    + ")");
        }
        lines.add(shell(restoreCommand(t, names.into(), table, replace, table != null && intoExists))
                + " < the backup's pg_dump archive, read from the store and decompressed on the fly;"
                + " its SHA-256 is checked in the same pass");
        lines.add(
                table != null && intoExists
                        ? "if pg_restore fails or the SHA-256 does not match: nothing is kept (the table is dropped)"
                        : "if pg_restore fails or the SHA-256 does not match: drop database " + names.into()
                                + " (nothing else is touched)");
        List<Validation> checks = t.drill() == null ? List.of() : t.drill().validate();
        if (table != null) {
            lines.add("validation: skipped (the drill.validate checks are for the whole database)");
        } else if (checks.isEmpty()) {
            lines.add("validation: no checks configured (drill.validate); only pg_restore's success is checked");
        } else {
            for (Validation v : checks) {
                lines.add("validate on " + names.into() + ": " + v.describe());
            }
        }
        if (replace) {
            if (server.liveExists().orElse(true)) {
                lines.add("replace " + t.database() + ": block new connections to " + t.database() + " and "
                        + names.into() + ", end their sessions, then in one transaction rename "
                        + t.database() + " → " + names.kept() + " and " + names.into() + " → " + t.database());
                lines.add("keep the current data as " + names.kept() + " (undo with ./lifeboat restore --rollback "
                        + t.name() + ")");
            } else {
                lines.add("replace: there is no database " + t.database() + " now; rename " + names.into() + " → "
                        + t.database());
            }
            if (!server.keptCopies().isEmpty()) {
                lines.add("earlier copies still on the server (drop them when no longer needed): "
                        + String.join(", ", server.keptCopies()));
            }
        } else {
            lines.add("the live database " + t.database() + " is not touched");
        }
        server.problem().ifPresent(p -> lines.add("(could not check the server: " + p + ")"));
        return lines;
    }

    // ---- preflight: is the table in the dump?

    @Override
    public void preflight(RestoreRequest request, RawOpener raw) throws IOException {
        TableRef table = tableOption(request);
        if (table == null) {
            return;
        }
        try (InputStream in = raw.open()) {
            Optional<List<TableRef>> toc = readToc(request.target(), in);
            if (toc.isPresent()) {
                found.put(
                        request.option(TABLE),
                        find(toc.get(), table, request.manifest().id()));
            }
        }
    }

    // ---- restore

    @Override
    public Restored restore(InputStream raw, RestoreRequest request) throws RestoreFailedException {
        TargetConfig t = request.target();
        Names names = names(request);
        TableRef table = tableOption(request);
        boolean replace = replacing(request);
        InputStream in = raw;
        if (table != null) {
            BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
            buffered.mark(TOC_LIMIT);
            try {
                Optional<List<TableRef>> toc = readToc(t, buffered);
                buffered.reset();
                if (toc.isPresent()) {
                    table = find(toc.get(), table, request.manifest().id());
                }
            } catch (IllegalArgumentException e) {
                throw new RestoreFailedException(e.getMessage());
            } catch (IOException e) {
                throw new RestoreFailedException(
                        "could not read the backup's table of contents: " + e.getMessage(), "", e);
            }
            in = buffered;
        }
        Placement placement;
        try (Connection admin = admin(t)) {
            boolean intoExists = exists(admin, names.into());
            if (table != null && intoExists) {
                placement = prepareExisting(t, names.into(), table);
            } else {
                if (intoExists) {
                    throw new RestoreFailedException(
                            databaseExists(names.into()).getMessage());
                }
                createDatabase(admin, t, names.into(), replace);
                placement = new Placement(
                        t,
                        names.into(),
                        true,
                        table == null ? null : table.schema(),
                        table == null ? null : table.name(),
                        false);
                if (table != null && table.schema() != null && !"public".equals(table.schema())) {
                    createSchema(placement); // pg_restore --table restores the table, not its schema
                }
            }
        } catch (SQLException e) {
            throw new RestoreFailedException("PostgreSQL at " + where(t) + ": " + e.getMessage(), "", e);
        }

        List<String> command = restoreCommand(t, names.into(), table, replace, !placement.createdDatabase());
        ProcessFeeder feeder = new ProcessFeeder(TOOL, command, environment(t));
        ProcessFeeder.Result result;
        try {
            result = feeder.feed(in, null);
        } catch (IOException e) {
            discardQuietly(placement);
            throw new RestoreFailedException(
                    TOOL + " was stopped: " + e.getMessage() + " (" + cleanedUp(placement) + ")", "", e);
        }
        if (!result.ok()) {
            discardQuietly(placement);
            throw new RestoreFailedException(
                    TOOL + " exited with code " + result.exitCode() + firstError(result.stderr()) + " ("
                            + cleanedUp(placement) + ")",
                    result.stderr(),
                    null);
        }
        String description = placement.table() == null
                ? "database " + names.into() + " (from backup "
                        + request.manifest().id() + ")"
                : "table " + placement.tableShown() + " in database " + names.into() + " (from backup "
                        + request.manifest().id() + ")";
        return new Restored("postgres", names.into(), description, placement);
    }

    private Placement prepareExisting(TargetConfig t, String database, TableRef table)
            throws SQLException, RestoreFailedException {
        try (Connection c = connect(t, database)) {
            if (tableExists(c, table)) {
                throw new RestoreFailedException(tableExists(table, database).getMessage());
            }
            boolean createdSchema = false;
            if (table.schema() != null && !schemaExists(c, table.schema())) {
                try (Statement s = c.createStatement()) {
                    s.execute("create schema " + ident(table.schema()));
                }
                createdSchema = true;
            }
            return new Placement(t, database, false, table.schema(), table.name(), createdSchema);
        }
    }

    private void createSchema(Placement p) throws SQLException {
        try (Connection c = connect(p.target(), p.database());
                Statement s = c.createStatement()) {
            s.execute("create schema if not exists " + ident(p.schema()));
        } catch (SQLException e) {
            discardQuietly(p);
            throw e;
        }
    }

    private void createDatabase(Connection admin, TargetConfig t, String name, boolean replace) throws SQLException {
        StringBuilder sql =
                new StringBuilder("create database ").append(ident(name)).append(" template template0");
        try (PreparedStatement p = admin.prepareStatement("select pg_encoding_to_char(encoding), datcollate, datctype,"
                + " pg_get_userbyid(datdba) from pg_database where datname = ?")) {
            p.setString(1, t.database());
            try (ResultSet rs = p.executeQuery()) {
                if (rs.next()) { // the live database is there: the copy gets its encoding and locale
                    sql.append(" encoding ").append(literal(rs.getString(1)));
                    sql.append(" lc_collate ").append(literal(rs.getString(2)));
                    sql.append(" lc_ctype ").append(literal(rs.getString(3)));
                    if (replace) {
                        sql.append(" owner ").append(ident(rs.getString(4)));
                    }
                }
            }
        }
        try (Statement s = admin.createStatement()) {
            s.execute(sql.toString());
        }
    }

    // ---- validate

    @Override
    public List<ValidationResult> validate(Restored restored, List<Validation> checks) {
        List<ValidationResult> results = new ArrayList<>();
        if (checks.isEmpty()) {
            return results;
        }
        TargetConfig t = placement(restored).target();
        try (Connection c = connect(t, restored.location())) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            for (Validation check : checks) {
                results.add(check(c, check));
            }
        } catch (SQLException e) {
            for (int i = results.size(); i < checks.size(); i++) {
                results.add(new ValidationResult(
                        checks.get(i),
                        false,
                        null,
                        "could not connect to " + restored.location() + ": " + e.getMessage()));
            }
        }
        return results;
    }

    private static ValidationResult check(Connection c, Validation check) throws SQLException {
        if (check.sql() == null) {
            return new ValidationResult(check, false, null, "not an sql check; a postgres target validates with sql");
        }
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(VALIDATION_TIMEOUT_SECONDS);
            try (ResultSet rs = s.executeQuery(check.sql())) {
                if (!rs.next()) {
                    return new ValidationResult(check, false, null, "the query returned no rows");
                }
                Object v = rs.getObject(1);
                if (!(v instanceof Number n)) {
                    return new ValidationResult(
                            check,
                            false,
                            null,
                            "the first column is not a number: " + (v == null ? "null" : "'" + v + "'"));
                }
                long value = n.longValue();
                boolean ok = check.accepts(value);
                String detail = ok
                        ? value + " (within bounds)"
                        : check.min() != null && value < check.min()
                                ? value + " is below the minimum " + check.min()
                                : value + " is above the maximum " + check.max();
                return new ValidationResult(check, ok, value, detail);
            }
        } catch (SQLException e) {
            return new ValidationResult(check, false, null, "the query failed: " + oneLine(e.getMessage()));
        } finally {
            c.rollback(); // read-only, and a failed query leaves nothing for the next check to trip over
        }
    }

    // ---- discard

    @Override
    public void discard(Restored restored) throws RestoreFailedException {
        Placement p = placement(restored);
        try {
            drop(p);
        } catch (SQLException e) {
            throw new RestoreFailedException(
                    "could not remove " + restored.description() + ": " + e.getMessage()
                            + (p.createdDatabase() ? "; drop it by hand: DROP DATABASE " + ident(p.database()) : ""),
                    "",
                    e);
        }
    }

    private void drop(Placement p) throws SQLException {
        if (p.createdDatabase()) {
            try (Connection admin = admin(p.target())) {
                dropDatabase(admin, p.database());
            }
            return;
        }
        try (Connection c = connect(p.target(), p.database());
                Statement s = c.createStatement()) {
            s.execute("drop table if exists " + ident(p.schema()) + "." + ident(p.table()));
            if (p.createdSchema()) {
                s.execute("drop schema if exists " + ident(p.schema()));
            }
        }
    }

    private void discardQuietly(Placement p) {
        try {
            drop(p);
        } catch (SQLException e) {
            // the error that made us clean up is the one to report; cleanedUp() names what may remain
        }
    }

    private static String cleanedUp(Placement p) {
        return p.createdDatabase()
                ? "database " + p.database() + " dropped"
                : "nothing was left in database " + p.database();
    }

    private static void dropDatabase(Connection admin, String name) throws SQLException {
        endSessions(admin, name);
        boolean force = admin.getMetaData().getDatabaseMajorVersion() >= 13;
        try (Statement s = admin.createStatement()) {
            s.execute("drop database if exists " + ident(name) + (force ? " with (force)" : ""));
        }
    }

    // ---- promote and rollback

    @Override
    public Restored promote(Restored restored, RestoreRequest request) throws RestoreFailedException {
        Placement p = placement(restored);
        if (!p.createdDatabase() || p.table() != null) {
            throw new RestoreFailedException("only a whole database restored into a new database can replace "
                    + request.target().database());
        }
        TargetConfig t = request.target();
        Names names = names(request);
        String done = swap(t, restored.location(), names.kept(), "the restored copy (" + restored.location() + ")");
        return new Restored("postgres", t.database(), done, null);
    }

    @Override
    public List<String> rollbackPlan(TargetConfig target, Instant at) {
        String stamp = STAMP_FORMAT.format(at);
        String previous = previousCopy(target);
        String aside = derivedName(target.database(), ROLLED_BACK_INFIX, stamp);
        return List.of(
                "the newest copy kept by a restore --replace is " + previous,
                "block new connections to " + target.database() + " and " + previous + ", end their sessions",
                "in one transaction rename " + target.database() + " → " + aside + " and " + previous + " → "
                        + target.database(),
                "the data that is live now stays in " + aside);
    }

    @Override
    public String rollback(TargetConfig target, Instant at) throws RestoreFailedException {
        String previous;
        try {
            previous = previousCopy(target);
        } catch (IllegalArgumentException e) {
            throw new RestoreFailedException(e.getMessage());
        }
        String aside = derivedName(target.database(), ROLLED_BACK_INFIX, STAMP_FORMAT.format(at));
        return swap(target, previous, aside, "the data kept by the last restore --replace (" + previous + ")");
    }

    /** The newest {@code <db>_pre_restore_<ts>} on the server. */
    private String previousCopy(TargetConfig target) {
        List<String> copies;
        try (Connection admin = admin(target)) {
            copies = keptCopies(admin, target.database());
        } catch (SQLException e) {
            throw new IllegalArgumentException("PostgreSQL at " + where(target) + ": " + e.getMessage(), e);
        }
        if (copies.isEmpty()) {
            throw new IllegalArgumentException("there is no " + derivedName(target.database(), PRE_RESTORE_INFIX, "")
                    + "<yyyyMMddHHmmss> database on " + where(target)
                    + ": nothing to roll back to (a rollback undoes a restore --replace)");
        }
        return copies.get(0);
    }

    /**
     * Makes {@code incoming} the live database and keeps the live one as {@code aside}: new connections
     * to both are blocked, their sessions ended, and both renames run in one transaction, so either
     * both happen or neither (a failing second rename takes the first back with it). Connections are
     * allowed again under the final names whatever happens.
     */
    private String swap(TargetConfig t, String incoming, String aside, String incomingShown)
            throws RestoreFailedException {
        String live = t.database();
        try (Connection admin = admin(t)) {
            if (!exists(admin, incoming)) {
                throw new RestoreFailedException("database " + incoming + " does not exist");
            }
            if (exists(admin, aside)) {
                throw new RestoreFailedException("database " + aside + " exists already; nothing was renamed");
            }
            if (!exists(admin, live)) {
                rename(admin, incoming, live);
                return "there was no database " + live + "; " + incomingShown + " was renamed to " + live;
            }
            boolean swapped = false;
            try {
                allowConnections(admin, live, false);
                allowConnections(admin, incoming, false);
                endSessions(admin, live);
                endSessions(admin, incoming);
                admin.setAutoCommit(false);
                try (Statement s = admin.createStatement()) {
                    s.execute("alter database " + ident(live) + " rename to " + ident(aside));
                    s.execute("alter database " + ident(incoming) + " rename to " + ident(live));
                }
                admin.commit();
                swapped = true;
            } catch (SQLException e) {
                rollbackQuietly(admin);
                throw new RestoreFailedException(
                        "could not swap " + incoming + " in for " + live + ": " + e.getMessage()
                                + "; nothing was renamed: " + live + " is as it was, " + incoming + " is kept",
                        "",
                        e);
            } finally {
                autoCommitQuietly(admin);
                allowConnectionsQuietly(admin, live);
                allowConnectionsQuietly(admin, swapped ? aside : incoming);
            }
            return live + " now holds " + incomingShown + "; the data that was live is kept as " + aside;
        } catch (SQLException e) {
            throw new RestoreFailedException("PostgreSQL at " + where(t) + ": " + e.getMessage(), "", e);
        }
    }

    private static void rename(Connection admin, String from, String to) throws SQLException {
        endSessions(admin, from);
        try (Statement s = admin.createStatement()) {
            s.execute("alter database " + ident(from) + " rename to " + ident(to));
        }
    }

    private static void allowConnections(Connection admin, String database, boolean allow) throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute("alter database " + ident(database) + " allow_connections " + allow);
        }
    }

    private static void allowConnectionsQuietly(Connection admin, String database) {
        try {
            if (exists(admin, database)) {
                allowConnections(admin, database, true);
            }
        } catch (SQLException e) {
            // reported by the caller's outcome; an operator can ALTER DATABASE ... ALLOW_CONNECTIONS true
        }
    }

    private static void autoCommitQuietly(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException ignored) {
            // the connection is gone; nothing more is done on it
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; the server rolled the transaction back itself
        }
    }

    /** Ends every other session on {@code database} (applications, autovacuum) and waits until they are gone. */
    private static void endSessions(Connection admin, String database) throws SQLException {
        String terminate =
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()";
        String count = "select count(*) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()";
        long deadline = System.nanoTime() + SESSIONS_GONE.toNanos();
        while (true) {
            try (PreparedStatement p = admin.prepareStatement(terminate)) {
                p.setString(1, database);
                p.executeQuery().close();
            }
            try (PreparedStatement p = admin.prepareStatement(count)) {
                p.setString(1, database);
                try (ResultSet rs = p.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new SQLException("sessions on " + database + " did not end within " + SESSIONS_GONE.toSeconds()
                        + " s (Lifeboat's role needs pg_signal_backend or superuser to end them)");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for sessions on " + database + " to end");
            }
        }
    }

    // ---- names

    /** The names one request uses: where it restores to, and what the live database is kept as on a swap. */
    record Names(String into, String stamp, String kept) {}

    Names names(RestoreRequest request) {
        String stamp = request.option(STAMP);
        if (stamp == null) {
            stamp = STAMP_FORMAT.format(clock.instant());
        } else if (!STAMP_PATTERN.matcher(stamp).matches()) {
            throw new IllegalArgumentException("stamp must be yyyyMMddHHmmss, got '" + stamp + "'");
        }
        String database = request.target().database();
        if (database == null || database.isBlank()) {
            throw new IllegalArgumentException("target '" + request.target().name() + "' (postgres) needs 'database'");
        }
        String into = request.into() == null
                ? defaultName(database, stamp)
                : checkedDatabaseName(request.into(), database, tableOption(request) != null);
        return new Names(into, stamp, derivedName(database, PRE_RESTORE_INFIX, stamp));
    }

    /**
     * A user's {@code --into}: a plain lower-case name (no quoting games), not a system database, and
     * not the live database (replacing it is {@code --replace}'s job, by rename).
     */
    static String checkedDatabaseName(String name, String live, boolean tableRestore) {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("--into " + shown(name) + ": a database name must be 1 to 63 characters"
                    + " of a-z, 0-9 and _, starting with a letter or _");
        }
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException("--into " + name + ": that is a system database");
        }
        if (name.equals(live) && !tableRestore) {
            throw new IllegalArgumentException("--into " + name + " is the live database: restore into a new database"
                    + " and add --replace to swap it in (the current one is kept)");
        }
        return name;
    }

    /** {@code <database>_restore_<stamp>}, the database part made plain (a-z, 0-9, _) and cut to fit. */
    static String defaultName(String database, String stamp) {
        String plain = database.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (plain.isEmpty() || !Character.isLetter(plain.charAt(0)) && plain.charAt(0) != '_') {
            plain = "db_" + plain;
        }
        return derivedName(plain, RESTORE_INFIX, stamp);
    }

    /** {@code <base><infix><stamp>}, the base cut (at a character boundary) so the whole fits in 63 bytes. */
    static String derivedName(String base, String infix, String stamp) {
        int room = MAX_IDENTIFIER_BYTES - infix.length() - 14;
        StringBuilder cut = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < base.length(); ) {
            int cp = base.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > room) {
                break;
            }
            cut.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return cut + infix + stamp;
    }

    /** Every {@code <db>_pre_restore_<ts>} on the server, newest first. */
    static List<String> keptCopies(Connection admin, String database) throws SQLException {
        String prefix = derivedName(database, PRE_RESTORE_INFIX, "");
        Pattern shape = Pattern.compile(Pattern.quote(prefix) + "(\\d{14})");
        List<String> found = new ArrayList<>();
        try (PreparedStatement p =
                admin.prepareStatement("select datname from pg_database where left(datname, ?) = ?")) {
            p.setInt(1, prefix.length());
            p.setString(2, prefix);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    if (shape.matcher(rs.getString(1)).matches()) {
                        found.add(rs.getString(1));
                    }
                }
            }
        }
        found.sort((a, b) -> b.substring(b.length() - 14).compareTo(a.substring(a.length() - 14)));
        return found;
    }

    // ---- tables

    /** A table as {@code --table} names it ({@code schema} null: any schema) or as the dump lists it. */
    record TableRef(String schema, String name) {
        String shown() {
            return schema == null ? name : schema + "." + name;
        }
    }

    static TableRef tableOption(RestoreRequest request) {
        String value = request.option(TABLE);
        return value == null ? null : parseTable(value);
    }

    /** {@code name} or {@code schema.name}; each part 1 to 63 characters, no control characters. */
    static TableRef parseTable(String value) {
        int dot = value.indexOf('.');
        String schema = dot < 0 ? null : value.substring(0, dot);
        String name = dot < 0 ? value : value.substring(dot + 1);
        for (String part : schema == null ? List.of(name) : List.of(schema, name)) {
            if (part.isEmpty()
                    || part.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES
                    || part.codePoints().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("--table " + shown(value) + ": expected NAME or SCHEMA.NAME,"
                        + " each 1 to 63 bytes without control characters");
            }
        }
        return new TableRef(schema, name);
    }

    /** The table the dump holds under that name; schema-qualified when it was not. */
    static TableRef find(List<TableRef> toc, TableRef wanted, String backupId) {
        List<TableRef> matches = toc.stream()
                .filter(r -> r.name().equals(wanted.name()))
                .filter(r -> wanted.schema() == null || r.schema().equals(wanted.schema()))
                .toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            List<String> names = toc.stream().map(TableRef::shown).sorted().toList();
            throw new IllegalArgumentException("--table " + shown(wanted.shown()) + ": backup " + backupId
                    + " has no such table; its tables: "
                    + (names.isEmpty()
                            ? "(none)"
                            : String.join(", ", names.subList(0, Math.min(30, names.size())))
                                    + (names.size() > 30 ? ", …" : "")));
        }
        throw new IllegalArgumentException("--table " + shown(wanted.shown()) + " is in several schemas of backup "
                + backupId + ": name one of "
                + String.join(
                        ", ", matches.stream().map(TableRef::shown).sorted().toList()));
    }

    /**
     * The tables in the archive's table of contents ({@code pg_restore --list}, which reads only the
     * start of the archive); empty when it cannot be read within {@link #TOC_LIMIT} bytes.
     */
    private Optional<List<TableRef>> readToc(TargetConfig t, InputStream archive) throws IOException {
        List<TableRef> tables = new ArrayList<>();
        ProcessFeeder feeder = new ProcessFeeder(TOOL, List.of(TOOL, "--list"), environment(t));
        ProcessFeeder.Result r = feeder.feed(
                new Bounded(archive, TOC_LIMIT - 1), line -> parseTocLine(line).ifPresent(tables::add));
        return r.ok() ? Optional.of(tables) : Optional.empty();
    }

    /** A {@code TABLE} line of {@code pg_restore --list}: {@code 215; 1259 16390 TABLE public users owner}. */
    static Optional<TableRef> parseTocLine(String line) {
        Matcher m =
                Pattern.compile("^\\d+; \\d+ \\d+ TABLE (\\S+) (.+) (\\S+)$").matcher(line);
        if (!m.matches() || line.contains(" TABLE DATA ")) {
            return Optional.empty();
        }
        return Optional.of(new TableRef(m.group(1), m.group(2)));
    }

    private static boolean tableExists(Connection c, TableRef table) throws SQLException {
        String sql = "select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where c.relname = ? and (? is null and n.nspname = any (current_schemas(false)) or n.nspname = ?)";
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, table.name());
            p.setString(2, table.schema());
            p.setString(3, table.schema());
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean schemaExists(Connection c, String schema) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select 1 from pg_namespace where nspname = ?")) {
            p.setString(1, schema);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static IllegalArgumentException tableExists(TableRef table, String database) {
        String name = table.schema() == null ? ident(table.name()) : ident(table.schema()) + "." + ident(table.name());
        return new IllegalArgumentException("table " + table.shown() + " exists in database " + database
                + ": Lifeboat never overwrites a table. Rename it first (ALTER TABLE " + name + " RENAME TO "
                + ident(table.name() + "_old") + ") or restore into a new database (leave out --into)");
    }

    private static IllegalArgumentException databaseExists(String name) {
        return new IllegalArgumentException("database " + name + " exists already: a restore always goes into a new"
                + " database; pick another --into, or drop it first (DROP DATABASE " + name + ")");
    }

    // ---- commands and connections

    private static List<String> restoreCommand(
            TargetConfig t, String into, TableRef table, boolean replace, boolean intoExisting) {
        List<String> command = new ArrayList<>(List.of(TOOL, "--no-password", "--exit-on-error"));
        if (t.host() != null && !t.host().isBlank()) {
            command.addAll(List.of("--host", t.host()));
        }
        if (t.port() != null) {
            command.addAll(List.of("--port", t.port().toString()));
        }
        if (t.user() != null && !t.user().isBlank()) {
            command.addAll(List.of("--username", t.user()));
        }
        command.addAll(List.of("--dbname", into));
        if (!replace) {
            command.addAll(List.of("--no-owner", "--no-privileges"));
        }
        if (intoExisting) {
            command.add("--single-transaction"); // all or nothing in a database that is in use
        }
        if (table != null) {
            if (table.schema() != null) {
                command.addAll(List.of("--schema", table.schema()));
            }
            command.addAll(List.of("--table", table.name()));
        }
        return command;
    }

    private static Map<String, String> environment(TargetConfig t) {
        Map<String, String> env = new HashMap<>();
        env.put("PGAPPNAME", "lifeboat");
        if (System.getenv("PGCONNECT_TIMEOUT") == null) {
            env.put("PGCONNECT_TIMEOUT", "30");
        }
        if (t.password() != null && !t.password().isEmpty()) {
            env.put("PGPASSWORD", t.password());
        }
        return env;
    }

    /** A connection to the server for database-level statements: {@code postgres}, else {@code template1}. */
    private static Connection admin(TargetConfig t) throws SQLException {
        try {
            return connect(t, "postgres");
        } catch (SQLException e) {
            if ("08001".equals(e.getSQLState()) || "08006".equals(e.getSQLState())) {
                throw e; // the server is not reachable; another database will not help
            }
            try {
                return connect(t, "template1");
            } catch (SQLException second) {
                e.addSuppressed(second);
                throw e;
            }
        }
    }

    static Connection connect(TargetConfig t, String database) throws SQLException {
        Properties p = new Properties();
        if (t.user() != null && !t.user().isBlank()) {
            p.setProperty("user", t.user());
        }
        if (t.password() != null && !t.password().isEmpty()) {
            p.setProperty("password", t.password());
        }
        p.setProperty("ApplicationName", "lifeboat");
        p.setProperty("connectTimeout", "30");
        String host = t.host() == null || t.host().isBlank() ? "127.0.0.1" : t.host();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        String url = "jdbc:postgresql://" + host + ":" + (t.port() == null ? 5432 : t.port()) + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8);
        return DriverManager.getConnection(url, p);
    }

    private static boolean exists(Connection admin, String database) throws SQLException {
        try (PreparedStatement p = admin.prepareStatement("select 1 from pg_database where datname = ?")) {
            p.setString(1, database);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String where(TargetConfig t) {
        return (t.host() == null ? "127.0.0.1" : t.host()) + ":" + (t.port() == null ? 5432 : t.port());
    }

    /** A double-quoted SQL identifier: any name, taken literally. */
    static String ident(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an identifier cannot contain NUL");
        }
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** A single-quoted SQL literal (standard_conforming_strings, on since PostgreSQL 9.1). */
    static String literal(String value) {
        if (value.indexOf('\0') >= 0 || value.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("unexpected character in '" + value + "'");
        }
        return "'" + value.replace("'", "''") + "'";
    }

    /** Arguments as a person would type them in a shell (single-quoted where needed); never holds a password. */
    static String shell(List<String> command) {
        List<String> parts = new ArrayList<>();
        for (String a : command) {
            parts.add(a.matches("[A-Za-z0-9_./:=@%+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return String.join(" ", parts);
    }

    /** User input in an error message: quoted, control characters escaped, cut when long. */
    static String shown(String value) {
        StringBuilder b = new StringBuilder("'");
        value.codePoints().limit(80).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.append(value.codePointCount(0, value.length()) > 80 ? "…' (" + value.length() + " characters)" : "'")
                .toString();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** The first {@code error:} line of pg_restore's stderr (the cause; later lines are consequences). */
    private static String firstError(String stderr) {
        return stderr.lines()
                .map(String::strip)
                .filter(l -> l.contains("error:"))
                .findFirst()
                .or(() -> stderr.lines()
                        .map(String::strip)
                        .filter(l -> !l.isEmpty())
                        .reduce((a, b) -> b))
                .map(l -> ": " + (l.length() > 300 ? l.substring(0, 300) + "…" : l))
                .orElse("");
    }

    private static boolean replacing(RestoreRequest request) {
        return "true".equals(request.option(REPLACE));
    }

    @Override
    public boolean writesInPlace(RestoreRequest request) {
        if (tableOption(request) == null || request.into() == null) {
            return false;
        }
        try (Connection admin = admin(request.target())) {
            return exists(admin, request.into()); // a table into an existing database: it is in use
        } catch (SQLException e) {
            return true; // cannot tell: check the whole object first, it costs only time
        }
    }

    private static Placement placement(Restored restored) {
        if (restored.resource() instanceof Placement p) {
            return p;
        }
        throw new IllegalArgumentException(restored.location() + " was not restored by the postgres restorer");
    }

    /**
     * What a restore made, so {@link #discard} removes exactly that: a database it created, or a table
     * (and perhaps its schema) it added to an existing database. Travels as the {@link Restored}'s
     * resource; holds nothing to release.
     */
    record Placement(
            TargetConfig target,
            String database,
            boolean createdDatabase,
            String schema,
            String table,
            boolean createdSchema)
            implements AutoCloseable {
        String tableShown() {
            return schema == null ? table : schema + "." + table;
        }

        @Override
        public void close() {}
    }

    /** What the server says before a restore, for the plan; each part empty when it could not be read. */
    private record ServerState(
            Optional<Boolean> intoExists,
            Optional<Boolean> tableInInto,
            Optional<Boolean> liveExists,
            Optional<String> liveEncoding,
            Optional<String> liveOwner,
            List<String> keptCopies,
            Optional<String> problem) {

        static ServerState read(TargetConfig t, Names names, TableRef table) {
            try (Connection admin = admin(t)) {
                boolean into = exists(admin, names.into());
                Optional<Boolean> tableInInto = Optional.empty();
                if (into && table != null) {
                    try (Connection c = connect(t, names.into())) {
                        tableInInto = Optional.of(tableExists(c, table));
                    }
                }
                Optional<String> encoding = Optional.empty(), owner = Optional.empty();
                try (PreparedStatement p = admin.prepareStatement("select pg_encoding_to_char(encoding),"
                        + " pg_get_userbyid(datdba) from pg_database where datname = ?")) {
                    p.setString(1, t.database());
                    try (ResultSet rs = p.executeQuery()) {
                        if (rs.next()) {
                            encoding = Optional.of(rs.getString(1));
                            owner = Optional.of(rs.getString(2));
                        }
                    }
                }
                return new ServerState(
                        Optional.of(into),
                        tableInInto,
                        Optional.of(encoding.isPresent()),
                        encoding,
                        owner,
                        PostgresRestorer.keptCopies(admin, t.database()),
                        Optional.empty());
            } catch (SQLException e) {
                return new ServerState(
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        List.of(),
                        Optional.of(e.getMessage()));
            }
        }
    }

    /** Ends after {@code limit} bytes, so a mark on the stream below stays valid. */
    private static final class Bounded extends FilterInputStream {
        private long left;

        Bounded(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() {
            // the stream below goes on to the restore
        }
    }
}
