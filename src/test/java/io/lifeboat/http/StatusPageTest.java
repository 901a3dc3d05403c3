package io.lifeboat.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code GET /} serves on the API port: the self-contained status page, without a token, as
 * HTML in UTF-8 with a CSP that admits only its own inline script and style, and nothing from
 * another host; {@code HEAD} too, every other method 405; the JSON it reads is never cached.
 */
class StatusPageTest {

    static final String TOKEN = "status-page-token-0123456789";
    static ApiServer api;
    static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() throws Exception {
        api = new ApiServer(TOKEN, 4096);
        assertThat(api.serving).isTrue();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void thePageIsServedWithoutATokenAsUtf8Html() throws Exception {
        int views = api.viewCalls.size();
        HttpResponse<byte[]> r = send("GET", "/", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(r.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(r.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(r.body()).isEqualTo(StatusPage.page());
        String html = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!doctype html>").contains("<meta charset=\"utf-8\">");
        // the page asks the API for data; serving it asked nothing
        assertThat(api.viewCalls).hasSize(views);
        // a query string changes nothing (the token goes in the fragment, which never reaches the server)
        assertThat(send("GET", "/?x=1", null).body()).isEqualTo(StatusPage.page());
    }

    @Test
    void thePageLoadsNothingFromAnotherHost() throws Exception {
        String html = new String(send("GET", "/", null).body(), StandardCharsets.UTF_8);
        assertThat(html.toLowerCase(java.util.Locale.ROOT))
                .doesNotContain("http://")
                .doesNotContain("https://")
                .doesNotContain("//cdn")
                .doesNotContain("@import")
                .doesNotContain("url(")
                .doesNotContainPattern("[\"'(=]\\s*//"); // no protocol-relative reference
        Document doc = Jsoup.parse(html);
        for (Element e : doc.select("[src], [href], [action]")) {
            for (String attr : List.of("src", "href", "action")) {
                if (e.hasAttr(attr)) {
                    assertThat(e.attr(attr)).as(e.outerHtml()).isEqualTo("data:,"); // the empty favicon only
                }
            }
        }
        assertThat(doc.select("script"))
                .singleElement()
                .satisfies(s -> assertThat(s.attributes().size()).isZero());
        assertThat(doc.select("style")).hasSize(1);
        assertThat(doc.select("link[rel=stylesheet], iframe, object, embed")).isEmpty();
        // the only requests the script makes are to this origin's API
        assertThat(html).contains("getJson(\"/api/status\")").contains("getJson(\"/api/backups\")");
        assertThat(html).doesNotContain("innerHTML").doesNotContain("outerHTML").doesNotContain("insertAdjacentHTML");
        assertThat(html).doesNotContain("document.write").doesNotContain("eval(");
    }

    @Test
    void theCspAllowsOnlyThisOriginAndThePagesOwnInlineScriptAndStyle() throws Exception {
        HttpResponse<byte[]> r = send("GET", "/", null);
        String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
        String html = new String(r.body(), StandardCharsets.UTF_8);
        Document doc = Jsoup.parse(html);
        assertThat(csp)
                .startsWith("default-src 'self';")
                .contains("script-src '" + sha256(doc.selectFirst("script").data()) + "'")
                .contains("style-src '" + sha256(doc.selectFirst("style").data()) + "'")
                .contains("connect-src 'self'")
                .contains("frame-ancestors 'none'")
                .contains("base-uri 'none'")
                .doesNotContain("unsafe-inline")
                .doesNotContain("unsafe-eval");
    }

    @Test
    void headAnswersLikeGetWithoutABody() throws Exception {
        HttpResponse<byte[]> r = send("HEAD", "/", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(r.headers().firstValue("Content-Security-Policy")).hasValue(StatusPage.CSP);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void otherMethodsOnTheRootAre405WithAllow() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            HttpResponse<byte[]> r = send(method, "/", TOKEN);
            assertThat(r.statusCode()).as(method).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).as(method).hasValue("GET, HEAD");
            assertThat(new String(r.body(), StandardCharsets.UTF_8)).contains("\"reason\":\"method_not_allowed\"");
        }
    }

    @Test
    void theJsonThePageReadsIsNeverCachedAndStillNeedsTheToken() throws Exception {
        HttpResponse<byte[]> ok = send("GET", "/api/status", TOKEN);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(send("GET", "/api/backups", TOKEN).headers().firstValue("Cache-Control"))
                .hasValue("no-store");
        HttpResponse<byte[]> none = send("GET", "/api/status", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(send("GET", "/api/status", "wrong-token-0123456789").statusCode())
                .isEqualTo(403);
    }

    @Test
    void theCspHashesThePagesOneScriptAndOneStyle() {
        String html = "<style>a{}</style><p><script>x()</script>";
        assertThat(StatusPage.inline(html, "script")).isEqualTo("x()");
        assertThat(StatusPage.inline(html, "style")).isEqualTo("a{}");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> StatusPage.inline(html + "<script>y()</script>", "script"))
                .hasMessageContaining("exactly one");
    }

    private static HttpResponse<byte[]> send(String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String sha256(String text) throws Exception {
        return "sha256-"
                + Base64.getEncoder()
                        .encodeToString(
                                MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
