package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.LifeboatCli;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/backups/{id}/verify} and {@code POST /api/restores} against a real daemon: a good
 * backup verifies (200), a damaged one does not (422); a restore is planned at once, answered 202 and
 * lands; a dry run changes nothing; Safe Mode refuses a replacing restore; malformed requests are
 * answered with the reason and change nothing.
 */
class ApiOperationsIT {

    private static final String TOKEN = "api-ops-it-token-0123456789";

    @TempDir
    Path work;

    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private int apiPort;

    @Test
    void verifyAndRestoreOverHttp() throws Exception {
        Path files = Files.createDirectories(work.resolve("files"));
        Files.writeString(files.resolve("a.txt"), "restore me over http");
        apiPort = InboundFixture.freePort();
        String id8 = UUID.randomUUID().toString().substring(0, 8);
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                mqtt: {url: "tcp://127.0.0.1:1883", prefix: "lifeboat-ops-%s", clientId: "it-ops-%s"}
                broker: {port: 0}
                management: {port: %d}
                http: {port: %d, token: "%s"}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 3 1 1 ? 2099", rpo: 26h}
                """.formatted(id8, id8, InboundFixture.freePort(), apiPort, TOKEN));
        LifeboatCli cli = new LifeboatCli(config);
        LifeboatCli.Started daemon = cli.start("run");
        try {
            awaitApi(daemon);
            LifeboatCli.Result backup = cli.run("backup", "files");
            assertThat(backup.exitCode()).as(backup.toString()).isZero();
            JsonNode list =
                    Json.MAPPER.readTree(cli.run("list", "files", "--json").stdout());
            String id = list.get(0).path("manifest").path("id").asText();

            // verify: good
            HttpResponse<String> verified = post("/api/backups/" + id + "/verify", null);
            assertThat(verified.statusCode()).as(verified.body()).isEqualTo(200);
            JsonNode v = Json.MAPPER.readTree(verified.body());
            assertThat(v.path("verified").asBoolean()).isTrue();
            assertThat(v.path("backupId").asText()).isEqualTo(id);
            assertThat(v.path("actualSha256").asText())
                    .isEqualTo(v.path("expectedSha256").asText());

            // bad verify requests
            assertThat(post("/api/backups/20991231T235959Z-abcdef/verify", null).statusCode())
                    .isEqualTo(404);
            assertThat(post("/api/backups/not-an-id/verify", null).statusCode()).isEqualTo(404);
            assertThat(post("/api/backups/" + id + "/verify/../../status", null).statusCode())
                    .isEqualTo(404);
            assertThat(send(req("/api/backups/" + id + "/verify").GET()).statusCode())
                    .isEqualTo(405);
            assertThat(send(HttpRequest.newBuilder(uri("/api/backups/" + id + "/verify"))
                                    .POST(HttpRequest.BodyPublishers.noBody()))
                            .statusCode())
                    .as("no token")
                    .isEqualTo(401);

            // restore: a dry run plans and changes nothing
            Path into = work.resolve("restored");
            HttpResponse<String> dry =
                    post("/api/restores", "{\"backup\":\"latest:files\",\"into\":\"" + into + "\",\"dryRun\":true}");
            assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(dry.body()).path("steps").size()).isPositive();
            assertThat(into).doesNotExist();

            // hostile and malformed requests: answered with the reason, nothing restored
            assertThat(post("/api/restores", "not json").statusCode()).isEqualTo(400);
            assertThat(post("/api/restores", "[]").statusCode()).isEqualTo(400);
            assertThat(post("/api/restores", "{}").body()).contains("\\\"backup\\\" is required");
            assertThat(post("/api/restores", "{\"backup\":\"latest:files\",\"rm\":\"-rf /\"}")
                            .body())
                    .contains("unknown field");
            assertThat(post("/api/restores", "{\"backup\":42}").statusCode()).isEqualTo(400);
            assertThat(post("/api/restores", "{\"backup\":\"latest:files\",\"replace\":\"yes\"}")
                            .statusCode())
                    .isEqualTo(400);
            assertThat(post("/api/restores", "{\"backup\":\"latest:nope\"}").statusCode())
                    .isEqualTo(400);
            assertThat(post("/api/restores", "{\"backup\":\"../../etc/passwd\"}")
                            .statusCode())
                    .isEqualTo(400);
            assertThat(post("/api/restores", "{\"backup\":\"" + "x".repeat(300_000) + "\"}")
                            .statusCode())
                    .isEqualTo(413);
            assertThat(into).doesNotExist();

            // Safe Mode: a replacing restore is refused, one into a copy is not
            assertThat(post("/api/safe-mode", "{\"action\":\"enter\",\"reason\":\"api ops test\"}")
                            .statusCode())
                    .isEqualTo(202);
            HttpResponse<String> replace = post("/api/restores", "{\"backup\":\"latest:files\",\"replace\":true}");
            assertThat(replace.statusCode()).as(replace.body()).isEqualTo(409);
            assertThat(replace.body()).contains("safe_mode");

            HttpResponse<String> restore = post(
                    "/api/restores", "{\"backup\":\"latest:files\",\"into\":\"" + into + "\",\"reason\":\"check\"}");
            assertThat(restore.statusCode()).as(restore.body()).isEqualTo(202);
            assertThat(Json.MAPPER.readTree(restore.body()).path("backupId").asText())
                    .isEqualTo(id);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end && !Files.exists(into.resolve("a.txt"))) {
                Thread.sleep(200);
            }
            assertThat(into.resolve("a.txt")).hasContent("restore me over http");
            await(() -> cli.run("status", "--json").stdout().contains("restore over HTTP: check"));

            // verify: a damaged backup is reported, not hidden
            Path artifact;
            try (Stream<Path> walk = Files.walk(work.resolve("store/files/" + id))) {
                artifact = walk.filter(p -> p.getFileName().toString().startsWith("data."))
                        .findFirst()
                        .orElseThrow();
            }
            byte[] bytes = Files.readAllBytes(artifact);
            bytes[bytes.length / 2] ^= 0x5a;
            Files.write(artifact, bytes);
            HttpResponse<String> damaged = post("/api/backups/" + id + "/verify", null);
            assertThat(damaged.statusCode()).as(damaged.body()).isEqualTo(422);
            assertThat(Json.MAPPER.readTree(damaged.body()).path("verified").asBoolean())
                    .isFalse();
            assertThat(daemon.output()).doesNotContain(TOKEN);
        } finally {
            daemon.process().destroy();
            daemon.process().waitFor(30, TimeUnit.SECONDS);
            daemon.process().destroyForcibly();
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition c) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            if (c.holds()) {
                return;
            }
            Thread.sleep(300);
        }
        assertThat(c.holds()).isTrue();
    }

    private void awaitApi(LifeboatCli.Started daemon) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < end && !daemon.output().contains("Lifeboat is running")) {
            assertThat(daemon.process().isAlive()).as(daemon.output()).isTrue();
            Thread.sleep(250);
        }
        assertThat(daemon.output()).contains("Lifeboat is running");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + apiPort + path);
    }

    private HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + TOKEN);
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        HttpRequest.Builder b = req(path);
        if (json == null) {
            b.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        }
        return send(b);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
