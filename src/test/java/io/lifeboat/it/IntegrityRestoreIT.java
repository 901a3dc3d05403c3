package io.lifeboat.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.restore.PostgresFixture;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.LifeboatCli.Result;
import io.lifeboat.testsupport.MqttRecorder;
import io.lifeboat.testsupport.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health events into the daemon over real Mosquitto: {@code integrity_failed} for a target with
 * {@code autoRestore: true} restores the latest verified backup over the damaged database (old data
 * kept); with Safe Mode on, or for a target without autoRestore, it only alerts with the command; a
 * payload that is not a health event goes to the dead-letter topic and the route goes on.
 */
class IntegrityRestoreIT {

    private static final String MQTT = "tcp://127.0.0.1:1883";

    @TempDir
    Path work;

    Postgres auto;
    Postgres manual;

    @AfterEach
    void dropDatabases() throws Exception {
        for (Postgres db : new Postgres[] {auto, manual}) {
            if (db != null) {
                for (String name : PostgresFixture.databasesStartingWith(db.name())) {
                    PostgresFixture.drop(name);
                }
            }
        }
    }

    @Test
    void integrityFailedRestoresOnlyWhereAllowedAndNeverInSafeMode() throws Exception {
        auto = Postgres.create("lifeboat_auto");
        manual = Postgres.create("lifeboat_manual");
        PostgresFixture.fill(auto.name());
        PostgresFixture.fill(manual.name());
        Map<String, Object> original = PostgresFixture.snapshot(auto.name());
        String prefix = "lifeboat-integrity-" + UUID.randomUUID().toString().substring(0, 8);
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                mqtt: {url: "%s", prefix: "%s"}
                targets:
                  app-db:
                    {kind: postgres, host: %s, port: %d, database: %s, user: %s, schedule: "0 0 2 * * ? 2099",
                     rpo: 26h, autoRestore: true, drill: {validate: [{sql: "select count(*) from users", min: 1000}]}}
                  other-db:
                    {kind: postgres, host: %s, port: %d, database: %s, user: %s, schedule: "0 0 2 * * ? 2099", rpo: 26h}
                """.formatted(
                        MQTT,
                        prefix,
                        Postgres.HOST,
                        Postgres.PORT,
                        auto.name(),
                        Postgres.USER,
                        Postgres.HOST,
                        Postgres.PORT,
                        manual.name(),
                        Postgres.USER));
        LifeboatCli cli = new LifeboatCli(config);
        for (String target : new String[] {"app-db", "other-db"}) {
            Result b = cli.run("backup", target);
            assertThat(b.exitCode()).as(b.toString()).isZero();
        }
        PostgresFixture.change(auto.name());
        Map<String, Object> damaged = PostgresFixture.snapshot(auto.name());
        assertThat(damaged).isNotEqualTo(original);

        LifeboatCli.Started started = cli.start("run");
        Process daemon = started.process();
        MqttClient monitor = new MqttClient(MQTT, "it-monitor-" + UUID.randomUUID(), new MemoryPersistence());
        try (MqttRecorder mqtt = new MqttRecorder(MQTT, prefix + "/#")) {
            assertThat(mqtt.await(
                            m -> m.topic().equals(prefix + "/status")
                                    && m.payload().equals("online"),
                            Duration.ofSeconds(60)))
                    .as(started.output())
                    .isPresent();
            monitor.connect(new MqttConnectionOptions());
            // "online" goes out when the outbox connects, before the routes start: the health
            // subscription exists once the daemon says it is running
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end && !started.output().contains("Lifeboat is running")) {
                Thread.sleep(200);
            }
            assertThat(started.output()).contains("Lifeboat is running");

            // not a health event: dead-letter with the reason, nothing else happens
            monitor.publish(prefix + "/health/app-db", "this is not json".getBytes(UTF_8), 1, false);
            var dlq = mqtt.await(m -> m.topic().equals(prefix + "/dlq"), Duration.ofSeconds(20));
            assertThat(dlq).as(started.output()).isPresent();
            JsonNode rejected = Json.MAPPER.readTree(dlq.get().payload());
            assertThat(rejected.get("reason").asText()).isEqualTo("not_json");
            assertThat(rejected.get("topic").asText()).isEqualTo(prefix + "/health/app-db");

            // no autoRestore: an alert with the command, the database untouched
            monitor.publish(
                    prefix + "/health/other-db",
                    "{\"status\":\"integrity_failed\",\"detail\":\"page checksum errors\"}".getBytes(UTF_8),
                    1,
                    false);
            var manualAlert = mqtt.await(
                    m -> m.topic().equals(prefix + "/alerts") && m.payload().contains("IntegrityFailed:other-db"),
                    Duration.ofSeconds(20));
            assertThat(manualAlert).isPresent();
            assertThat(manualAlert.get().payload())
                    .contains("autoRestore is off")
                    .contains("./lifeboat restore latest:other-db --replace");

            // autoRestore: the latest verified backup replaces the damaged data, which is kept
            monitor.publish(
                    prefix + "/health/app-db",
                    "{\"status\":\"integrity_failed\",\"detail\":\"page checksum errors\"}".getBytes(UTF_8),
                    1,
                    false);
            assertThat(mqtt.await(
                            m -> m.topic().equals(prefix + "/events")
                                    && m.payload().contains("restore.finished"),
                            Duration.ofSeconds(120)))
                    .as(started.output())
                    .isPresent();
            assertThat(PostgresFixture.snapshot(auto.name())).isEqualTo(original);
            String kept = PostgresFixture.databasesStartingWith(auto.name() + "_pre_restore_")
                    .get(0);
            assertThat(PostgresFixture.snapshot(kept)).isEqualTo(damaged);

            // Safe Mode on: no automatic restore, an alert that says why, with the command
            LifeboatConfig cfg = ConfigLoader.load(config, Map.of());
            try (Catalog catalog = Catalog.open(cfg.catalog(), cfg.dataDir())) {
                catalog.safeModeChanged(true, "test: 3 services down", "integrity-it", Instant.now());
            }
            PostgresFixture.change(auto.name());
            monitor.publish(prefix + "/health/app-db", "{\"status\":\"integrity_failed\"}".getBytes(UTF_8), 1, false);
            var safeAlert = mqtt.await(
                    m -> m.topic().equals(prefix + "/alerts")
                            && m.payload().contains("IntegrityFailed:app-db")
                            && m.payload().contains("Safe Mode is on"),
                    Duration.ofSeconds(20));
            assertThat(safeAlert).as(started.output()).isPresent();
            assertThat(safeAlert.get().payload()).contains("./lifeboat restore latest:app-db --replace");
            Thread.sleep(2000);
            assertThat(PostgresFixture.databasesStartingWith(auto.name() + "_pre_restore_"))
                    .as("no second restore")
                    .hasSize(1);
            assertThat(PostgresFixture.snapshot(auto.name())).isNotEqualTo(original);
            monitor.disconnect();
        } finally {
            if (monitor.isConnected()) {
                monitor.disconnect(); // after a failed assertion: so the close does not hide it
            }
            monitor.close();
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
            if (daemon.isAlive()) {
                daemon.destroyForcibly();
            }
        }
        assertThat(daemon.exitValue())
                .as("the route survived the bad payload; a clean stop")
                .isNotNull();
    }
}
