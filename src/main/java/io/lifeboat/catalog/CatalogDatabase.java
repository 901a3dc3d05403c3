package io.lifeboat.catalog;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig.CatalogConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where the catalog's connections come from: a connection per call, so the daemon's threads never
 * share one. The embedded H2 file database is opened with {@code AUTO_SERVER=TRUE}, so the daemon and
 * a one-shot command can use it at the same time; this object keeps one connection open for its
 * lifetime so the database is not reopened on every call.
 */
final class CatalogDatabase implements AutoCloseable {

    private static final String H2_USER = "lifeboat";

    private final String url;
    private final Properties credentials;
    private final String description;
    private final Connection keepOpen;

    private CatalogDatabase(String url, Properties credentials, String description, boolean keepOpen) {
        this.url = url;
        this.credentials = credentials;
        this.description = description;
        this.keepOpen = keepOpen ? connect() : null;
    }

    static CatalogDatabase open(CatalogConfig cfg, Path dataDir) {
        requireNonNull(cfg, "cfg");
        Properties credentials = new Properties();
        if (cfg.embedded()) {
            requireNonNull(dataDir, "dataDir");
            Path folder = dataDir.resolve("catalog").toAbsolutePath();
            try {
                Files.createDirectories(folder);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the catalog folder " + folder, e);
            }
            String file = folder.resolve("lifeboat").toString();
            if (file.contains(";")) {
                throw new IllegalArgumentException("dataDir must not contain ';' (H2 reads it as a setting): " + file);
            }
            credentials.setProperty("user", H2_USER);
            credentials.setProperty("password", "");
            return new CatalogDatabase(
                    "jdbc:h2:file:" + file + ";AUTO_SERVER=TRUE", credentials, "embedded " + file, true);
        }
        if (cfg.user() != null) {
            credentials.setProperty("user", cfg.user());
        }
        if (cfg.password() != null) {
            credentials.setProperty("password", cfg.password());
        }
        return new CatalogDatabase(cfg.url(), credentials, cfg.url(), false);
    }

    /** A new connection in auto-commit mode; the caller closes it. */
    Connection connect() {
        long deadline = System.nanoTime() + AUTO_SERVER_WAIT.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return DriverManager.getConnection(url, credentials);
            } catch (SQLException e) {
                // two processes opening the embedded database at the same moment: one becomes its
                // auto-server, the other sees "already in use" until that server is up; wait for it
                if (e.getErrorCode() != H2_DATABASE_ALREADY_OPEN || System.nanoTime() > deadline) {
                    throw new CatalogException(
                            "cannot connect to the catalog at " + description + ": " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(Math.min(500, 50L * attempt));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new CatalogException("interrupted while connecting to the catalog at " + description, e);
                }
            }
        }
    }

    /** H2's error code for a database file locked by another process (org.h2.api.ErrorCode.DATABASE_ALREADY_OPEN_1). */
    private static final int H2_DATABASE_ALREADY_OPEN = 90020;

    private static final java.time.Duration AUTO_SERVER_WAIT = java.time.Duration.ofSeconds(10);

    /** Where the catalog is, for logs and errors, without credentials. */
    String describe() {
        return description;
    }

    @Override
    public void close() {
        if (keepOpen != null) {
            try {
                keepOpen.close();
            } catch (SQLException e) {
                throw new CatalogException("cannot close the catalog at " + description, e);
            }
        }
    }
}
