package io.lifeboat.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.MqttRecorder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;

/**
 * One daemon for an inbound IT: its own prefix and client id on the machine's Mosquitto (tests do not
 * see each other's messages or sessions), a directory target {@code files}, metrics on a free port.
 */
final class InboundFixture implements AutoCloseable {

    static final String MQTT = "tcp://127.0.0.1:1883";

    final Path work;
    final String prefix;
    final int managementPort;
    final Path config;
    final LifeboatCli cli;
    final String url;
    private MqttClient publisher;
    LifeboatCli.Started daemon;

    InboundFixture(Path work, String name, String extraYaml) throws Exception {
        this(work, name, extraYaml, "");
    }

    /** {@code mqttExtra} is added inside the mqtt map, e.g. {@code , subscriptions: [...]}. */
    InboundFixture(Path work, String name, String extraYaml, String mqttExtra) throws Exception {
        this(work, name, extraYaml, mqttExtra, MQTT);
    }

    InboundFixture(Path work, String name, String extraYaml, String mqttExtra, String url) throws Exception {
        this.url = url;
        this.work = work;
        String id = UUID.randomUUID().toString().substring(0, 8);
        this.prefix = "lifeboat-" + name + "-" + id;
        this.managementPort = freePort();
        Path folder = Files.createDirectories(work.resolve("files"));
        Files.writeString(folder.resolve("a.txt"), "inbound test data");
        this.config = work.resolve("lifeboat.yaml");
        Files.writeString(
                config,
                """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                mqtt: {url: "%s", prefix: "%s", clientId: "it-%s-%s"%s}
                management: {port: %d}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 3 1 1 ? 2099", rpo: 26h}
                  other: {kind: directory, path: files, schedule: "0 0 3 1 1 ? 2099", rpo: 26h}
                """.formatted(url, prefix, name, id, mqttExtra.replace("<prefix>", prefix), managementPort)
                        + extraYaml);
        this.cli = new LifeboatCli(config);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    MqttRecorder recorder() throws Exception {
        return new MqttRecorder(url, prefix + "/#");
    }

    void publish(String topic, byte[] payload) throws Exception {
        if (publisher == null) {
            publisher = new MqttClient(url, "it-pub-" + UUID.randomUUID(), new MemoryPersistence());
            publisher.connect(new MqttConnectionOptions());
        }
        publisher.publish(prefix + "/" + topic, payload, 1, false);
    }

    void publish(String topic, String payload) throws Exception {
        publish(topic, payload.getBytes(UTF_8));
    }

    /**
     * Starts the daemon and waits until its health consumer reads: a probe health event is published
     * every second until its health.changed comes back.
     */
    void start(MqttRecorder mqtt) throws Exception {
        daemon = cli.start("run");
        assertThat(mqtt.await(
                        m -> m.topic().equals(prefix + "/status") && m.payload().equals("online"),
                        Duration.ofSeconds(90)))
                .as(daemon.output())
                .isPresent();
        // every consumer has subscribed once the routes have started (afterStart logs this line); a
        // message published before a first subscription exists is not kept for it by any broker
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!daemon.output().contains("Lifeboat is running") && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertThat(daemon.output()).contains("Lifeboat is running");
        awaitHealthConsumer(mqtt);
    }

    /** Publishes a probe health event every second until its health.changed comes back. */
    void awaitHealthConsumer(MqttRecorder mqtt) throws Exception {
        String probe = "probe-" + UUID.randomUUID().toString().substring(0, 6);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            publish("health/" + probe, "{\"status\":\"up\"}");
            if (mqtt.await(
                            m -> m.topic().equals(prefix + "/events")
                                    && m.payload().contains(probe),
                            Duration.ofSeconds(1))
                    .isPresent()) {
                return;
            }
        }
        throw new AssertionError("the daemon never read its health topic\n" + daemon.output());
    }

    void stop() throws Exception {
        if (daemon == null) {
            return;
        }
        Process p = daemon.process();
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        daemon = null;
    }

    String metrics() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** {@code lifeboat_input_rejected_total{reason}} from the scrape (0 when absent). */
    double rejected(String reason) throws Exception {
        Matcher m = Pattern.compile("lifeboat_input_rejected_total\\{reason=\"" + reason + "\"[^}]*\\} (\\S+)")
                .matcher(metrics());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } finally {
            if (publisher != null) {
                if (publisher.isConnected()) {
                    publisher.disconnect();
                }
                publisher.close();
            }
        }
    }
}
