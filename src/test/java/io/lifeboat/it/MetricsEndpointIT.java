package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.testsupport.LifeboatCli;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lifeboat run} serves {@code /observe/metrics} on {@code management.port}: a backup and a
 * drill taken with the command line next to the daemon show in the next scrape.
 */
class MetricsEndpointIT {

    private static final String SECRET = "pw-" + UUID.randomUUID();

    @TempDir
    Path work;

    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void theDaemonServesMetricsOfBackupsAndDrillsTakenBesideIt() throws Exception {
        Path folder = Files.createDirectories(work.resolve("files"));
        Files.writeString(folder.resolve("a.txt"), "a");
        Files.writeString(folder.resolve("b.txt"), "b");
        int port = freePort();
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                broker: {mqttPort: %d}
                management: {port: %d}
                targets:
                  files:
                    kind: directory
                    path: files
                    schedule: "0 0 3 1 1 ?"
                    rpo: 26h
                    drill: {validate: [{files: "**", min: 1}]}
                  vault:
                    kind: postgres
                    host: 127.0.0.1
                    port: 5432
                    database: lifeboat_metrics_it_missing_%s
                    user: postgres
                    password: "${VAULT_PASSWORD}"
                    schedule: "0 0 3 1 1 ?"
                    rpo: 1h
                """.formatted(
                        freePort(), port, UUID.randomUUID().toString().substring(0, 8)));
        LifeboatCli cli = new LifeboatCli(config).env("VAULT_PASSWORD", SECRET);
        LifeboatCli.Started started = cli.start("run");
        Process daemon = started.process();
        try {
            String first = awaitMetrics(port, started, text -> text.contains("lifeboat_safe_mode"));
            assertThat(first).contains("lifeboat_rpo_breached{target=\"vault\"}");

            LifeboatCli.Result backup = cli.run("backup", "files");
            assertThat(backup.exitCode()).as(backup.toString()).isZero();
            LifeboatCli.Result drill = cli.run("drill", "files");
            assertThat(drill.exitCode()).as(drill.toString()).isZero();
            // the daemon catches up the missed schedule of vault at start; its database does not exist
            String text = awaitMetrics(
                    port,
                    started,
                    t -> value(t, "lifeboat_backup_runs_total", "result", "failed", "target", "vault") >= 1
                            && value(t, "lifeboat_restore_drill_rto_seconds", "target", "files") > 0);

            assertThat(value(text, "lifeboat_restore_drill_rto_seconds", "target", "files"))
                    .isGreaterThan(0)
                    .isLessThan(120);
            assertThat(value(text, "lifeboat_backup_runs_total", "result", "succeeded", "target", "files"))
                    .isGreaterThanOrEqualTo(1);
            double lastVerified = value(text, "lifeboat_backup_last_verified_timestamp_seconds", "target", "files");
            assertThat(lastVerified)
                    .isBetween(
                            (double) Instant.now().minusSeconds(300).getEpochSecond(),
                            (double) Instant.now().getEpochSecond() + 1);
            assertThat(value(text, "lifeboat_backup_bytes", "target", "files")).isGreaterThan(0);
            assertThat(value(text, "lifeboat_rpo_breached", "target", "files")).isZero();
            assertThat(value(text, "lifeboat_verify_failures_total", "target", "files"))
                    .isZero();
            assertThat(value(text, "lifeboat_rpo_breached", "target", "vault")).isEqualTo(1);
            assertThat(value(text, "lifeboat_backup_runs_total", "result", "succeeded", "target", "vault"))
                    .isZero();
            assertThat(text)
                    .doesNotContain("lifeboat_backup_last_verified_timestamp_seconds{target=\"vault\"}")
                    .doesNotContain("lifeboat_restore_drill_rto_seconds{target=\"vault\"}");
            assertThat(value(text, "lifeboat_safe_mode")).isZero();
            assertThat(value(text, "lifeboat_backup_duration_seconds", "result", "succeeded", "target", "files"))
                    .isGreaterThan(0)
                    .isLessThan(120);
            assertThat(value(text, "lifeboat_backup_duration_seconds", "result", "failed", "target", "vault"))
                    .isGreaterThanOrEqualTo(0)
                    .isLessThan(120);
            assertThat(text).doesNotContain("lifeboat_backup_duration_seconds{result=\"succeeded\",target=\"vault\"}");
            assertThat(value(text, "lifeboat_drill_runs_total", "result", "succeeded", "target", "files"))
                    .isEqualTo(1);
            assertThat(value(text, "lifeboat_drill_runs_total", "result", "failed", "target", "files"))
                    .isZero();
            assertThat(value(text, "lifeboat_outbox_depth")).isGreaterThanOrEqualTo(0);
            // Camel's route metrics and the JVM's share the registry
            assertThat(text)
                    .contains(
                            "camel_exchanges_total{camelContext=\"lifeboat\",eventType=\"route\",kind=\"CamelRoute\",routeId=\"backup-execute\"}")
                    .contains("jvm_memory_used_bytes");
            assertThat(text).doesNotContain(SECRET).doesNotContain("lifeboat_metrics_it_missing");

            // bad requests
            assertThat(send("GET", port, "/observe/metricz").statusCode()).isEqualTo(404);
            assertThat(send("GET", port, "/").statusCode()).isEqualTo(404);
            HttpResponse<String> post = send("POST", port, "/observe/metrics");
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.body()).doesNotContain("lifeboat_");
        } finally {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
            if (daemon.isAlive()) {
                daemon.destroyForcibly();
            }
        }
        assertThat(started.output()).contains("metrics at http://127.0.0.1:" + port + "/observe/metrics");
    }

    @Test
    void managementCanBeTurnedOff() throws Exception {
        Path folder = Files.createDirectories(work.resolve("files"));
        Files.writeString(folder.resolve("a.txt"), "a");
        int port = freePort();
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                broker: {mqttPort: %d}
                management: {enabled: false, port: %d}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 3 1 1 ?", rpo: 26h}
                """.formatted(freePort(), port));
        LifeboatCli.Started started = new LifeboatCli(config).start("run");
        Process daemon = started.process();
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < end && !started.output().contains("Lifeboat is running")) {
                assertThat(daemon.isAlive()).as(started.output()).isTrue();
                Thread.sleep(250);
            }
            assertThat(started.output()).contains("Lifeboat is running").contains("management endpoint disabled");
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
                throw new AssertionError("something listens on the management port although it is disabled");
            } catch (java.net.ConnectException expected) {
                // nothing there
            }
        } finally {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
            if (daemon.isAlive()) {
                daemon.destroyForcibly();
            }
        }
    }

    private String awaitMetrics(int port, LifeboatCli.Started started, java.util.function.Predicate<String> ready)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String last = null;
        while (System.nanoTime() < end) {
            assertThat(started.process().isAlive())
                    .as("daemon ended\n" + started.output())
                    .isTrue();
            try {
                HttpResponse<String> r = send("GET", port, "/observe/metrics");
                if (r.statusCode() == 200) {
                    assertThat(r.headers().firstValue("Content-Type"))
                            .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain; version=0.0.4"));
                    last = r.body();
                    if (ready.test(last)) {
                        return last;
                    }
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("metrics not as expected in time; last scrape:\n" + last + "\n" + started.output());
    }

    private HttpResponse<String> send(String method, int port, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the one sample of {@code name} with exactly these labels (sorted by key); -1 when absent. */
    static double value(String text, String name, String... labels) {
        StringBuilder series = new StringBuilder(name);
        if (labels.length > 0) {
            series.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                series.append(i == 0 ? "" : ",")
                        .append(labels[i])
                        .append("=\"")
                        .append(labels[i + 1])
                        .append('"');
            }
            series.append('}');
        }
        List<String> found =
                text.lines().filter(l -> l.startsWith(series + " ")).toList();
        if (found.isEmpty()) {
            return -1;
        }
        assertThat(found).as(series.toString()).hasSize(1);
        String line = found.get(0);
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
