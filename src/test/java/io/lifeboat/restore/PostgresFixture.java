package io.lifeboat.restore;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Trigger;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.Stores;
import io.lifeboat.testsupport.Postgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A real PostgreSQL database with a few tables (quoted names, a second schema, NULLs, unicode), a
 * backup service and a restore service over one store, events captured in memory. Every database
 * whose name starts with the source database's name (restored copies, kept copies) is dropped on
 * close.
 */
public final class PostgresFixture implements AutoCloseable {

    static final String TARGET = "app-db";
    /** The tables compared row for row, with the order that makes their rows comparable. */
    static final Map<String, String> TABLES = Map.of(
            "users", "select * from users order by id",
            "orders", "select * from orders order by id",
            "odd", "select * from \"odd \"\"name\"\" x\" order by v",
            "audit.events", "select * from audit.events order by id");

    final Postgres db;
    final String database;
    final LifeboatConfig config;
    final BackupStore store;
    final Catalog catalog;
    final List<String[]> published = Collections.synchronizedList(new ArrayList<>());
    final BackupService backups;
    final RestoreService restores;
    private final String dropPrefix;

    private PostgresFixture(
            Postgres db, String database, String dropPrefix, Path dir, String storeYaml, String drillYaml)
            throws Exception {
        this.db = db;
        this.database = database;
        this.dropPrefix = dropPrefix;
        Path config = dir.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: %s}
                targets:
                  %s:
                    kind: postgres
                    host: %s
                    port: %d
                    database: '%s'
                    user: %s
                    schedule: "0 0 2 * * ?"
                    rpo: 26h
                %s
                """.formatted(
                        storeYaml,
                        TARGET,
                        Postgres.HOST,
                        Postgres.PORT,
                        database.replace("'", "''"),
                        Postgres.USER,
                        drillYaml == null ? "" : "    drill: " + drillYaml));
        this.config = ConfigLoader.load(config, Map.of());
        this.store = Stores.open(this.config.primary());
        this.catalog = Catalog.open(this.config.catalog(), this.config.dataDir());
        EventSink sink = (topic, payload, retained) ->
                published.add(new String[] {topic, new String(payload, StandardCharsets.UTF_8)});
        Events events = new Events(sink);
        this.backups = new BackupService(
                this.config, store, catalog, events, Clock.systemUTC(), new BackupService.Compression(3, 1));
        this.restores = new RestoreService(this.config, store, catalog, events, Clock.systemUTC());
    }

    /** A fresh source database with data, and services over the store {@code storeYaml} describes. */
    static PostgresFixture create(Path dir, String storeYaml, String drillYaml) throws Exception {
        Postgres db = Postgres.create("lifeboat_rs");
        fill(db.name());
        return new PostgresFixture(db, db.name(), db.name(), dir, storeYaml, drillYaml);
    }

    /** As {@link #create}, with a live database whose name needs quoting everywhere. */
    static PostgresFixture createOddlyNamed(Path dir, String storeYaml, String name) throws Exception {
        try (Connection c = Postgres.connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("create database " + PostgresRestorer.ident(name));
        }
        fill(name);
        return new PostgresFixture(null, name, name, dir, storeYaml, null);
    }

    /** Creates the tables and rows every restore test compares. */
    public static void fill(String database) throws SQLException {
        try (Connection c = Postgres.connect(database);
                Statement s = c.createStatement()) {
            s.execute("create table users (id int primary key, name text not null, email text, joined timestamptz)");
            s.execute("insert into users select g, 'user ' || g,"
                    + " case when g % 7 = 0 then null else 'u' || g || '@example.org' end,"
                    + " timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour' from generate_series(1, 2000) g");
            s.execute("create table orders (id int primary key, user_id int not null references users,"
                    + " total numeric(10,2), note text)");
            s.execute("insert into orders select g, 1 + g % 2000, (g * 1.25)::numeric(10,2),"
                    + " repeat(md5(g::text), 1 + g % 5) from generate_series(1, 3000) g");
            s.execute("create table \"odd \"\"name\"\" x\" (v text)");
            s.execute("insert into \"odd \"\"name\"\" x\" values ('quote '' and ; semicolon'), (E'tab\\tnewline\\n'),"
                    + " ('Grüße 🚀')");
            s.execute("create schema audit");
            s.execute("create table audit.events (id serial primary key, what text)");
            s.execute("insert into audit.events (what) values ('created'), ('seeded')");
        }
    }

    /** Changes the source after a backup: rows deleted and updated, a table dropped, a row added. */
    void change() throws SQLException {
        change(database);
    }

    /** Changes {@code database} the way {@link #change()} does. */
    public static void change(String database) throws SQLException {
        try (Connection c = Postgres.connect(database);
                Statement s = c.createStatement()) {
            s.execute("delete from orders where id > 1000");
            s.execute("update users set name = 'changed' where id <= 10");
            s.execute("drop table \"odd \"\"name\"\" x\"");
            s.execute("insert into audit.events (what) values ('after the backup')");
        }
    }

    Manifest backup() throws Exception {
        return backups.backup(TARGET, Trigger.manual("test"), new Progress());
    }

    /** Every table's rows, in a stable order ({@code MISSING} for a table that is not there). */
    public static Map<String, Object> snapshot(String database) throws SQLException {
        Map<String, Object> all = new LinkedHashMap<>();
        try (Connection c = Postgres.connect(database)) {
            for (String table : new TreeSet<>(TABLES.keySet())) {
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery(TABLES.get(table))) {
                    List<List<Object>> rows = new ArrayList<>();
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        List<Object> row = new ArrayList<>();
                        for (int i = 1; i <= columns; i++) {
                            row.add(rs.getObject(i));
                        }
                        rows.add(row);
                    }
                    all.put(table, rows);
                } catch (SQLException e) {
                    if (!"42P01".equals(e.getSQLState())) { // undefined table
                        throw e;
                    }
                    all.put(table, "MISSING");
                }
            }
        }
        return all;
    }

    /** The tables a database has outside the system schemas, as schema.name. */
    public static List<String> tables(String database) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = Postgres.connect(database);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select table_schema || '.' || table_name from information_schema.tables"
                        + " where table_schema not in ('pg_catalog', 'information_schema') order by 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    /** The databases whose names start with the source database's (the source, restored and kept copies). */
    List<String> databases() throws SQLException {
        return databasesStartingWith(dropPrefix);
    }

    public static List<String> databasesStartingWith(String prefix) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = Postgres.connect("postgres");
                PreparedStatement p =
                        c.prepareStatement("select datname from pg_database where left(datname, ?) = ? order by 1")) {
            p.setInt(1, prefix.length());
            p.setString(2, prefix);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    public static boolean exists(String database) throws SQLException {
        return databasesStartingWith(database).contains(database);
    }

    /** The events published so far of one type, e.g. {@code restore.failed}. */
    List<String> events(String type) {
        synchronized (published) {
            return published.stream()
                    .filter(p -> p[0].equals("events") && p[1].contains("\"type\":\"" + type + "\""))
                    .map(p -> p[1])
                    .toList();
        }
    }

    List<String> alerts() {
        synchronized (published) {
            return published.stream()
                    .filter(p -> p[0].equals("alerts"))
                    .map(p -> p[1])
                    .toList();
        }
    }

    public static void drop(String database) throws SQLException {
        try (Connection c = Postgres.connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("drop database if exists " + PostgresRestorer.ident(database) + " with (force)");
        }
    }

    @Override
    public void close() throws Exception {
        try {
            catalog.close();
            store.close();
        } finally {
            for (String name : databasesStartingWith(dropPrefix)) {
                drop(name);
            }
            String restorePrefix = PostgresRestorer.defaultName(database, "00000000000000");
            for (String name : databasesStartingWith(restorePrefix.substring(0, restorePrefix.length() - 14))) {
                drop(name);
            }
        }
    }
}
