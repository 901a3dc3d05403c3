package io.lifeboat.jobs;

import io.lifeboat.config.LifeboatConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz clustered on the catalog's PostgreSQL ({@code cluster.enabled}): every Lifeboat process keeps
 * the same triggers in the {@code qrtz_*} tables, and each slot is fired by exactly one of them (Quartz
 * takes a trigger with a row lock). A process that dies leaves its triggers to the others.
 */
public final class QuartzCluster {

    /** The advisory lock two processes starting at once take before creating the tables. */
    static final long TABLES_LOCK = 0x4c6966_65626f61L; // "Lifeboa"

    /** The scheduler name (the sched_name of every row) all processes of a cluster share. */
    static final String SCHEDULER = "lifeboat";
    /** The Quartz group of the per-target backup schedules (see ScheduleRoutes). */
    static final String BACKUP_GROUP = "lifeboat";

    private static final Logger LOG = LoggerFactory.getLogger(QuartzCluster.class);
    private static final String TABLES_SQL = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";

    private QuartzCluster() {}

    /**
     * The camel-main properties that put the {@code quartz} component on the clustered JDBC job store
     * (merged with {@code camel.component.quartz.properties[...]} from application.properties).
     */
    public static Map<String, String> camelProperties(LifeboatConfig config) {
        LifeboatConfig.CatalogConfig catalog = config.catalog();
        String id = config.cluster().instanceId();
        Map<String, String> q = new LinkedHashMap<>();
        // the scheduler name is the key of the rows; every process of one cluster uses the same one
        q.put("org.quartz.scheduler.instanceName", SCHEDULER);
        q.put("org.quartz.scheduler.instanceId", id == null || id.isBlank() ? "AUTO" : id);
        q.put("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        q.put("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        q.put("org.quartz.jobStore.dataSource", "lifeboat");
        q.put("org.quartz.jobStore.tablePrefix", "QRTZ_");
        q.put("org.quartz.jobStore.isClustered", "true");
        q.put("org.quartz.jobStore.acquireTriggersWithinLock", "true");
        q.put("org.quartz.dataSource.lifeboat.connectionProvider.class", PostgresConnectionProvider.class.getName());
        q.put("org.quartz.dataSource.lifeboat.url", catalog.url());
        if (catalog.user() != null) {
            q.put("org.quartz.dataSource.lifeboat.user", catalog.user());
        }
        if (catalog.password() != null) {
            q.put("org.quartz.dataSource.lifeboat.password", catalog.password());
        }
        Map<String, String> camel = new LinkedHashMap<>();
        q.forEach((k, v) -> camel.put("camel.component.quartz.properties[" + k + "]", v));
        // the scheduler name must be the same in every process, not prefixed with anything local
        camel.put("camel.component.quartz.prefixInstanceName", "false");
        return camel;
    }

    /**
     * Creates the Quartz tables (the script the quartz jar ships) unless they exist. Two processes that
     * start at once serialise on an advisory lock; the second finds the tables there.
     */
    public static void createTablesIfMissing(LifeboatConfig.CatalogConfig catalog) throws SQLException {
        prepare(catalog, null);
    }

    /**
     * Creates the tables if missing, and drops the backup schedules of targets no longer in {@code
     * targets} (null: keep all), so a removed target's trigger does not go on firing in the cluster.
     */
    public static void prepare(LifeboatConfig.CatalogConfig catalog, java.util.Collection<String> targets)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(catalog.url(), catalog.user(), catalog.password())) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("select pg_advisory_xact_lock(" + TABLES_LOCK + ")");
                boolean exists;
                try (ResultSet rs = s.executeQuery("select to_regclass('qrtz_job_details') is not null")) {
                    rs.next();
                    exists = rs.getBoolean(1);
                }
                if (!exists) {
                    for (String statement : createStatements()) {
                        s.execute(statement);
                    }
                    LOG.info("created the Quartz tables (qrtz_*) for the clustered schedules");
                }
                if (targets != null) {
                    dropRemovedSchedules(c, targets);
                }
            }
            c.commit(); // also releases the advisory lock
        }
    }

    private static void dropRemovedSchedules(Connection c, java.util.Collection<String> targets) throws SQLException {
        java.sql.Array names = c.createArrayOf("varchar", targets.toArray());
        String[] sql = {
            "delete from qrtz_cron_triggers where sched_name = ? and trigger_group = ? and not (trigger_name = any(?))",
            "delete from qrtz_simple_triggers where sched_name = ? and trigger_group = ? and not (trigger_name = any(?))",
            "delete from qrtz_triggers where sched_name = ? and trigger_group = ? and not (trigger_name = any(?))",
            "delete from qrtz_job_details where sched_name = ? and job_group = ? and not (job_name = any(?))"
        };
        int removed = 0;
        for (String statement : sql) {
            try (java.sql.PreparedStatement p = c.prepareStatement(statement)) {
                p.setString(1, SCHEDULER);
                p.setString(2, BACKUP_GROUP);
                p.setArray(3, names);
                removed += p.executeUpdate();
            }
        }
        if (removed > 0) {
            LOG.info("removed the clustered schedules of targets no longer configured");
        }
    }

    /** The CREATE statements of the shipped script; its DROP statements are never run. */
    static List<String> createStatements() {
        String script;
        try (InputStream in = QuartzCluster.class.getClassLoader().getResourceAsStream(TABLES_SQL)) {
            if (in == null) {
                throw new IllegalStateException(TABLES_SQL + " is missing from the quartz jar");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        List<String> statements = new ArrayList<>();
        for (String statement : sql.toString().split(";")) {
            String s = statement.strip();
            if (s.toLowerCase(Locale.ROOT).startsWith("create ")) {
                statements.add(s);
            }
        }
        return statements;
    }
}
