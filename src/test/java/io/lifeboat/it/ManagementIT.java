package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.ScratchRedis;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management port of a real daemon: readiness names the dependency that is down while liveness
 * stays up, Jolokia behind its bearer token and access policy (routes listed, stopped and started,
 * Lifeboat's operations called, everything else refused), and no configured secret in any line the
 * daemon or the command line writes.
 */
class ManagementIT {

    private static final String MANAGEMENT_TOKEN = "mgmt-" + UUID.randomUUID();
    private static final String API_TOKEN = "api-" + UUID.randomUUID();
    private static final String RESUME_TOKEN = "resume-" + UUID.randomUUID();
    private static final String REDIS_PASSWORD = "redis-" + UUID.randomUUID();
    private static final String MQTT_PASSWORD = "mqtt-" + UUID.randomUUID();
    private static final String DB_PASSWORD = "db-" + UUID.randomUUID();
    private static final String TELEGRAM_TOKEN = "123456:tg-" + UUID.randomUUID();

    @TempDir
    Path work;

    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ScratchRedis redis;
    private LifeboatCli.Started daemon;
    private LifeboatCli cli;
    private int port;
    private int apiPort;

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.process().destroy();
            daemon.process().waitFor(30, TimeUnit.SECONDS);
            daemon.process().destroyForcibly();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private void startDaemon() throws Exception {
        redis = ScratchRedis.start("--requirepass", REDIS_PASSWORD);
        Path folder = Files.createDirectories(work.resolve("files"));
        Files.writeString(folder.resolve("a.txt"), "managed");
        port = InboundFixture.freePort();
        apiPort = InboundFixture.freePort();
        String id = UUID.randomUUID().toString().substring(0, 8);
        Path config = work.resolve("lifeboat.yaml");
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                broker: {port: 0}
                mqtt: {url: "tcp://127.0.0.1:1883", prefix: "lifeboat-mgmt-%s", clientId: "it-mgmt-%s",
                       username: lifeboat, password: "${MQTT_PASSWORD}"}
                redis: {url: "redis://:${REDIS_PASSWORD}@127.0.0.1:%d"}
                management: {port: %d, token: "${MANAGEMENT_TOKEN}"}
                http: {port: %d, token: "${API_TOKEN}"}
                safeMode: {resumeToken: "${RESUME_TOKEN}"}
                alerting:
                  receivers:
                    phone: {type: telegram, token: "${TELEGRAM_TOKEN}", chats: ["111"], baseUri: "http://127.0.0.1:%d"}
                  route: {receiver: phone, group_wait: 1s}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 3 1 1 ? 2099", rpo: 26h}
                  vault:
                    kind: postgres
                    host: 127.0.0.1
                    database: lifeboat_mgmt_it_missing_%s
                    user: postgres
                    password: "${DB_PASSWORD}"
                    schedule: "0 0 3 1 1 ? 2099"
                    rpo: 1h
                """.formatted(id, id, redis.port(), port, apiPort, InboundFixture.freePort(), id));
        cli = new LifeboatCli(config)
                .env("MQTT_PASSWORD", MQTT_PASSWORD)
                .env("REDIS_PASSWORD", REDIS_PASSWORD)
                .env("MANAGEMENT_TOKEN", MANAGEMENT_TOKEN)
                .env("API_TOKEN", API_TOKEN)
                .env("RESUME_TOKEN", RESUME_TOKEN)
                .env("TELEGRAM_TOKEN", TELEGRAM_TOKEN)
                .env("DB_PASSWORD", DB_PASSWORD);
        daemon = cli.start("run");
        await("the daemon to run", () -> daemon.output().contains("Lifeboat is running"));
    }

    @Test
    void readinessNamesTheDependencyThatIsDownWhileLivenessStaysUp() throws Exception {
        startDaemon();
        await("ready", () -> get("/observe/health/ready", null).statusCode() == 200);
        HttpResponse<String> full = get("/observe/health?exposureLevel=full", null);
        assertThat(full.statusCode()).isEqualTo(200);
        JsonNode checks = Json.MAPPER.readTree(full.body()).path("checks");
        assertThat(checks.findValuesAsText("name"))
                .containsExactlyInAnyOrder("context", "mqtt-broker", "job-queue", "redis", "store-primary", "catalog");
        assertThat(checks.findValuesAsText("status")).containsOnly("UP");

        redis.close(); // the outbox's Redis goes away
        redis = null;
        await(
                "readiness to report redis down",
                () -> get("/observe/health/ready", null).statusCode() == 503);
        HttpResponse<String> ready = get("/observe/health/ready", null);
        JsonNode body = Json.MAPPER.readTree(ready.body());
        assertThat(body.path("status").asText()).isEqualTo("DOWN");
        assertThat(body.path("checks").findValuesAsText("name")).containsExactly("redis");
        assertThat(ready.body()).doesNotContain(REDIS_PASSWORD).doesNotContain("at io.");
        HttpResponse<String> live = get("/observe/health/live", null);
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(live.body()).path("status").asText()).isEqualTo("UP");
        // metrics still answer; the vault target's failed catch-up was alerted to the Telegram receiver,
        // whose Bot API is not there: the delivery is counted as retried
        await(
                "an alert delivery in the metrics",
                () -> MetricsEndpointIT.value(
                                get("/observe/metrics", null).body(),
                                "lifeboat_alerts_sent_total",
                                "receiver",
                                "phone",
                                "result",
                                "retried")
                        >= 1);
        String metrics = get("/observe/metrics", null).body();
        assertThat(metrics).contains("lifeboat_safe_mode").contains("lifeboat_outbox_replayed_total");
        assertThat(MetricsEndpointIT.value(
                        metrics, "lifeboat_backup_runs_total", "result", "failed", "target", "vault"))
                .isGreaterThanOrEqualTo(1);
        assertNoSecretIn(metrics);
        assertNoSecretIn(daemon.output());
    }

    @Test
    void jolokiaListsStopsAndStartsRoutesAndCallsLifeboatOperationsButNothingElse() throws Exception {
        startDaemon();
        await("Jolokia", () -> get("/observe/jolokia/version", MANAGEMENT_TOKEN).statusCode() == 200);

        HttpResponse<String> anonymous = get("/observe/jolokia/version", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).contains("Bearer realm=\"lifeboat\""));
        assertThat(anonymous.body()).doesNotContain("agent");
        assertThat(get("/observe/jolokia/version", "wrong-token-0123456789").statusCode())
                .isEqualTo(403);
        assertThat(post(
                                "/observe/jolokia",
                                "wrong-token-0123456789",
                                exec("io.lifeboat:type=Lifeboat", "backupNow", "files"))
                        .statusCode())
                .isEqualTo(403);

        // Hawtio's Connect dialog sends Basic credentials: the token as the password
        HttpResponse<String> basic =
                send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/jolokia/version"))
                        .header(
                                "Authorization",
                                "Basic "
                                        + java.util.Base64.getEncoder()
                                                .encodeToString(("hawtio:" + MANAGEMENT_TOKEN)
                                                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        .GET());
        assertThat(basic.statusCode()).isEqualTo(200);

        // list the routes
        JsonNode routes =
                jolokia("{\"type\":\"search\",\"mbean\":\"org.apache.camel:context=lifeboat,type=routes,*\"}");
        assertThat(routes.path("status").asInt()).isEqualTo(200);
        assertThat(routes.path("value").toString()).contains("backup-execute").contains("mqtt-health-in");

        // stop and start one
        String route = "org.apache.camel:context=lifeboat,type=routes,name=\\\"alert-tick\\\"";
        assertThat(jolokia(exec(route, "stop()")).path("status").asInt()).isEqualTo(200);
        assertThat(jolokia(read(route, "State")).path("value").asText()).isEqualTo("Stopped");
        assertThat(jolokia(exec(route, "start()")).path("status").asInt()).isEqualTo(200);
        assertThat(jolokia(read(route, "State")).path("value").asText()).isEqualTo("Started");

        // Lifeboat's operations
        JsonNode backup = jolokia(exec("io.lifeboat:type=Lifeboat", "backupNow", "files"));
        assertThat(backup.path("status").asInt()).as(backup.toString()).isEqualTo(200);
        assertThat(backup.path("value").asText()).contains("\"accepted\":true");
        await("the backup asked over JMX", () -> {
            LifeboatCli.Result list = cli.run("list", "files", "--json");
            return list.exitCode() == 0 && list.stdout().contains("\"verified\"");
        });
        JsonNode unknown = jolokia(exec("io.lifeboat:type=Lifeboat", "backupNow", "../etc"));
        assertThat(unknown.path("value").asText()).startsWith("REFUSED: ");
        JsonNode silence = jolokia(exec("io.lifeboat:type=Lifeboat", "silence", "target=files", "2h"));
        assertThat(silence.path("value").asText()).contains("silenceId");
        HttpResponse<String> silences = send(HttpRequest.newBuilder(api("/api/silences"))
                .header("Authorization", "Bearer " + API_TOKEN)
                .GET());
        assertThat(silences.body()).contains("files").contains("jmx");
        JsonNode entered = jolokia(exec("io.lifeboat:type=Lifeboat", "enterSafeMode", "jolokia test"));
        assertThat(entered.path("value").asText()).contains("Safe Mode is on");
        JsonNode wrongResume = jolokia(exec("io.lifeboat:type=Lifeboat", "resumeSafeMode", "guess-guess"));
        assertThat(wrongResume.path("value").asText()).startsWith("REFUSED: ");
        assertThat(jolokia(read("io.lifeboat:type=Lifeboat", "SafeModeOn"))
                        .path("value")
                        .asBoolean())
                .isTrue();
        jolokia(exec("io.lifeboat:type=Lifeboat", "resumeSafeMode", RESUME_TOKEN));
        assertThat(jolokia(read("io.lifeboat:type=Lifeboat", "SafeModeOn"))
                        .path("value")
                        .asBoolean())
                .isFalse();

        // denied by the access policy: Jolokia answers 403 inside its JSON, and nothing happened
        String context = "org.apache.camel:context=lifeboat,type=context,name=\\\"lifeboat\\\"";
        assertThat(jolokia(exec(context, "stop()")).path("status").asInt()).isEqualTo(403);
        assertThat(jolokia(exec("com.sun.management:type=DiagnosticCommand", "vmSystemProperties()"))
                        .path("status")
                        .asInt())
                .isEqualTo(403);
        assertThat(jolokia(exec(route, "remove()")).path("status").asInt()).isEqualTo(403);
        JsonNode write = jolokia(
                "{\"type\":\"write\",\"mbean\":\"io.lifeboat:type=Lifeboat\",\"attribute\":\"SafeModeOn\",\"value\":true}");
        assertThat(write.path("status").asInt()).isEqualTo(403);
        assertThat(jolokia(read(context, "State")).path("value").asText()).isEqualTo("Started");

        // hostile input: garbage, an oversized body, a body without a length
        HttpResponse<String> garbage = post("/observe/jolokia", MANAGEMENT_TOKEN, "{\"type\":\u0000]]");
        assertThat(garbage.body()).doesNotContain("\tat ");
        HttpResponse<String> huge = post("/observe/jolokia", MANAGEMENT_TOKEN, "[" + " ".repeat(200_000) + "]");
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(get("/observe/jolokia/version", MANAGEMENT_TOKEN).statusCode())
                .isEqualTo(200);

        // nothing secret anywhere a user looks
        LifeboatCli.Result status = cli.run("status");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertNoSecretIn(status.stdout() + status.stderr());
        LifeboatCli.Result statusJson = cli.run("status", "--json");
        assertNoSecretIn(statusJson.stdout() + statusJson.stderr());
        HttpResponse<String> apiStatus = send(HttpRequest.newBuilder(api("/api/status"))
                .header("Authorization", "Bearer " + API_TOKEN)
                .GET());
        assertNoSecretIn(apiStatus.body());
        assertNoSecretIn(jolokia("{\"type\":\"read\",\"mbean\":\"org.apache.camel:context=lifeboat,type=endpoints,*\"}")
                .toString());
        assertNoSecretIn(daemon.output());
    }

    private void assertNoSecretIn(String text) {
        for (String secret : List.of(
                MANAGEMENT_TOKEN,
                API_TOKEN,
                RESUME_TOKEN,
                REDIS_PASSWORD,
                MQTT_PASSWORD,
                DB_PASSWORD,
                TELEGRAM_TOKEN)) {
            assertThat(text).as("a configured secret in the output").doesNotContain(secret);
        }
    }

    private static String exec(String mbean, String operation, String... arguments) {
        StringBuilder args = new StringBuilder();
        for (String a : arguments) {
            args.append(args.length() == 0 ? "" : ",").append('"').append(a).append('"');
        }
        return "{\"type\":\"exec\",\"mbean\":\"" + mbean + "\",\"operation\":\"" + operation + "\",\"arguments\":["
                + args + "]}";
    }

    private static String read(String mbean, String attribute) {
        return "{\"type\":\"read\",\"mbean\":\"" + mbean + "\",\"attribute\":\"" + attribute + "\"}";
    }

    private JsonNode jolokia(String request) throws Exception {
        HttpResponse<String> r = post("/observe/jolokia", MANAGEMENT_TOKEN, request);
        assertThat(r.statusCode()).as(r.body()).isIn(200, 403, 400, 500);
        return Json.MAPPER.readTree(r.body());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    private HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b);
    }

    private URI api(String path) {
        return URI.create("http://127.0.0.1:" + apiPort + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private void await(String what, Condition condition) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Exception last = null;
        while (System.nanoTime() < end) {
            if (daemon != null) {
                assertThat(daemon.process().isAlive())
                        .as("daemon ended\n" + daemon.output())
                        .isTrue();
            }
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("gave up waiting for " + what + (last == null ? "" : ": " + last) + "\n"
                + (daemon == null ? "" : daemon.output()));
    }
}
