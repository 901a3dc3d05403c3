package io.lifeboat.cli;

import io.lifeboat.broker.EmbeddedBroker;
import io.lifeboat.camel.BackupJobs;
import io.lifeboat.camel.DrillJobs;
import io.lifeboat.camel.DrillRoutes;
import io.lifeboat.camel.HealthRoutes;
import io.lifeboat.camel.OffsiteJobs;
import io.lifeboat.camel.PruneRoutes;
import io.lifeboat.camel.ScheduleRoutes;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.crypto.Encryption;
import io.lifeboat.events.EventRoutes;
import io.lifeboat.events.Events;
import io.lifeboat.jobs.LocalJobQueue;
import io.lifeboat.observe.LifeboatMetrics;
import io.lifeboat.observe.ManagementServer;
import io.lifeboat.outbox.Outbox;
import io.lifeboat.outbox.Outboxes;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.pipeline.Pruner;
import io.lifeboat.restore.DrillService;
import io.lifeboat.restore.IntegrityResponder;
import io.lifeboat.restore.RestoreService;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.Stores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./lifeboat run}: the long-running process. camel-main with the YAML routes from
 * {@code routes/}, one Quartz route per target, and the embedded Artemis broker serving MQTT when the
 * config names no broker.
 */
final class Daemon {

    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private Daemon() {}

    /**
     * Serves {@code /observe/metrics} on {@code management.host:port}, or nothing when {@code
     * management.enabled} is false. An address that cannot be bound is logged and the daemon runs
     * on without metrics: backups matter more than their numbers, and Prometheus shows the scrape
     * target down.
     */
    private static ManagementServer management(LifeboatConfig config, LifeboatMetrics metrics) {
        LifeboatConfig.ManagementConfig m = config.management();
        if (!m.enabled()) {
            LOG.info("management endpoint disabled (management.enabled: false)");
            return null;
        }
        try {
            ManagementServer server = ManagementServer.start(m, metrics);
            LOG.info("metrics at http://{}:{}{}", m.host(), server.port(), ManagementServer.METRICS_PATH);
            return server;
        } catch (IOException | RuntimeException e) {
            LOG.error(
                    "management.port {} on {} cannot be served ({}); running without /observe/metrics",
                    m.port(),
                    m.host(),
                    e.toString());
            return null;
        }
    }

    static int run(LifeboatConfig config, Path home) throws Exception {
        Encryption encryption = Session.encryption(config); // a bad key file stops the start, naming it
        EmbeddedBroker broker = null;
        String mqttUrl;
        if (config.mqtt() == null || config.mqtt().url() == null) {
            broker = EmbeddedBroker.start(
                    config.dataDir(),
                    config.broker().mqttHost(),
                    config.broker().mqttPort());
            mqttUrl = broker.mqttUrl();
            LOG.info("embedded broker serving MQTT on {}", mqttUrl);
        } else {
            mqttUrl = config.mqtt().url();
        }
        Clock clock = Clock.systemUTC();
        try (BackupStore store = Stores.open(config.primary());
                BackupStore offsite = config.offsite() == null ? null : Stores.open(config.offsite());
                Catalog catalog = Catalog.open(config.catalog(), config.dataDir())) {
            // parts register their own meters here (outbox, rejected input); served on the management port
            LifeboatMetrics metrics = new LifeboatMetrics(config, catalog, clock);
            String clientId = config.mqtt() != null && config.mqtt().clientId() != null
                    ? config.mqtt().clientId()
                    : "lifeboat-daemon-" + ProcessHandle.current().pid();
            // everything published goes through the outbox: last will offline, online on every connect
            Outbox outbox = Outboxes.open(config, mqttUrl, clientId + "-out", true)
                    .bindTo(metrics.registry())
                    .start();
            ManagementServer management = management(config, metrics);
            Main main = new Main();
            main.setInitialProperties(Session.mqttProperties(config, mqttUrl, clientId));
            Path appProperties = home.resolve("config/application.properties");
            if (Files.exists(appProperties)) {
                main.setDefaultPropertyPlaceholderLocation("file:" + appProperties.toAbsolutePath());
            }
            main.configure()
                    .withRoutesIncludePattern("file:" + home.resolve("routes").toAbsolutePath() + "/*.yaml");
            main.configure().addRoutesBuilder(new ScheduleRoutes(config));
            main.configure().addRoutesBuilder(new PruneRoutes(config));
            main.configure().addRoutesBuilder(new DrillRoutes(config));
            main.configure().addRoutesBuilder(new EventRoutes(outbox));
            main.configure().addRoutesBuilder(new HealthRoutes(clock));
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void beforeConfigure(BaseMainSupport m) {
                    m.getCamelContext().getRegistry().bind("outbox", outbox);
                    BackupService service = new BackupService(
                            config,
                            store,
                            catalog,
                            new Events(outbox),
                            clock,
                            BackupService.Compression.defaults(),
                            encryption);
                    if (offsite != null) {
                        service.withOffsite(offsite); // every verified backup is copied off-site and verified there
                    }
                    int abandoned = catalog.markDeadRuns();
                    if (abandoned > 0) {
                        LOG.warn("{} run(s) were left running by a process that ended; recorded as failed", abandoned);
                    }
                    int indexed = service.rebuildCatalogIfEmpty(); // before any schedule fires
                    if (indexed > 0) {
                        LOG.info("the catalog was empty: {} backup(s) indexed from {}", indexed, store.describe());
                    }
                    m.getCamelContext().getRegistry().bind("backupService", service);
                    m.getCamelContext().getRegistry().bind("metrics", metrics);
                    m.getCamelContext()
                            .getRegistry()
                            .bind(
                                    "jobQueue",
                                    new LocalJobQueue(
                                            m.getCamelContext().createProducerTemplate(),
                                            clock,
                                            config.artemis().coalesce()));
                    m.getCamelContext()
                            .getRegistry()
                            .bind("backupJobs", new BackupJobs(config, service, catalog, clock));
                    m.getCamelContext().getRegistry().bind("offsiteJobs", new OffsiteJobs(service));
                    m.getCamelContext()
                            .getRegistry()
                            .bind(
                                    "pruner",
                                    new Pruner(config, store, catalog, service.events(), service.locks(), clock));
                    m.getCamelContext()
                            .getRegistry()
                            .bind(
                                    "drillJobs",
                                    new DrillJobs(new DrillService(config, store, catalog, service.events(), clock)));
                    RestoreService restores = new RestoreService(config, store, catalog, service.events(), clock);
                    m.getCamelContext()
                            .getRegistry()
                            .bind(
                                    "integrityResponder",
                                    new IntegrityResponder(
                                            config,
                                            catalog,
                                            service.events(),
                                            (target, trigger) -> restores.restore(
                                                            "latest:" + target,
                                                            new RestoreService.Options(null, true, null, trigger),
                                                            new Progress())
                                                    .report(),
                                            clock));
                }

                @Override
                public void afterStart(BaseMainSupport m) {
                    LOG.info(
                            "Lifeboat is running: {} target(s), backups in {}, catalog {}",
                            config.targets().size(),
                            store.describe(),
                            config.catalog().embedded()
                                    ? config.dataDir().resolve("catalog")
                                    : config.catalog().url());
                    LOG.info("see them with: ./lifeboat list   or   ./lifeboat status");
                }
            });
            main.run();
            outbox.publish("status", "offline".getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
            outbox.close(); // flushes; what cannot go now stays in the stream or the spool

            if (management != null) {
                management.close();
            }
            return main.getExitCode();
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }
}
