package io.lifeboat.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.Json;
import io.lifeboat.testsupport.HeadlessChromium;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in headless Chromium against the API routes with status JSON written here, for
 * the states a real daemon does not reach in a test's minute: the RPO bar's thresholds (green under
 * 75%, amber to 100%, red beyond), drill results against {@code drill.rto}, off-site states, the
 * outbox depth, a refresh that fails (the last data stays, the failure is said), and a daemon
 * without {@code http.token}.
 */
class StatusPageBrowserIT {

    static final String TOKEN = "browser-it-token-0123456789";

    @TempDir
    Path work;

    static final String STATUS = """
            {"targets":[
              {"target":"fresh","lastVerifiedId":"20261201T000000Z-aaaaaa","lastVerifiedAt":"2026-12-01T00:00:00Z",
               "storedBytes":2048,"ageSeconds":74,"age":"1m14s","rpoSeconds":100,"rpo":"1m40s","rpoState":"ok",
               "lastDrill":{"at":"2026-12-01T00:00:00Z","result":"OK","rtoSeconds":30.0,"rto":"30.0s"},
               "drillRtoSeconds":60,"drillRto":"1m",
               "offsite":{"store":"filesystem /mnt/usb","newestCopyId":"20261201T000000Z-aaaaaa","age":"1m",
                          "lagging":false,"missing":0,"detail":"up to date"}},
              {"target":"edge","lastVerifiedId":"20261201T000000Z-bbbbbb","ageSeconds":75,"rpoSeconds":100,
               "lastDrill":{"at":"2026-12-01T00:00:00Z","result":"SLOW","rtoSeconds":90.0,"rto":"1m30s",
                            "rtoObjectiveSeconds":60},
               "offsite":{"store":"s3","newestCopyId":"x","lagging":false,"missing":2,"detail":"2 to copy"}},
              {"target":"full","lastVerifiedId":"20261201T000000Z-cccccc","ageSeconds":100,"rpoSeconds":100,
               "lastDrill":{"at":"2026-12-01T00:00:00Z","result":"FAILED","error":"validation: users < 1"},
               "offsite":{"store":"s3","lagging":true,"missing":3,
                          "detail":"<script>document.body.dataset.pwned=1</script> behind"}},
              {"target":"late","lastVerifiedId":"20261201T000000Z-dddddd","ageSeconds":101,"rpoSeconds":100,
               "lastRunOperation":"backup","lastRunResult":"failed","lastRunError":"pg_dump: <b>refused</b>"}
            ],
            "safeMode":{"on":true,"at":"2026-12-01T00:00:00Z","actor":"mqtt","reason":"3 services down"},
            "recentRuns":[],
            "outbox":{"depth":42,"connected":false}}
            """;

    @Test
    void rpoThresholdsDrillsOffsiteAndOutboxAsTheJsonSays() throws Exception {
        ApiViews views = views(new AtomicInteger(), Integer.MAX_VALUE);
        try (ApiServer api = new ApiServer(TOKEN, 4096, ApiServer.freePort(), views)) {
            Document dom = new HeadlessChromium(work).dom(api.base() + "/#token=" + TOKEN, 8000);
            assertThat(dom.getElementById("content").hasAttr("hidden"))
                    .as(dom.outerHtml())
                    .isFalse();

            assertRow(dom, "fresh", "ok", "green");
            assertRow(dom, "edge", "warn", "amber"); // 75% is amber
            assertRow(dom, "full", "warn", "amber"); // 100% is still amber
            assertRow(dom, "late", "breached", "red"); // beyond is red

            assertThat(cell(dom, "fresh", "drill").attr("data-drill")).isEqualTo("OK");
            assertThat(cell(dom, "fresh", "drill").attr("data-colour")).isEqualTo("green");
            assertThat(cell(dom, "fresh", "drill").text()).contains("RTO 30.0s of 1m");
            assertThat(cell(dom, "edge", "drill").attr("data-colour")).isEqualTo("amber");
            assertThat(cell(dom, "edge", "drill").attr("data-rto-objective")).isEqualTo("60");
            assertThat(cell(dom, "full", "drill").attr("data-colour")).isEqualTo("red");
            assertThat(cell(dom, "full", "drill").text()).contains("validation: users < 1");

            assertThat(cell(dom, "fresh", "offsite").attr("data-offsite")).isEqualTo("ok");
            assertThat(cell(dom, "edge", "offsite").attr("data-offsite")).isEqualTo("behind");
            assertThat(cell(dom, "full", "offsite").attr("data-offsite")).isEqualTo("lagging");
            assertThat(cell(dom, "full", "offsite").text()).contains("<script>document.body.dataset.pwned=1</script>");
            assertThat(cell(dom, "late", "offsite").attr("data-offsite")).isEqualTo("not-configured");
            assertThat(cell(dom, "late", "last-run").text()).contains("pg_dump: <b>refused</b>");
            assertThat(dom.select("#content script, #content b")).isEmpty();
            assertThat(dom.body().hasAttr("data-pwned")).isFalse();

            assertThat(cell(dom, "fresh", "stored").attr("data-verified")).isEqualTo("1");
            assertThat(cell(dom, "fresh", "stored").attr("data-total")).isEqualTo("2");
            assertThat(dom.getElementById("outbox-depth").attr("data-depth")).isEqualTo("42");
            assertThat(dom.getElementById("outbox-depth").text()).contains("42").contains("not connected");
            assertThat(dom.getElementById("safe-mode-banner").hasAttr("hidden")).isFalse();
            assertThat(dom.getElementById("safe-mode-reason").text()).contains("3 services down");
            assertThat(dom.getElementById("runs-none")).isNotNull();
        }
    }

