package io.lifeboat.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.testsupport.HeadlessChromium;
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
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser: {@code ./lifeboat run} with two targets, one backed up (fresh:
 * green) and one whose backups fail (none verified: red), then headless Chromium loads {@code
 * http://127.0.0.1:PORT/#token=…} and the test reads the DOM it built from {@code /api/status} and
 * {@code /api/backups}: both targets and their RPO state, Safe Mode off and then, after {@code POST
 * /api/safe-mode}, its banner; a hostile backup reason shown as text, not markup; without a token
 * the "token needed" message and no data. A screenshot is left in {@code target/status-page.png}.
 * Chromium is required: without it the test fails and says how to install it.
 */
class StatusPageIT {

    private static final String TOKEN = "it-page-" + UUID.randomUUID();
    /** What a hostile client could put in a backup reason; the page must show it as text. */
    private static final String HOSTILE = "<img src=x onerror=\"document.body.dataset.pwned=1\">";

    @TempDir
    Path work;

    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void thePageShowsTheDaemonsStateInAHeadlessBrowser() throws Exception {
        HeadlessChromium chromium = new HeadlessChromium(work); // fails, saying how to install it, when absent
        int port = freePort();
        Path config = config(port);
        LifeboatCli cli = new LifeboatCli(config).env("LIFEBOAT_API_TOKEN", TOKEN);
        LifeboatCli.Result backup = cli.run("backup", "files", "--reason", HOSTILE);
        assertThat(backup.exitCode()).as(backup.toString()).isZero();
        LifeboatCli.Started daemon = cli.start("run");
        String base = "http://127.0.0.1:" + port + "/";
        try {
            // the daemon catches up the never-attempted target at start; its backup fails (none verified)
            JsonNode status = awaitStatus(
                    port,
                    daemon,
                    s -> "failed"
                            .equals(target(s, "broken").path("lastRunResult").asText()));
            assertThat(target(status, "files").path("rpoState").asText()).isEqualTo("ok");
            assertThat(target(status, "broken").path("lastVerifiedId").isMissingNode()
                            || target(status, "broken").path("lastVerifiedId").isNull())
                    .isTrue();

            Document dom = chromium.dom(base + "#token=" + TOKEN, 8000);
            assertThat(dom.getElementById("auth").hasAttr("hidden"))
                    .as(dom.outerHtml())
                    .isTrue();
            assertThat(dom.getElementById("content").hasAttr("hidden")).isFalse();

            Element files = row(dom, "files");
            assertThat(files.attr("data-rpo")).isEqualTo("ok");
            assertThat(files.attr("data-colour")).isEqualTo("green");
            assertThat(files.selectFirst("td.rpo .fill").attr("data-colour")).isEqualTo("green");
            assertThat(files.selectFirst("[data-field=last-verified-id]").text())
                    .isEqualTo(target(status, "files").path("lastVerifiedId").asText());
            assertThat(files.selectFirst("td.drill").attr("data-rto-objective")).isEqualTo("900");
            assertThat(files.selectFirst("td.drill").text()).contains("RTO objective 15m");
            assertThat(files.selectFirst("td.offsite").attr("data-offsite")).isEqualTo("not-configured");
            assertThat(files.selectFirst("td.stored").attr("data-verified")).isEqualTo("1");

            Element broken = row(dom, "broken");
            assertThat(broken.attr("data-rpo")).isEqualTo("none");
            assertThat(broken.attr("data-colour")).isEqualTo("red");
            assertThat(broken.selectFirst("td.rpo").text()).contains("no verified backup");
            assertThat(broken.selectFirst("td.last-run").attr("data-result")).isEqualTo("failed");
            assertThat(broken.selectFirst("td.last-run").text()).contains("no snapshot today");

            assertThat(dom.getElementById("safe-mode").attr("data-on")).isEqualTo("false");
            assertThat(dom.getElementById("safe-mode").text()).isEqualTo("off");
            assertThat(dom.getElementById("safe-mode-banner").hasAttr("hidden")).isTrue();
            assertThat(dom.getElementById("outbox-depth").attr("data-depth")).matches("\\d+");
            assertThat(dom.getElementById("last-refresh").attr("data-at")).isNotEmpty();
            assertThat(dom.getElementById("refresh-error").attr("data-failed")).isEqualTo("false");

            // the hostile reason is text in the runs table: no element made of it, its handler never ran
            Element run = dom.selectFirst("#runs-body tr[data-target=files][data-result=succeeded]");
            assertThat(run).as(dom.getElementById("runs").outerHtml()).isNotNull();
            assertThat(run.selectFirst("[data-field=trigger]").text()).isEqualTo("manual: " + HOSTILE);
            assertThat(dom.select("img")).isEmpty();
            assertThat(dom.body().hasAttr("data-pwned")).isFalse();
            assertThat(dom.outerHtml()).contains("&lt;img src=x onerror=");
            assertThat(dom.selectFirst("#runs-body tr[data-target=broken][data-result=failed]"))
                    .isNotNull();

            // it refreshes itself every 10 s (virtual time: 25 s is three reads)
            Document later = chromium.dom(base + "#token=" + TOKEN, 25_000);
            assertThat(Integer.parseInt(later.getElementById("last-refresh").attr("data-count")))
                    .isGreaterThanOrEqualTo(3);

            Path png = LifeboatCli.jar().getParent().resolve("status-page.png");
            Files.deleteIfExists(png);
            chromium.screenshot(base + "#token=" + TOKEN, 8000, png, 1280, 900);
            assertThat(png).exists();
            byte[] image = Files.readAllBytes(png);
            assertThat(image.length).as("screenshot bytes").isGreaterThan(20 * 1024);
            assertThat(new String(image, 1, 3, UTF_8)).isEqualTo("PNG");

            // Safe Mode on: the banner shows, with the reason as text
            HttpResponse<String> enter =
                    post(port, "/api/safe-mode", "{\"action\":\"enter\",\"reason\":\"status page IT <b>drill</b>\"}");
            assertThat(enter.statusCode()).as(enter.body()).isEqualTo(202);
            Document safe = chromium.dom(base + "#token=" + TOKEN, 8000);
            Element banner = safe.getElementById("safe-mode-banner");
            assertThat(banner.hasAttr("hidden")).as(safe.outerHtml()).isFalse();
            assertThat(banner.attr("data-on")).isEqualTo("true");
            assertThat(banner.text()).contains("Safe Mode is ON").contains("status page IT <b>drill</b>");
            assertThat(banner.select("b")).isEmpty();
            assertThat(safe.getElementById("safe-mode").attr("data-on")).isEqualTo("true");

            // no token: the message saying one is needed, and no data
            Document none = chromium.dom(base, 8000);
            assertThat(none.getElementById("auth").hasAttr("hidden")).isFalse();
            assertThat(none.getElementById("auth-message").attr("data-state")).isEqualTo("needed");
            assertThat(none.getElementById("auth-message").text()).contains("token is needed");
            assertThat(none.getElementById("content").hasAttr("hidden")).isTrue();
            assertThat(none.select("#targets-body tr, #runs-body tr")).isEmpty();
            assertThat(none.outerHtml()).doesNotContain("broken").doesNotContain("no snapshot today");

            // a wrong token: the API's 403, said plainly, and no data
            Document wrong = chromium.dom(base + "#token=not-" + TOKEN, 8000);
            assertThat(wrong.getElementById("auth-message").attr("data-state")).isEqualTo("forbidden");
            assertThat(wrong.getElementById("auth-message").text()).contains("403");
            assertThat(wrong.select("#targets-body tr")).isEmpty();
        } finally {
            stop(daemon.process());
        }
        // the browser sent the token in a header on every read; no log line holds it
        assertThat(daemon.output()).contains("API at http://127.0.0.1:" + port).doesNotContain(TOKEN);
    }

    private static Element row(Document dom, String target) {
        Element row = dom.selectFirst("#targets-body tr[data-target=" + target + "]");
        assertThat(row).as("row of " + target + " in\n" + dom.outerHtml()).isNotNull();
        return row;
    }

    private static JsonNode target(JsonNode status, String name) {
        for (JsonNode t : status.path("targets")) {
            if (name.equals(t.path("target").asText())) {
                return t;
            }
        }
        throw new AssertionError("no target " + name + " in " + status);
    }

    private Path config(int port) throws IOException {
        Path folder = Files.createDirectories(work.resolve("files"));
        Files.writeString(folder.resolve("a.txt"), "status page test data");
        Path config = work.resolve("lifeboat.yaml");
        // broker port 0: the job queue stays in-process, so a daemon on this shared machine using the
        // default core port cannot collide with this one
        Files.writeString(config, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                broker: {port: 0, mqttPort: %d}
                management: {enabled: false}
                http: {port: %d, token: "${LIFEBOAT_API_TOKEN}"}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 3 1 1 ? 2099", rpo: 26h, drill: {rto: 15m}}
                  broken: {kind: command, command: ["sh", "-c", "echo no snapshot today >&2; exit 3"],
                           extension: bin, schedule: "0 0 3 1 1 ? 2099", rpo: 1h}
                """.formatted(freePort(), port));
        return config;
    }

    private JsonNode awaitStatus(int port, LifeboatCli.Started daemon, java.util.function.Predicate<JsonNode> ready)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode last = null;
        while (System.nanoTime() < end) {
            assertThat(daemon.process().isAlive())
                    .as("daemon ended\n" + daemon.output())
                    .isTrue();
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/status"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + TOKEN)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    last = Json.MAPPER.readTree(r.body());
                    if (ready.test(last)) {
                        return last;
                    }
                }
            } catch (IOException notYet) {
                // not serving yet
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the status never got ready: " + last + "\n" + daemon.output());
    }

    private HttpResponse<String> post(int port, String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
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
