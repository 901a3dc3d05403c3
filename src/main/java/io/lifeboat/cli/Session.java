package io.lifeboat.cli;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.crypto.Encryption;
import io.lifeboat.crypto.Encryptions;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.outbox.Outbox;
import io.lifeboat.outbox.Outboxes;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.restore.RestoreService;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.Stores;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What a one-shot command needs, opened on demand and closed in reverse order: the config, the store,
 * the catalog, and (only when the config has an {@code mqtt} section) a small Camel context that
 * publishes events.
 */
final class Session implements AutoCloseable {

    private final LifeboatConfig config;
    private final Deque<AutoCloseable> open = new ArrayDeque<>();
    private BackupStore store;
    private BackupStore offsiteStore;
    private CompletableFuture<Catalog> catalog;
    private BackupService service;
    private Events events;
    private RestoreService restoreService;
    private EventSink sink;

    Session(Path configFile) {
        this.config = ConfigLoader.load(configFile, System.getenv());
    }

    /**
     * Starts opening the catalog on another thread: the embedded database and the S3 client each take
     * most of a second to start, and a one-shot command need not wait for them one after the other.
     */
    Session openCatalogEarly() {
        if (catalog == null) {
            catalog = CompletableFuture.supplyAsync(() -> {
                Catalog c = Catalog.open(config.catalog(), config.dataDir());
                c.markDeadRuns(); // runs left 'running' by a killed process end as failed, not forever running
                return c;
            });
        }
        return this;
    }

    LifeboatConfig config() {
        return config;
    }

    BackupStore store() throws Exception {
        if (store == null) {
            store = Stores.open(config.primary());
            open.push(store);
        }
        return store;
    }

    /** The off-site store ({@code storage.offsite}), or null when none is configured. */
    BackupStore offsiteStore() {
        if (offsiteStore == null && config.offsite() != null) {
            offsiteStore = Stores.open(config.offsite());
            open.push(offsiteStore);
        }
        return offsiteStore;
    }

    Catalog catalog() {
        openCatalogEarly();
        try {
            Catalog c = catalog.join();
            if (!open.contains(c)) {
                open.push(c);
            }
            return c;
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    BackupService service() throws Exception {
        if (service == null) {
            service = new BackupService(
                    config,
                    store(),
                    catalog(),
                    events(),
                    Clock.systemUTC(),
                    BackupService.Compression.defaults(),
                    encryption(config));
            if (offsiteStore() != null) {
                service.withOffsite(offsiteStore());
            }
        }
        return service;
    }

    /** What the primary store encrypts new backups with; a bad key file is an error naming it. */
    static Encryption encryption(LifeboatConfig config) throws IOException {
        try {
            return Encryptions.forStore(config.primary());
        } catch (IOException e) {
            throw new IOException("storage.primary.encryption: " + e.getMessage(), e);
        }
    }

    /** What the command announces (events, alerts), shared by everything the session runs. */
    Events events() throws Exception {
        if (events == null) {
            events = new Events(eventSink());
        }
        return events;
    }

    RestoreService restoreService() throws Exception {
        if (restoreService == null) {
            restoreService = new RestoreService(config, store(), this::catalog, events(), Clock.systemUTC());
        }
        return restoreService;
    }

    EventSink eventSink() throws Exception {
        if (sink != null) {
            return sink; // one publisher per command, however many services use it
        }
        if (config.mqtt() == null || config.mqtt().url() == null) {
            return sink = EventSink.NONE;
        }
        // appends to the same backlog as the daemon when the broker is away; flushes (bounded) at close
        Outbox outbox = Outboxes.open(
                        config,
                        config.mqtt().url(),
                        "lifeboat-cli-" + ProcessHandle.current().pid(),
                        false)
                .start();
        open.push(outbox);
        return sink = outbox;
    }

    static Properties mqttProperties(LifeboatConfig config, String url, String clientId) {
        Properties p = new Properties();
        p.setProperty("lifeboat.mqtt.url", url);
        p.setProperty("lifeboat.mqtt.clientId", clientId);
        String prefix = config.mqtt() != null && config.mqtt().prefix() != null
                ? config.mqtt().prefix()
                : "lifeboat";
        p.setProperty("lifeboat.mqtt.prefix", prefix);
        if (config.mqtt() != null && config.mqtt().username() != null) {
            p.setProperty("lifeboat.mqtt.username", config.mqtt().username());
        }
        if (config.mqtt() != null && config.mqtt().password() != null) {
            p.setProperty("lifeboat.mqtt.password", config.mqtt().password());
        }
        return p;
    }

    @Override
    public void close() {
        if (catalog != null) {
            try {
                catalog(); // opened early but perhaps never used: it is closed with the rest
            } catch (RuntimeException ignored) {
                // opening failed; nothing to close
            }
        }
        while (!open.isEmpty()) {
            try {
                open.pop().close();
            } catch (Exception e) {
                System.err.println("warning: " + e.getMessage());
            }
        }
    }
}