    @Test
    void aFailedRefreshIsSaidAndTheLastDataStays() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (ApiServer api = new ApiServer(TOKEN, 4096, ApiServer.freePort(), views(calls, 1))) {
            // the first read answers, the one 10 s (virtual) later gets a 503
            Document dom = new HeadlessChromium(work).dom(api.base() + "/#token=" + TOKEN, 15_000);
            assertThat(calls.get()).isGreaterThanOrEqualTo(2);
            Element error = dom.getElementById("refresh-error");
            assertThat(error.hasAttr("hidden")).as(dom.outerHtml()).isFalse();
            assertThat(error.attr("data-failed")).isEqualTo("true");
            assertThat(error.text()).contains("refresh failed").contains("503").contains("showing the last data");
            assertThat(dom.getElementById("content").hasAttr("hidden")).isFalse();
            assertThat(dom.select("#targets-body tr[data-target]")).hasSize(4);
            assertThat(dom.getElementById("last-refresh").attr("data-count")).isEqualTo("1");
        }
    }

    @Test
    void withoutAConfiguredTokenThePageSaysWhatToSet() throws Exception {
        try (ApiServer api = new ApiServer(null, 4096)) {
            Document dom = new HeadlessChromium(work).dom(api.base() + "/#token=" + TOKEN, 8000);
            assertThat(dom.getElementById("auth").hasAttr("hidden"))
                    .as(dom.outerHtml())
                    .isFalse();
            assertThat(dom.getElementById("auth-message").attr("data-state")).isEqualTo("forbidden");
            assertThat(dom.getElementById("auth-message").text())
                    .contains("403")
                    .contains("http.token");
            assertThat(dom.getElementById("content").hasAttr("hidden")).isTrue();
        }
    }

    /** Status from {@link #STATUS} for the first {@code answers} calls, then a failure (the API's 503). */
    private static ApiViews views(AtomicInteger calls, int answers) {
        return new ApiViews() {
            @Override
            public Object status() throws Exception {
                if (calls.incrementAndGet() > answers) {
                    throw new IllegalStateException("catalog unreachable");
                }
                return Json.MAPPER.readTree(STATUS);
            }

            @Override
            public Object backups(String target) {
                return List.of(
                        Map.of("manifest", Map.of("id", "a1", "target", "fresh"), "verified", true),
                        Map.of("manifest", Map.of("id", "a0", "target", "fresh"), "verified", false));
            }
        };
    }

    private static void assertRow(Document dom, String target, String rpo, String colour) {
        Element row = dom.selectFirst("#targets-body tr[data-target=" + target + "]");
        assertThat(row).as(target).isNotNull();
        assertThat(row.attr("data-rpo")).as(target).isEqualTo(rpo);
        assertThat(row.attr("data-colour")).as(target).isEqualTo(colour);
        assertThat(row.selectFirst(".fill").attr("data-colour")).as(target).isEqualTo(colour);
    }

    private static Element cell(Document dom, String target, String cls) {
        Element cell = dom.selectFirst("#targets-body tr[data-target=" + target + "] td." + cls);
        assertThat(cell).as(target + " " + cls).isNotNull();
        return cell;
    }
}
