package io.lifeboat.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /observe/metrics} over real HTTP on a loopback port: what a Prometheus server or curl gets. */
class ManagementServerTest {

    @TempDir
    Path dir;

    Catalog catalog;
    ManagementServer server;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void setUp() throws Exception {
        Path file = dir.resolve("lifeboat.yaml");
        Files.writeString(file, """
                storage: {primary: {type: s3, endpoint: "http://127.0.0.1:9", bucket: lifeboat,
                          accessKey: a, secretKey: "${S3_SECRET}"}}
                targets:
                  app-db: {kind: directory, path: ., schedule: "0 0 2 * * ?", rpo: 26h}
                """);
        LifeboatConfig config = ConfigLoader.load(file, Map.of("S3_SECRET", "very-secret-s3-key"));
        catalog = Catalog.open(config.catalog(), dir.resolve("data"));
        server = ManagementServer.start(
                new LifeboatConfig.ManagementConfig(true, "127.0.0.1", freePort()),
                new LifeboatMetrics(config, catalog, Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() {
        server.close();
        catalog.close();
    }

    @Test
    void getServesThePrometheusTextFormat() throws Exception {
        HttpResponse<String> r = send("GET", "/observe/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(r.body())
                .contains("lifeboat_rpo_breached{target=\"app-db\"} 1")
                .contains("lifeboat_backup_runs_total{result=\"succeeded\",target=\"app-db\"} 0")
                .contains("lifeboat_safe_mode 0")
                .doesNotContain("very-secret-s3-key")
                .doesNotContain("127.0.0.1:9");
        // a query string (Prometheus may add one) changes nothing
        assertThat(send("GET", "/observe/metrics?name[]=x").statusCode()).isEqualTo(200);
        HttpResponse<String> head = send("HEAD", "/observe/metrics");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void anyOtherPathIsNotFound() throws Exception {
        for (String path : new String[] {
            "/",
            "/observe",
            "/observe/metrics/",
            "/observe/metricsx",
            "/observe/health",
            "/observe/%2e%2e/metrics",
            "/OBSERVE/METRICS",
            "/" + "a".repeat(4000)
        }) {
            HttpResponse<String> r = send("GET", path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body())
                    .as(path)
                    .contains("metrics are at /observe/metrics")
                    .doesNotContain("lifeboat_");
        }
    }

    @Test
    void otherMethodsAreRefused() throws Exception {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
            HttpResponse<String> r = send(method, "/observe/metrics");
            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).as(method).contains("GET, HEAD");
            assertThat(r.body()).as(method).doesNotContain("lifeboat_");
        }
    }

    @Test
    void aLargePostBodyIsRefusedWithoutReadingIt() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri("/observe/metrics"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[8 * 1024 * 1024]))
                .build();
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            // the server may answer and close before the client has sent the whole body: still served after
            r = null;
        }
        if (r != null) {
            assertThat(r.statusCode()).isEqualTo(405);
        }
        assertThat(send("GET", "/observe/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void garbageOnTheSocketDoesNotStopTheServer() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("\u0000\u0001NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            in.readAllBytes(); // an error answer or a closed connection, never a hang
        }
        assertThat(send("GET", "/observe/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void aPortInUseIsAClearError() throws Exception {
        assertThatThrownBy(() -> ManagementServer.start(
                        new LifeboatConfig.ManagementConfig(true, "127.0.0.1", server.port()),
                        new LifeboatMetrics(
                                ConfigLoader.load(dir.resolve("lifeboat.yaml"), Map.of("S3_SECRET", "x")),
                                catalog,
                                Clock.systemUTC())))
                .isInstanceOf(java.net.BindException.class);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
