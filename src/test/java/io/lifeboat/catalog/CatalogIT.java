package io.lifeboat.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.config.LifeboatConfig.CatalogConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog on a real PostgreSQL on loopback (trust authentication, user {@code postgres}). Each test
 * gets a database of its own, created here and dropped afterwards.
 */
class CatalogIT extends CatalogContract {

    /** Override with -Dlifeboat.it.postgres=host:port when PostgreSQL listens elsewhere. */
    static final String SERVER = System.getProperty("lifeboat.it.postgres", "127.0.0.1:5432");

    static final String USER = "postgres";

    @TempDir
    Path dataDir;

    String database;

    @Override
    Catalog openCatalog() throws SQLException {
        database = "lifeboat_it_" + HexFormat.of().formatHex(randomBytes());
        admin("create database " + database);
        return Catalog.open(config(), dataDir);
    }

    @Override
    Catalog openAgain() {
        return Catalog.open(config(), dataDir);
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        if (database != null) {
            admin("drop database if exists " + database + " with (force)");
        }
    }

    @Test
    void itUsesPostgresNotTheEmbeddedDatabase() {
        assertThat(catalog.describe()).isEqualTo(config().url());
        assertThat(dataDir.resolve("catalog")).doesNotExist();
    }

    @Test
    void processesStartingTogetherCreateTheSchemaOnce() throws Exception {
        catalog.close();
        catalog = null;
        admin("drop database " + database + " with (force)");
        admin("create database " + database);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Catalog>> opening = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                opening.add(pool.submit((Callable<Catalog>) () -> Catalog.open(config(), dataDir)));
            }
            for (Future<Catalog> f : opening) {
                f.get(60, TimeUnit.SECONDS).close();
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = connect(database);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*), max(version) from schema_version")) {
            rs.next();
            // each schema version applied exactly once, however many processes raced to apply it
            assertThat(rs.getInt(1)).isEqualTo(CatalogSchema.MIGRATIONS.size());
            assertThat(rs.getInt(2)).isEqualTo(CatalogSchema.MIGRATIONS.size());
        }
        catalog = Catalog.open(config(), dataDir);
        assertThat(catalog.backups(null)).isEmpty();
    }

    CatalogConfig config() {
        return new CatalogConfig("jdbc:postgresql://" + SERVER + "/" + database, USER, "");
    }

    static void admin(String sql) throws SQLException {
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute(sql); // database names here are generated hex, never user input
        }
    }

    static Connection connect(String db) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + SERVER + "/" + db, USER, "");
    }

    static byte[] randomBytes() {
        byte[] bytes = new byte[6];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }
}
