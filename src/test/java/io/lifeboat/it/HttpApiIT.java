package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.LifeboatCli;
import java.io.IOException;
import java.net.InetAddress;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lifeboat run} serves the API on {@code http.port}: {@code GET /api/status} and {@code GET
 * /api/backups} answer what {@code status --json} and {@code list --json} print, only with the
 * token; without a configured token every request is refused; a port in use does not stop the daemon.
 */
class HttpApiIT {

    private static final String TOKEN = "it-token-" + UUID.randomUUID();

    @TempDir
    Path work;

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void statusAndBackupsAnswerLikeTheCommandLineAndOnlyWithTheToken() throws Exception {
        int port = freePort();
        Path config = config("http: {port: %d, token: \"${LIFEBOAT_API_TOKEN}\", maxBody: 4096}".formatted(port));
        LifeboatCli cli = new LifeboatCli(config).env("LIFEBOAT_API_TOKEN", TOKEN);
        LifeboatCli.Result backup = cli.run("backup", "files");
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        LifeboatCli.Started started = cli.start("run");
        try {
            HttpResponse<String> status = await(port, started, "/api/status", TOKEN);
            assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
            assertThat(status.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode fromApi = Json.MAPPER.readTree(status.body());
            JsonNode fromCli = Json.MAPPER.readTree(cli.run("status", "--json").stdout());
            assertThat(fromApi.get("targets").size())
                    .isEqualTo(fromCli.get("targets").size());
            for (int i = 0; i < fromCli.get("targets").size(); i++) {
                JsonNode a = fromApi.get("targets").get(i);
                JsonNode c = fromCli.get("targets").get(i);
                assertThat(fieldNames(a)).isEqualTo(fieldNames(c));
                for (String field : new String[] {"target", "lastVerifiedId", "rpo", "rpoState"}) {
                    assertThat(a.get(field)).as(field).isEqualTo(c.get(field));
                }
            }
            assertThat(fromApi.get("targets").get(0).get("lastVerifiedId").asText())
                    .isNotBlank();

            HttpResponse<String> list = get(port, "/api/backups", TOKEN);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(list.body()))
                    .isEqualTo(Json.MAPPER.readTree(cli.run("list", "--json").stdout()));
            HttpResponse<String> one = get(port, "/api/backups?target=files", TOKEN);
            assertThat(Json.MAPPER.readTree(one.body()))
                    .isEqualTo(Json.MAPPER.readTree(
                            cli.run("list", "files", "--json").stdout()));
            assertThat(Json.MAPPER.readTree(one.body()).size()).isEqualTo(1);
            assertThat(get(port, "/api/backups?target=..%2F..%2Fetc", TOKEN).statusCode())
                    .isEqualTo(400);

            HttpResponse<String> none = get(port, "/api/status", null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
            assertThat(none.body()).doesNotContain("files");
            HttpResponse<String> wrong = get(port, "/api/backups", "not-" + TOKEN);
            assertThat(wrong.statusCode()).isEqualTo(403);
            assertThat(wrong.body()).doesNotContain("manifest");
            assertThat(get(port, "/api/status?access_token=" + TOKEN, null).statusCode())
                    .isEqualTo(401);

            // the head alone: the answer comes before (and without) the body
            String big = headOnly(
                    port,
                    "POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                            + "\r\nContent-Type: application/json\r\nContent-Length: 65536\r\n\r\n");
            assertThat(big).startsWith("HTTP/1.1 413").contains("\"reason\":\"too_large\"");
            assertThat(get(port, "/api/nothing", TOKEN).statusCode()).isEqualTo(404);
            assertThat(started.process().isAlive()).isTrue();
        } finally {
            stop(started.process());
        }
        assertThat(started.output())
                .contains("API at http://127.0.0.1:" + port + "/api")
                .doesNotContain(TOKEN);
    }

    @Test
    void withoutATokenTheApiRefusesEverythingAndSaysWhatToSet() throws Exception {
        int port = freePort();
        Path config = config("http: {port: %d}".formatted(port));
        LifeboatCli.Started started = new LifeboatCli(config).start("run");
        try {
            HttpResponse<String> r = await(port, started, "/api/status", "anything-at-all-123");
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(Json.MAPPER.readTree(r.body()).get("error").asText()).contains("http.token");
            assertThat(get(port, "/api/backups", null).statusCode()).isEqualTo(403);
        } finally {
            stop(started.process());
        }
        assertThat(started.output()).contains("http.token is not set");
    }

    @Test
    void aPortInUseIsLoggedAndTheDaemonRunsOn() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Path config = config("http: {port: %d, token: \"${LIFEBOAT_API_TOKEN}\"}".formatted(port));
            LifeboatCli.Started started =
                    new LifeboatCli(config).env("LIFEBOAT_API_TOKEN", TOKEN).start("run");
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (System.nanoTime() < end && !started.output().contains("Lifeboat is running")) {
                    assertThat(started.process().isAlive()).as(started.output()).isTrue();
                    Thread.sleep(250);
                }
                assertThat(started.output())
                        .contains("Lifeboat is running")
                        .contains("http.port " + port + " on 127.0.0.1 cannot be served")
                        .contains("running without the API");
                Thread.sleep(1000);
                assertThat(started.process().isAlive()).as(started.output()).isTrue();
            } finally {
                stop(started.process());
            }
        }
    }

    private Path config(String httpLine) throws IOException {
        Path folder = Files.createDirectories(work.resolve("files"));
        Files.writeString(folder.resolve("a.txt"), "a");
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                broker: {mqttPort: %d}
                management: {enabled: false}
                %s
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 3 1 1 ?", rpo: 3650d}
                """.formatted(freePort(), httpLine));
        return config;
    }

    private HttpResponse<String> await(int port, LifeboatCli.Started started, String path, String token)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end) {
            assertThat(started.process().isAlive())
                    .as("daemon ended\n" + started.output())
                    .isTrue();
            try {
                return get(port, path, token);
            } catch (IOException notYet) {
                Thread.sleep(300);
            }
        }
        throw new AssertionError("the API did not answer in time\n" + started.output());
    }

    private HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a request head and returns the answer's head and body as text. */
    private static String headOnly(int port, String head) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            try {
                while ((n = s.getInputStream().read(buf)) > 0) {
                    out.write(buf, 0, n);
                    if (out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("}")) {
                        break;
                    }
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException closed) {
                // what came is what we have
            }
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static java.util.List<String> fieldNames(JsonNode n) {
        java.util.List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void stop(Process daemon) throws InterruptedException {
        daemon.destroy();
        daemon.waitFor(30, TimeUnit.SECONDS);
        if (daemon.isAlive()) {
            daemon.destroyForcibly();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
