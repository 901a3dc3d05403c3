package io.lifeboat.cli;

import io.lifeboat.alerting.AlertRouting;
import io.lifeboat.alerting.AlertingRoutes;
import io.lifeboat.alerting.AlertingSetup;
import io.lifeboat.broker.EmbeddedBroker;
import io.lifeboat.camel.BackupJobs;
import io.lifeboat.camel.DrillJobs;
import io.lifeboat.camel.DrillRoutes;
import io.lifeboat.camel.OffsiteJobs;
import io.lifeboat.camel.PruneRoutes;
import io.lifeboat.camel.RpoRoutes;
import io.lifeboat.camel.ScheduleRoutes;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.crypto.Encryption;
import io.lifeboat.events.EventRoutes;
import io.lifeboat.events.Events;
import io.lifeboat.homeassistant.HomeAssistantRoutes;
import io.lifeboat.http.ApiOperations;
import io.lifeboat.http.ApiRoutes;
import io.lifeboat.http.ApiViews;
import io.lifeboat.inbound.Inbound;
import io.lifeboat.inbound.InboundRoutes;
import io.lifeboat.inbound.Rejections;
import io.lifeboat.jmx.LifeboatJmx;
import io.lifeboat.jobs.ArtemisJobQueue;
import io.lifeboat.jobs.JobBroker;
import io.lifeboat.jobs.JobIntake;
import io.lifeboat.jobs.JobQueue;
import io.lifeboat.jobs.JobRoutes;
import io.lifeboat.jobs.QuartzCluster;
import io.lifeboat.observe.LifeboatMetrics;
import io.lifeboat.observe.Management;
import io.lifeboat.observe.health.CatalogHealthCheck;
import io.lifeboat.observe.health.JobQueueHealthCheck;
import io.lifeboat.observe.health.MqttBrokerHealthCheck;
import io.lifeboat.observe.health.RedisHealthCheck;
import io.lifeboat.observe.health.StoreHealthCheck;
import io.lifeboat.outbox.Outbox;
import io.lifeboat.outbox.Outboxes;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.pipeline.Pruner;
import io.lifeboat.restore.DrillService;
import io.lifeboat.restore.IntegrityResponder;
import io.lifeboat.restore.RestoreService;
import io.lifeboat.safemode.SafeModeService;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.Stores;
import jakarta.jms.ConnectionFactory;
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

    private static final String STOPPED =
            "Lifeboat was stopped before the backup finished (camel.main.shutdown-timeout)";

    /** How long aborted backups get to remove their partial objects and record their runs. */
    private static final java.time.Duration ABORT_WAIT = java.time.Duration.ofSeconds(30);

    /** How long the JVM's exit waits for the daemon's own clean-up after Camel stopped. */
    private static final long CLEANUP_WAIT_SECONDS = 60;

    private Daemon() {}

    /**
     * Runs the daemon. On SIGTERM the JVM runs its shutdown hooks and halts when they end, whatever
     * other threads do: a hook here holds the exit until {@link #serve} has stopped running backups,
     * published {@code offline} and flushed the outbox (at most {@link #CLEANUP_WAIT_SECONDS}).
     */
    static int run(LifeboatConfig config, Path home) throws Exception {
        java.util.concurrent.CountDownLatch cleanedUp = new java.util.concurrent.CountDownLatch(1);
        Thread hold = new Thread(
                () -> {
                    try {
                        cleanedUp.await(CLEANUP_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "lifeboat-shutdown");
        Runtime.getRuntime().addShutdownHook(hold);
        try {
            return serve(config, home);
        } finally {
            cleanedUp.countDown();
        }
    }

    private static int serve(LifeboatConfig config, Path home) throws Exception {
        Encryption encryption = Session.encryption(config); // a bad key file stops the start, naming it
        EmbeddedBroker broker = null;
        String mqttUrl;
        boolean embeddedMqtt = config.mqtt() == null || config.mqtt().url() == null;
        if (embeddedMqtt || config.artemis().embedded()) {
            // the job queue's broker (no artemis.url) and/or the MQTT broker (no mqtt.url)
            broker = EmbeddedBroker.start(
                    config.dataDir(),
                    config.broker().mqttHost(),
                    embeddedMqtt ? config.broker().mqttPort() : 0,
                    config.artemis().embedded() ? config.broker().port() : 0);
            if (broker.mqttUrl() != null) {
                LOG.info("embedded broker serving MQTT on {}", broker.mqttUrl());
            }
            if (broker.networkUrl() != null) {
                LOG.info("embedded broker serving the job queue and lifeboat.alerts on {}", broker.networkUrl());
            }
        }
        mqttUrl = embeddedMqtt ? broker.mqttUrl() : config.mqtt().url();
        if (config.cluster().enabled()) {
            // before any Quartz scheduler starts: the tables, and no schedule of a target removed from the config
            QuartzCluster.prepare(config.catalog(), config.targets().keySet());
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
            Main main = new Main();
            java.util.Properties initial = Session.mqttProperties(config, mqttUrl, clientId);
            if (config.cluster().enabled()) {
                initial.putAll(QuartzCluster.camelProperties(config)); // Quartz on the shared JDBC job store
                LOG.info(
                        "cluster mode: schedules are shared through the Quartz tables in {}, jobs through {}",
                        config.catalog().url(),
                        config.artemis().url());
            }
            initial.putAll(InboundRoutes.properties(config)); // the inbound consumers' persistent-session client id
            initial.putAll(ApiRoutes.properties(config.http()));
            initial.putAll(Management.camelProperties(config.management())); // /observe: metrics, health, Jolokia
            main.setInitialProperties(initial);
            Management.shareRegistry(main, metrics.registry());
            ConnectionFactory jmsConnections = JobBroker.connectionFactory(config);
            ArtemisJobQueue jobQueue = new ArtemisJobQueue(jmsConnections, EmbeddedBroker.JOBS, clock);
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
            main.configure().addRoutesBuilder(new InboundRoutes(config, true));
            main.configure().addRoutesBuilder(new JobRoutes(new JobIntake(config)));
            main.configure().addRoutesBuilder(new AlertingRoutes());
            if (config.homeassistant().discovery()) {
                main.configure()
                        .addRoutesBuilder(new HomeAssistantRoutes(
                                config,
                                outbox,
                                config.mqtt() != null ? config.mqtt().prefix() : ConfigLoader.DEFAULT_MQTT_PREFIX,
                                clock));
            }
            if (config.http().enabled()) {
                main.configure().addRoutesBuilder(new ApiRoutes(config.http(), metrics.registry(), clock));
            } else {
                LOG.info("HTTP API disabled (http.enabled: false)");
            }
            LifeboatJmx[] jmx = new LifeboatJmx[1];
            BackupService[] backups = new BackupService[1];
            ApiOperations[] operations = new ApiOperations[1];
            AlertingSetup.Parts[] alerting = new AlertingSetup.Parts[1];
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void beforeConfigure(BaseMainSupport m) {
                    m.getCamelContext().getRegistry().bind("outbox", outbox);
                    // alerts fan out to the receivers: Lifeboat's own (Events, the outbox's) and incoming ones
                    alerting[0] = AlertingSetup.open(
                            config,
                            catalog,
                            outbox,
                            metrics.registry(),
                            clock,
                            m.getCamelContext().createProducerTemplate());
                    AlertRouting routing = alerting[0].routing();
                    m.getCamelContext().getRegistry().bind(AlertingRoutes.BEAN, routing);
                    outbox.alertsTo(routing::accept);
                    BackupService service = new BackupService(
                            config,
                            store,
                            catalog,
                            new Events(outbox, routing::accept),
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
                    backups[0] = service;
                    try {
                        // the RPO dead man's switch: RpoBreached once per breach, resolved by the next verified backup
                        m.getCamelContext().addRoutes(new RpoRoutes(config, catalog, service, clock));
                    } catch (Exception e) {
                        throw new IllegalStateException("the rpo-check route could not be added: " + e, e);
                    }
                    m.getCamelContext().getRegistry().bind("metrics", metrics);
                    m.getCamelContext().getRegistry().bind("jms", JobBroker.jmsComponent(jmsConnections));
                    m.getCamelContext().getRegistry().bind("jobQueue", jobQueue);
                    m.getCamelContext()
                            .getRegistry()
                            .bind(ApiViews.BEAN, JsonViews.forDaemon(config, service, catalog, store, offsite, outbox));
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
                    SafeModeService safeMode = new SafeModeService(
                            catalog, service.events(), outbox, config.safeMode().resumeToken(), clock);
                    m.getCamelContext().getRegistry().bind("safeMode", safeMode);
                    var registry = m.getCamelContext().getRegistry();
                    Inbound inbound = new Inbound(
                            config,
                            safeMode,
                            () -> registry.lookupByNameAndType("jobQueue", JobQueue.class),
                            new Rejections(metrics.registry(), outbox, clock),
                            outbox,
                            clock);
                    inbound.alertingTo(routing);
                    registry.bind("inbound", inbound);
                    jmx[0] = new LifeboatJmx(safeMode, LifeboatJmx.Requests.through(inbound)).register();
                    RestoreService restores = new RestoreService(config, store, catalog, service.events(), clock);
                    operations[0] = new ApiOperations(service, restores, safeMode);
                    registry.bind(ApiOperations.BEAN, operations[0]);
                    m.getCamelContext()
                            .getRegistry()
                            .bind(
                                    "integrityResponder",
                                    new IntegrityResponder(
                                            config,
                                            safeMode,
                                            service.events(),
                                            (target, trigger) -> restores.restore(
                                                            "latest:" + target,
                                                            new RestoreService.Options(null, true, null, trigger),
                                                            new Progress())
                                                    .report(),
                                            clock));
                }

                @Override
                public void beforeStop(BaseMainSupport m) {
                    if (backups[0] != null) {
                        backups[0].stopping(STOPPED); // a backup failing from here on was cut short
                        // Camel waits this long for running jobs, then cannot stop a job-run consumer
                        // blocked on a tool that says nothing: stop the backups then, so the stop goes on
                        var strategy = m.getCamelContext().getShutdownStrategy();
                        long grace = strategy.getTimeUnit().toMillis(strategy.getTimeout());
                        Thread abort = new Thread(
                                () -> {
                                    try {
                                        Thread.sleep(grace);
                                        backups[0].abortRunning(STOPPED, ABORT_WAIT);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                },
                                "lifeboat-shutdown-abort");
                        abort.setDaemon(true);
                        abort.start();
                    }
                }

                @Override
                public void afterConfigure(BaseMainSupport m) {
                    // the management server exists now and starts with the context: gate Jolokia first
                    Management.guardJolokia(m.getCamelContext(), config.management());
                    java.util.List<org.apache.camel.health.HealthCheck> checks = new java.util.ArrayList<>();
                    checks.add(new MqttBrokerHealthCheck(outbox));
                    checks.add(new JobQueueHealthCheck(jmsConnections));
                    if (config.redis() != null && config.redis().url() != null) {
                        checks.add(new RedisHealthCheck(config.redis().url()));
                    }
                    checks.add(new StoreHealthCheck("store-primary", store));
                    if (offsite != null) {
                        checks.add(new StoreHealthCheck("store-offsite", offsite));
                    }
                    checks.add(new CatalogHealthCheck(catalog));
                    Management.healthChecks(m.getCamelContext(), checks);
                }

                @Override
                public void afterStart(BaseMainSupport m) {
                    if (alerting[0].deliveries() != null) {
                        alerting[0].deliveries().start(); // what earlier runs left queued goes out first
                        LOG.info(
                                "alerts go to {}", config.alerting().receivers().keySet());
                    }
                    if (config.http().enabled()) {
                        ApiRoutes.start(m.getCamelContext(), config.http()); // a port in use is logged, not fatal
                    }
                    Management.logServing(m.getCamelContext(), config.management());
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
            if (backups[0] != null) {
                // Camel waited camel.main.shutdown-timeout for running jobs; what still runs is stopped now,
                // cleanly: partial objects removed, runs recorded as aborted, their jobs left on the queue
                backups[0].abortRunning(STOPPED, ABORT_WAIT); // any left (normally none by now)
            }
            if (operations[0] != null) {
                operations[0].close();
            }
            if (alerting[0] != null) {
                alerting[0].routing().close(); // a notice in flight gets its answer; the rest stay queued
            }
            jobQueue.close();
            if (jmx[0] != null) {
                jmx[0].close();
            }
            outbox.publish("status", "offline".getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
            outbox.close(); // flushes; what cannot go now stays in the stream or the spool
            return main.getExitCode();
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }
}
