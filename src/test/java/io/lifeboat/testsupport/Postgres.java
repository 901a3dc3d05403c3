package io.lifeboat.testsupport;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.TargetKind;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A throw-away database on the test PostgreSQL server (default 127.0.0.1:5432, user postgres, trust
 * auth; override with PGHOST, PGPORT, PGUSER, PGPASSWORD). Each database gets a unique name and is
 * dropped on {@link #close()}.
 *
 * <pre>{@code
 * try (Postgres db = Postgres.create("orders")) {
 *     db.execute("create table t(id int)", "insert into t values (1)");
 *     List<List<Object>> rows = db.query("select id from t");
 * }
 * }</pre>
 */
public final class Postgres implements AutoCloseable {

    public static final String HOST = env("PGHOST", "127.0.0.1");
    public static final int PORT = Integer.parseInt(env("PGPORT", "5432"));
    public static final String USER = env("PGUSER", "postgres");
    public static final String PASSWORD = env("PGPASSWORD", "");

    private final String name;

    private Postgres(String name) {
        this.name = name;
    }

    /** Creates an empty database named {@code <prefix>_<random>} (lower case). */
    public static Postgres create(String prefix) throws SQLException {
        requireNonNull(prefix, "prefix");
        String name = (prefix + "_"
                        + UUID.randomUUID().toString().replace("-", "").substring(0, 12))
                .toLowerCase(Locale.ROOT);
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("create database \"" + name + "\"");
        }
        return new Postgres(name);
    }

    /** A unique database name that does not exist on the server. */
    public static String missingDatabaseName() {
        return "lifeboat_missing_" + UUID.randomUUID().toString().replace("-", "");
    }

    public String name() {
        return name;
    }

    public String jdbcUrl() {
        return jdbcUrl(name);
    }

    /** A postgres target pointing at this database. */
    public TargetConfig target(String targetName) {
        return new TargetConfig(
                targetName,
                TargetKind.POSTGRES,
                "0 0 2 * * ?",
                Duration.ofHours(26),
                HOST,
                PORT,
                name,
                USER,
                PASSWORD.isEmpty() ? null : PASSWORD,
                null,
                null,
                null,
                null);
    }

    /** Runs statements in order, in one connection. */
    public void execute(String... sql) throws SQLException {
        try (Connection c = connect(name);
                Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    /** Rows of a query, each a list of column values as JDBC returns them. */
    public List<List<Object>> query(String sql) throws SQLException {
        try (Connection c = connect(name);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            List<List<Object>> rows = new ArrayList<>();
            while (rs.next()) {
                List<Object> row = new ArrayList<>(columns);
                for (int i = 1; i <= columns; i++) {
                    row.add(rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    /** Drops the database, closing any connection still open to it. */
    @Override
    public void close() throws SQLException {
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("drop database if exists \"" + name + "\" with (force)");
        }
    }

    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), USER, PASSWORD);
    }

    private static String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + database;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    @Override
    public String toString() {
        return "Postgres[" + name + "]";
    }
}
