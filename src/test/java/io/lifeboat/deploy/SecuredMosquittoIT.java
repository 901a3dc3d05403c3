package io.lifeboat.deploy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.MqttRecorder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The deployment's Mosquitto, run for real: the project's mosquitto.conf with its paths and ports
 * rewritten to a temp folder and two spare loopback ports, the project's own acl file, a password file
 * made by mosquitto/make-passwords.sh and certificates made by mosquitto/make-certs.sh. Then the real
 * daemon connects over TLS (mqtt.caFile) with its user and password.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecuredMosquittoIT {

    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Map<String, String> PASSWORDS = Map.of(
            "lifeboat", "lb-" + UUID.randomUUID(),
            "homeassistant", "ha-" + UUID.randomUUID(),
            "healthcheck", "hc-" + UUID.randomUUID(),
            "db", "db-" + UUID.randomUUID(),
            "cache", "cache-" + UUID.randomUUID());

    private Path work;
    private Process broker;
    private Path brokerLog;
    private int plainPort;
    private int tlsPort;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeAll
    void startBroker() throws Exception {
        work = Files.createTempDirectory("secured-mosquitto-it");
        Map<String, String> env = new HashMap<>();
        env.put("LIFEBOAT_MQTT_PASSWORD", PASSWORDS.get("lifeboat"));
        env.put("HOMEASSISTANT_MQTT_PASSWORD", PASSWORDS.get("homeassistant"));
        env.put("MOSQUITTO_HEALTHCHECK_PASSWORD", PASSWORDS.get("healthcheck"));
        env.put("MQTT_SERVICES", "db cache");
        env.put("MQTT_PASSWORD_DB", PASSWORDS.get("db"));
        env.put("MQTT_PASSWORD_CACHE", PASSWORDS.get("cache"));
        env.put("MOSQUITTO_KEEP_OWNER", "1");
        Path passwd = work.resolve("passwd");
        script(env, "mosquitto/make-passwords.sh", passwd.toString());
        assertThat(Files.readString(passwd))
                .contains("lifeboat:", "homeassistant:", "healthcheck:", "db:", "cache:")
                .doesNotContain(PASSWORDS.get("lifeboat")); // hashed, never the password itself
        Path certs = work.resolve("certs");
        script(env, "mosquitto/make-certs.sh", certs.toString());

        plainPort = freePort();
        tlsPort = freePort();
        String conf = Files.readString(REPO.resolve("mosquitto/mosquitto.conf"));
        assertThat(conf).contains("\nlistener 1883\n", "\nlistener 8883\n", "allow_anonymous false");
        conf = conf.replace("\nlistener 1883\n", "\nlistener " + plainPort + " 127.0.0.1\n")
                        .replace("\nlistener 8883\n", "\nlistener " + tlsPort + " 127.0.0.1\n")
                        .replace("/mosquitto/config/passwd", passwd.toString())
                        .replace(
                                "/mosquitto/config/acl",
                                REPO.resolve("mosquitto/acl").toString())
                        .replace("/mosquitto/certs/", certs + "/")
                        .replace("/mosquitto/data/", Files.createDirectories(work.resolve("data")) + "/")
                // run as whoever runs the test (Mosquitto started as root would switch to user mosquitto)
                + "\nuser " + System.getProperty("user.name") + "\n";
        assertThat(ComposeChecks.stripComments(conf)).doesNotContain(" /mosquitto/"); // every container path rewritten
        Path confFile = work.resolve("mosquitto.conf");
        Files.writeString(confFile, conf);
        brokerLog = work.resolve("mosquitto.log");
        broker = new ProcessBuilder("mosquitto", "-c", confFile.toString())
                .redirectErrorStream(true)
                .redirectOutput(brokerLog.toFile())
                .start();
        awaitPort(plainPort);
        awaitPort(tlsPort);
    }

    @AfterAll
    void stopBroker() throws Exception {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnect();
                }
                c.close();
            } catch (MqttException ignored) {
                // the broker may already be gone
            }
        }
        if (broker != null) {
            broker.destroy();
            if (!broker.waitFor(10, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(f -> f.toFile().delete());
            }
        }
    }

    private String plain() {
        return "tcp://127.0.0.1:" + plainPort;
    }

    private static MqttConnectionOptions as(String user, String password) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setConnectionTimeout(5);
        if (user != null) {
            o.setUserName(user);
        }
        if (password != null) {
            o.setPassword(password.getBytes(UTF_8));
        }
        return o;
    }

    private MqttClient connect(String user) throws MqttException {
        return connect(user, PASSWORDS.get(user));
    }

    private MqttClient connect(String user, String password) throws MqttException {
        MqttClient c = new MqttClient(plain(), "it-" + user + "-" + UUID.randomUUID(), new MemoryPersistence());
        clients.add(c);
        c.connect(as(user, password));
        return c;
    }

    private MqttRecorder recorder(String user, String filter) throws Exception {
        return new MqttRecorder(plain(), filter, as(user, PASSWORDS.get(user)));
    }

    @Test
    void aClientWithoutCredentialsIsRefused() {
        MqttException e = catchThrowableOfType(MqttException.class, () -> connect(null, null));
        assertThat(e).as("anonymous connect").isNotNull();
        assertThat(e.getReasonCode()).isIn(0x86, 0x87); // bad user name or password / not authorized
    }

    @Test
    void aWrongPasswordIsRefused() {
        MqttException e = catchThrowableOfType(MqttException.class, () -> connect("db", "not-the-password"));
        assertThat(e).as("wrong password").isNotNull();
        assertThat(e.getReasonCode()).isIn(0x86, 0x87);
    }

    @Test
    void aServicePublishesItsOwnHealthOnly() throws Exception {
        try (MqttRecorder lifeboat = recorder("lifeboat", "lifeboat/#")) {
            MqttClient db = connect("db");
            // refused first, allowed after: the broker keeps one client's order, so once the allowed
            // message arrived a delivered refused one would have arrived before it
            publishIgnoringRefusal(db, "lifeboat/health/cache", "{\"status\":\"down\"}");
            publishIgnoringRefusal(db, "lifeboat/events", "{\"type\":\"backup.finished\"}");
            publishIgnoringRefusal(db, "lifeboat/cmd/backup", "{\"target\":\"x\"}");
            db.publish("lifeboat/health/db", "{\"status\":\"up\"}".getBytes(UTF_8), 1, false);
            assertThat(lifeboat.await(m -> m.topic().equals("lifeboat/health/db"), Duration.ofSeconds(10)))
                    .isPresent();
            Thread.sleep(300);
            assertThat(lifeboat.received())
                    .extracting(MqttRecorder.Received::topic)
                    .containsExactly("lifeboat/health/db");
        }
    }

    @Test
    void aServiceReadsLifeboatsStatusAndSafeModeButNotItsEvents() throws Exception {
        try (MqttRecorder cache = recorder("cache", "lifeboat/#")) {
            MqttClient lifeboat = connect("lifeboat");
            lifeboat.publish("lifeboat/events", "{\"type\":\"backup.finished\"}".getBytes(UTF_8), 1, false);
            lifeboat.publish("lifeboat/alerts", "{\"fingerprint\":\"x\"}".getBytes(UTF_8), 1, false);
            lifeboat.publish("lifeboat/safe_mode", "OFF".getBytes(UTF_8), 1, false);
            lifeboat.publish("lifeboat/status", "online".getBytes(UTF_8), 1, false);
            assertThat(cache.await(m -> m.topic().equals("lifeboat/status"), Duration.ofSeconds(10)))
                    .isPresent();
            Thread.sleep(300);
            assertThat(cache.received())
                    .extracting(MqttRecorder.Received::topic)
                    .containsExactly("lifeboat/safe_mode", "lifeboat/status");
        }
    }

    @Test
    void homeAssistantSendsCommandsAndItsBirthButNoEvents() throws Exception {
        try (MqttRecorder lifeboat = recorder("lifeboat", "#")) {
            MqttClient ha = connect("homeassistant");
            publishIgnoringRefusal(ha, "lifeboat/events", "{\"type\":\"backup.finished\"}");
            publishIgnoringRefusal(ha, "lifeboat/health/db", "{\"status\":\"down\"}");
            publishIgnoringRefusal(ha, "homeassistant/sensor/x/config", "{}");
            ha.publish("lifeboat/cmd/backup", "{\"target\":\"files\"}".getBytes(UTF_8), 1, false);
            ha.publish("homeassistant/status", "online".getBytes(UTF_8), 1, false);
            assertThat(lifeboat.await(m -> m.topic().equals("homeassistant/status"), Duration.ofSeconds(10)))
                    .isPresent();
            Thread.sleep(300);
            assertThat(lifeboat.received())
                    .extracting(MqttRecorder.Received::topic)
                    .containsExactly("lifeboat/cmd/backup", "homeassistant/status");
        }
    }

    @Test
    void theHealthCheckUserReadsTheBrokersUptimeOnly() throws Exception {
        try (MqttRecorder hc = recorder("healthcheck", "$SYS/broker/uptime")) {
            assertThat(hc.await(m -> m.topic().equals("$SYS/broker/uptime"), Duration.ofSeconds(15)))
                    .isPresent();
        }
        // like every user (pattern lines) it may read lifeboat/status and lifeboat/safe_mode; nothing else
        try (MqttRecorder hc = recorder("healthcheck", "#")) {
            MqttClient lifeboat = connect("lifeboat");
            lifeboat.publish("lifeboat/events", "{\"type\":\"backup.finished\"}".getBytes(UTF_8), 1, false);
            lifeboat.publish("homeassistant/sensor/x/config", "{}".getBytes(UTF_8), 1, false);
            lifeboat.publish("lifeboat/status", "online".getBytes(UTF_8), 1, false);
            assertThat(hc.await(m -> m.topic().equals("lifeboat/status") && !m.retained(), Duration.ofSeconds(10)))
                    .isPresent();
            assertThat(hc.received())
                    .extracting(MqttRecorder.Received::topic)
                    .allMatch(t -> t.equals("lifeboat/status")
                            || t.equals("lifeboat/safe_mode")
                            || t.startsWith("$SYS/broker/uptime"));
        }
    }

    @Test
    void theComposeHealthCheckPassesAgainstThisBroker() throws Exception {
        // docker-compose.yml's command, run by a shell as in the container: $$ is compose's escape for $
        String test = ComposeChecks.parse(ComposeChecks.read(REPO.resolve("docker-compose.yml")))
                .path("services")
                .path("mosquitto")
                .path("healthcheck")
                .path("test")
                .get(1)
                .asText()
                .replace("$$", "$")
                .replace("-h 127.0.0.1", "-h 127.0.0.1 -p " + plainPort);
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", test).redirectErrorStream(true);
        pb.environment().put("MOSQUITTO_HEALTHCHECK_PASSWORD", PASSWORDS.get("healthcheck"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(test + "\n" + out).isZero();
        assertThat(out.strip()).matches("\\d+ seconds");
        // and it fails when the password is wrong: a check that cannot fail says nothing
        pb.environment().put("MOSQUITTO_HEALTHCHECK_PASSWORD", "wrong");
        Process bad = pb.start();
        bad.getInputStream().readAllBytes();
        assertThat(bad.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isNotZero();
    }

    @Test
    void theBrokerLetsTheOutboxKeepAThousandMessagesInFlight() throws Exception {
        MqttClient c = new MqttClient(plain(), "it-rm-" + UUID.randomUUID(), new MemoryPersistence());
        clients.add(c);
        var token = c.connectWithResult(as("lifeboat", PASSWORDS.get("lifeboat")));
        // max_inflight_messages is also Mosquitto 2.0's MQTT 5 receive maximum; the outbox's window is 1,000
        assertThat(token.getResponseProperties().getReceiveMaximum()).isEqualTo(1000);
    }

    @Test
    void lifeboatConnectsOverTlsWithItsUserAndHearsTheServices() throws Exception {
        Path dir = Files.createDirectories(work.resolve("daemon"));
        Files.createDirectories(dir.resolve("files"));
        Files.writeString(dir.resolve("files/a.txt"), "secured broker test data");
        Path config = dir.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                mqtt: {url: "ssl://localhost:%d", prefix: lifeboat, clientId: "it-secured-%s",
                       username: lifeboat, password: "${LIFEBOAT_MQTT_PASSWORD}", caFile: "%s"}
                management: {port: %d}
                http: {port: %d}
                broker: {port: 0}
                homeassistant: {discovery: true, prefix: homeassistant}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 3 1 1 ? 2099", rpo: 26h}
                """.formatted(
                        tlsPort,
                        UUID.randomUUID().toString().substring(0, 8),
                        work.resolve("certs/ca.crt"),
                        freePort(),
                        freePort()));
        LifeboatCli cli = new LifeboatCli(config).env("LIFEBOAT_MQTT_PASSWORD", PASSWORDS.get("lifeboat"));
        try (MqttRecorder ha = recorder("homeassistant", "#")) {
            LifeboatCli.Started daemon = cli.start("run");
            try {
                assertThat(ha.await(
                                m -> m.topic().equals("lifeboat/status")
                                        && m.payload().equals("online"),
                                Duration.ofSeconds(90)))
                        .as(daemon.output())
                        .isPresent();
                // its Home Assistant discovery went out under homeassistant/ (the ACL lets only Lifeboat)
                assertThat(ha.await(
                                m -> m.topic().startsWith("homeassistant/")
                                        && m.topic().endsWith("/config"),
                                Duration.ofSeconds(30)))
                        .as(daemon.output())
                        .isPresent();
                // a service's health event reaches it and comes back as health.changed
                MqttClient db = connect("db");
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                boolean heard = false;
                while (!heard && System.nanoTime() < end) {
                    db.publish("lifeboat/health/db", "{\"status\":\"up\"}".getBytes(UTF_8), 1, false);
                    heard = ha.await(
                                    m -> m.topic().equals("lifeboat/events")
                                            && m.payload().contains("health.changed")
                                            && m.payload().contains("\"db\""),
                                    Duration.ofSeconds(1))
                            .isPresent();
                }
                assertThat(heard).as(daemon.output()).isTrue();
                // a command from Home Assistant's user starts a backup
                connect("homeassistant")
                        .publish(
                                "lifeboat/cmd/backup",
                                "{\"target\":\"files\",\"reason\":\"secured broker IT\"}".getBytes(UTF_8),
                                1,
                                false);
                assertThat(ha.await(
                                m -> m.topic().equals("lifeboat/events")
                                        && m.payload().contains("backup.finished")
                                        && m.payload().contains("files"),
                                Duration.ofSeconds(60)))
                        .as(daemon.output())
                        .isPresent();
                // the TLS listener speaks nothing but TLS, and the broker's certificate chains only to
                // the CA in caFile: the daemon connected through mqtt.caFile
            } finally {
                daemon.process().destroy();
                if (!daemon.process().waitFor(60, TimeUnit.SECONDS)) {
                    daemon.process().destroyForcibly();
                }
            }
        }
    }

    /** A refused QoS 1 publish is answered with a PUBACK reason code; that is what the test expects. */
    private static void publishIgnoringRefusal(MqttClient c, String topic, String payload) {
        try {
            c.publish(topic, payload.getBytes(UTF_8), 1, false);
        } catch (MqttException e) {
            assertThat(e.getReasonCode()).as(topic).isEqualTo(0x87);
        }
    }

    private void script(Map<String, String> env, String script, String arg) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", REPO.resolve(script).toString(), arg)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(script + "\n" + out).isZero();
    }

    private void awaitPort(int port) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < end) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!broker.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
        }
        throw new AssertionError("mosquitto did not listen on " + port + ":\n" + Files.readString(brokerLog));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
