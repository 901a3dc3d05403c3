package io.lifeboat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import java.io.ByteArrayOutputStream;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API over real HTTP on loopback, with stand-ins for the inbound routes: authentication, limits,
 * the mapping of inbound verdicts to status codes, and hostile requests.
 */
class HttpApiTest {

    static final String TOKEN = "test-api-token-0123456789abcdef";
    static final int MAX_BODY = 64 * 1024;
    static final int TEN_MIB = 10 * 1024 * 1024;

    static ApiServer api;
    static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    /** Every answer a test saw, checked at the end for secrets and stack traces. */
    static final List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        api = new ApiServer(TOKEN, MAX_BODY);
        assertThat(api.serving).isTrue();
    }

    @AfterAll
    static void stop() {
        api.close();
        for (String a : answers) {
            assertThat(a)
                    .doesNotContain(TOKEN)
                    .doesNotContain(ApiServer.RESUME_TOKEN)
                    .doesNotContain("\tat ");
            assertThat(a).doesNotContain("Exception").doesNotContain("io.lifeboat.Secret");
        }
    }

    // --- authentication

    @Test
    void withoutAnAuthorizationHeaderTheAnswerIs401WithAChallenge() throws Exception {
        int before = api.received.size();
        HttpResponse<String> r = send("POST", "/api/events", null, "application/json", event("db", "up"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json(r).get("reason").asText()).isEqualTo("unauthenticated");
        assertThat(json(r).get("error").asText()).contains("Authorization: Bearer");
        assertThat(api.received).hasSize(before);
        assertThat(send("GET", "/api/status", null, null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aWrongTokenIs403AndNothingIsHandedOn() throws Exception {
        int before = api.received.size();
        int views = api.viewCalls.size();
        HttpResponse<String> r =
                send("POST", "/api/events", "Bearer " + TOKEN + "x", "application/json", event("db", "up"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r).get("reason").asText()).isEqualTo("forbidden");
        assertThat(send("GET", "/api/status", "Bearer " + TOKEN.substring(1), null, null)
                        .statusCode())
                .isEqualTo(403);
        assertThat(send("GET", "/api/status", "Bearer wrong", null, null).statusCode())
                .isEqualTo(403);
        assertThat(send("GET", "/api/status", "bearer " + TOKEN.toUpperCase(Locale.ROOT), null, null)
                        .statusCode())
                .isEqualTo(403);
        assertThat(api.received).hasSize(before);
        assertThat(api.viewCalls).hasSize(views);
    }

    @Test
    void anEmptyTokenOrAnotherSchemeIsNoCredential() throws Exception {
        assertThat(send("GET", "/api/status", "Bearer ", null, null).statusCode())
                .isEqualTo(401);
        assertThat(send("GET", "/api/status", "Bearer", null, null).statusCode())
                .isEqualTo(401);
        assertThat(send("GET", "/api/status", "", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/status", "Basic dXNlcjpwYXNz", null, null).statusCode())
                .isEqualTo(401);
        assertThat(send("GET", "/api/status", TOKEN, null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void aTokenInTheQueryStringIsNotAccepted() throws Exception {
        int views = api.viewCalls.size();
        for (String q : List.of("?access_token=", "?token=", "?Authorization=Bearer%20")) {
            HttpResponse<String> r = send("GET", "/api/status" + q + TOKEN, null, null, null);
            assertThat(r.statusCode()).as(q).isEqualTo(401);
        }
        assertThat(api.viewCalls).hasSize(views);
    }

    @Test
    void twoAuthorizationHeadersAreRefused() throws Exception {
        String answer = raw("GET /api/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                + "\r\nAuthorization: Bearer wrong\r\nConnection: close\r\n\r\n");
        assertThat(status(answer)).isEqualTo(401);
    }

    @Test
    void withoutAConfiguredTokenEveryRequestIsRefusedSayingWhatToSet() throws Exception {
        try (ApiServer open = new ApiServer(null, MAX_BODY)) {
            assertThat(open.serving).isTrue();
            for (String auth : new String[] {null, "Bearer anything", "Bearer "}) {
                HttpResponse<String> r = send(open, "POST", "/api/events", auth, "application/json", event("db", "up"));
                assertThat(r.statusCode()).isEqualTo(403);
                assertThat(json(r).get("error").asText()).contains("http.token");
                assertThat(send(open, "GET", "/api/status", auth, null, null).statusCode())
                        .isEqualTo(403);
            }
            assertThat(open.received).isEmpty();
            assertThat(open.viewCalls).isEmpty();
        }
    }

    // --- events

    @Test
    void aHealthEventIsHandedOnUnchangedAsHttpAndAnswered202() throws Exception {
        String body = "{ \"service\": \"db-accepted\",\"status\":\"up\" ,\"detail\":\"ok é\"}";
        HttpResponse<String> r = sendAuthed("POST", "/api/events", "application/json; charset=utf-8", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(json(r).get("accepted").asBoolean()).isTrue();
        assertThat(json(r).get("service").asText()).isEqualTo("db-accepted");
        ApiServer.Received got = last("health-in", "db-accepted");
        assertThat(got.body()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
        assertThat(got.headers()).containsEntry("lifeboatSource", "http").doesNotContainKey("lifeboatService");
    }

    @Test
    void headersAClientSendsDoNotReachTheInboundRoutes() throws Exception {
        HttpRequest request = authed("/api/events")
                .header("Content-Type", "application/json")
                .header("lifeboatService", "evil")
                .header("lifeboatSource", "mqtt:lifeboat/health/x")
                .header("lifeboatActor", "jmx")
                .header("lifeboatRejected", "x")
                .POST(HttpRequest.BodyPublishers.ofString(event("db-headers", "up")))
                .build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        answers.add(r.body());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        ApiServer.Received got = last("health-in", "db-headers");
        assertThat(got.headers()).containsOnlyKeys("lifeboatSource");
        assertThat(got.headers()).containsEntry("lifeboatSource", "http");
        assertThat(r.headers().map().keySet())
                .noneMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("lifeboat"));
    }

    @Test
    void malformedJsonIsPassedOnAndMappedTo400WithTheRoutesReason() throws Exception {
        String garbage = "{\"service\":\"db\",\"status\":";
        HttpResponse<String> r = sendAuthed("POST", "/api/events", "application/json", garbage);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("reason").asText()).isEqualTo("not_json");
        assertThat(json(r).get("error").asText()).isEqualTo("the payload is not JSON");
        assertThat(api.received)
                .anyMatch(x -> x.endpoint().equals("health-in") && x.text().equals(garbage));

        HttpResponse<String> missing =
                sendAuthed("POST", "/api/events", "application/json", "{\"service\":\"db\",\"detail\":\"x\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).get("reason").asText()).isEqualTo("missing_field");

        byte[] binary = {(byte) 0xff, (byte) 0xfe, 0, 1, '[', '{'};
        HttpResponse<String> bytes = http.send(
                authed("/api/events")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(binary))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bytes.statusCode()).isEqualTo(400);
        assertThat(api.received).anyMatch(x -> java.util.Arrays.equals(x.body(), binary));

        HttpResponse<String> empty = sendAuthed("POST", "/api/events", "application/json", "");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(json(empty).get("reason").asText()).isEqualTo("not_json");
    }

    @Test
    void aBatchIsHandledItemByItemAndTheAnswerSaysWhich() throws Exception {
        HttpResponse<String> all = sendAuthed(
                "POST", "/api/events", "application/json", "[" + event("b1", "up") + "," + event("b2", "down") + "]");
        assertThat(all.statusCode()).as(all.body()).isEqualTo(202);
        assertThat(json(all).get("accepted").asInt()).isEqualTo(2);
        assertThat(last("health-in", "b1").headers()).containsEntry("lifeboatSource", "http");
        assertThat(last("health-in", "b2")).isNotNull();

        HttpResponse<String> mixed = sendAuthed(
                "POST", "/api/events", "application/json", "[" + event("b3", "up") + ",{\"service\":\"b4\"},7]");
        assertThat(mixed.statusCode()).as(mixed.body()).isEqualTo(207);
        JsonNode results = json(mixed).get("results");
        assertThat(results.get(0).get("accepted").asBoolean()).isTrue();
        assertThat(results.get(1).get("reason").asText()).isEqualTo("missing_field");
        assertThat(results.get(2).get("index").asInt()).isEqualTo(2);
        assertThat(json(mixed).get("rejected").asInt()).isEqualTo(2);

        HttpResponse<String> none = sendAuthed("POST", "/api/events", "application/json", "[1,2]");
        assertThat(none.statusCode()).isEqualTo(400);
        HttpResponse<String> empty = sendAuthed("POST", "/api/events", "application/json", " [ ] ");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(json(empty).get("reason").asText()).isEqualTo("empty_batch");
    }

    @Test
    void aFailingInboundRouteIsA500WithoutDetail() throws Exception {
        HttpResponse<String> r = sendAuthed("POST", "/api/events", "application/json", event("db-boom", "boom"));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(json(r).get("reason").asText()).isEqualTo("internal_error");
        assertThat(r.body()).doesNotContain("Secret").doesNotContain("IllegalState");
        // and the API still answers
        assertThat(sendAuthed("POST", "/api/events", "application/json", event("db-after", "up"))
                        .statusCode())
                .isEqualTo(202);
    }

    @Test
    void aStoppedInboundRouteIs503AndTheApiGoesOn() throws Exception {
        api.camel.getRouteController().stopRoute("stand-in-alert-in");
        try {
            HttpResponse<String> r = sendAuthed("POST", "/api/alerts", "application/json", "{\"alerts\":[]}");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(json(r).get("reason").asText()).isEqualTo("unavailable");
        } finally {
            api.camel.getRouteController().startRoute("stand-in-alert-in");
        }
        assertThat(sendAuthed("POST", "/api/alerts", "application/json", "{\"alerts\":[]}")
                        .statusCode())
                .isEqualTo(202);
    }

    // --- alerts, safe mode, backups

    @Test
    void anAlertmanagerPayloadGoesToAlertIn() throws Exception {
        String body = "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"labels\":{\"alertname\":\"Disk\"}}]}";
        HttpResponse<String> r = sendAuthed("POST", "/api/alerts", "application/json", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(json(r).get("alerts").asInt()).isEqualTo(1);
        assertThat(api.received)
                .anyMatch(x -> x.endpoint().equals("alert-in")
                        && x.text().equals(body)
                        && "http".equals(x.headers().get("lifeboatSource")));
    }

    @Test
    void safeModeCommandsCarryTheCallersAddressAndAWrongResumeTokenIs403() throws Exception {
        HttpRequest wrong = authed("/api/safe-mode")
                .header("Content-Type", "application/json")
                .header("lifeboatActor", "jmx")
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"resume\",\"reason\":\"r\",\"token\":\"no\"}"))
                .build();
        HttpResponse<String> r = http.send(wrong, HttpResponse.BodyHandlers.ofString());
        answers.add(r.body());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r).get("reason").asText()).isEqualTo("unauthorized");
        assertThat(json(r).get("error").asText()).isEqualTo("the resume token is wrong");

        HttpResponse<String> ok = sendAuthed(
                "POST",
                "/api/safe-mode",
                "application/json",
                "{\"action\":\"resume\",\"reason\":\"fixed\",\"token\":\"" + ApiServer.RESUME_TOKEN + "\"}");
        assertThat(ok.statusCode()).isEqualTo(202);
        assertThat(json(ok).get("safeMode").asText()).isEqualTo("OFF");
        List<ApiServer.Received> calls = api.received.stream()
                .filter(x -> x.endpoint().equals("command-safe-mode"))
                .toList();
        assertThat(calls)
                .allSatisfy(x -> assertThat(x.headers())
                        .containsEntry("lifeboatActor", "http:127.0.0.1")
                        .containsEntry("lifeboatSource", "http"));
    }

    @Test
    void aBackupRequestIsQueuedAnd202SaysWhat() throws Exception {
        HttpResponse<String> r = sendAuthed(
                "POST",
                "/api/backups",
                "application/json",
                "{\"target\":\"app-db\",\"reason\":\"before upgrade\",\"requestId\":\"r1\"}");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(json(r).get("jobs").get(0).get("target").asText()).isEqualTo("app-db");
        HttpResponse<String> unknown =
                sendAuthed("POST", "/api/backups", "application/json", "{\"target\":\"../../etc\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).get("reason").asText()).isEqualTo("unknown_target");
    }

    // --- status and list

    @Test
    void statusAndListAreTheViewsJson() throws Exception {
        HttpResponse<String> status = sendAuthed("GET", "/api/status", null, null);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(json(status).get("targets").get(0).get("target").asText()).isEqualTo("app-db");
        HttpResponse<String> list = sendAuthed("GET", "/api/backups?target=app-db", null, null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json(list).get(0).get("manifest").get("id").asText()).isEqualTo("20261123T000000Z-abc");
        assertThat(api.viewCalls).contains("backups:app-db");
        assertThat(sendAuthed("GET", "/api/backups", null, null).statusCode()).isEqualTo(200);
        assertThat(api.viewCalls).contains("backups:null");
    }

    @Test
    void pathTraversalishTargetsAndPathsAreRefused() throws Exception {
        for (String q : List.of(
                "../etc", "..%2F..%2Fetc", "%2e%2e%2fetc", "a/b", ".hidden", "UPPER", "a%00b", "x".repeat(64))) {
            HttpResponse<String> r = sendAuthed("GET", "/api/backups?target=" + q, null, null);
            assertThat(r.statusCode()).as(q).isEqualTo(400);
            assertThat(json(r).get("reason").asText()).isEqualTo("bad_target");
        }
        assertThat(sendAuthed("GET", "/api/backups?target=a&target=b", null, null)
                        .statusCode())
                .isEqualTo(400);
        assertThat(api.viewCalls).noneMatch(c -> c.contains("etc") || c.contains("/"));
        for (String path : List.of(
                "/api/../api/status",
                "/api/%2e%2e/api/status",
                "/api/status/",
                "/api/status/..",
                "/api//status",
                "/api/events/../status",
                "/api/backups/..%2f..%2fetc%2fpasswd/verify")) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(status(answer)).as(path).isIn(400, 404);
            assertThat(answer).doesNotContain("targets");
        }
    }

    // --- limits and protocol

    @Test
    void unknownPathsAre404Json() throws Exception {
        for (String path : List.of(
                "/api/nope",
                "/api",
                "/api/restore",
                "/api/backups/x/verify",
                "/api/backups/20261123T173600Z-3fa9c1/verify/",
                "/api/backups/20261123T173600Z-3FA9C1/verify",
                "/nope",
                "/index.html",
                "//")) {
            HttpResponse<String> r = sendAuthed("GET", path, null, null);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(json(r).get("reason").asText()).isEqualTo("not_found");
        }
        // outside /api, no token is needed to learn there is nothing
        assertThat(send("GET", "/index.html", null, null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aWrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> get = sendAuthed("GET", "/api/events", null, null);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(json(get).get("reason").asText()).isEqualTo("method_not_allowed");
        HttpResponse<String> delete = sendAuthed("DELETE", "/api/status", null, null);
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("GET");
        assertThat(sendAuthed("PUT", "/api/backups", "application/json", "{}")
                        .headers()
                        .firstValue("Allow"))
                .hasValue("GET, POST");
        assertThat(sendAuthed("OPTIONS", "/api/events", null, null).statusCode())
                .isEqualTo(405);
        HttpResponse<String> verify = sendAuthed("GET", "/api/backups/20261123T173600Z-3fa9c1/verify", null, null);
        assertThat(verify.statusCode()).isEqualTo(405);
        assertThat(verify.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void aBodyThatIsNotJsonIs415CountedAndDeadLettered() throws Exception {
        double before = api.rejectedCount("not_json");
        for (String type : List.of(
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "application/json; charset=iso-8859-1",
                "application/jsonx")) {
            HttpResponse<String> r = sendAuthed("POST", "/api/events", type, event("db-415", "up"));
            assertThat(r.statusCode()).as(type).isEqualTo(415);
            assertThat(json(r).get("reason").asText()).isEqualTo("unsupported_media_type");
        }
        HttpResponse<String> none = http.send(
                authed("/api/events")
                        .POST(HttpRequest.BodyPublishers.ofString(event("db-415", "up")))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(415);
        assertThat(api.received).noneMatch(x -> x.text().contains("db-415"));
        assertThat(api.rejectedCount("not_json")).isEqualTo(before + 6);
        assertThat(api.dlq).anyMatch(d -> d.contains("\"reason\":\"not_json\"") && d.contains("/api/events"));
        assertThat(sendAuthed("POST", "/api/events", "application/problem+json", event("db-plus", "up"))
                        .statusCode())
                .isEqualTo(202);
    }

    @Test
    void aTenMebibyteBodyIs413BeforeItIsSent() throws Exception {
        double before = api.rejectedCount("too_large");
        // only the head is sent: the answer must come without the body
        try (Socket s = new Socket("127.0.0.1", api.port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write(("POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                                    + "\r\nContent-Type: application/json\r\nContent-Length: " + TEN_MIB + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String answer = readAnswer(s.getInputStream());
            answers.add(answer);
            assertThat(status(answer)).isEqualTo(413);
            assertThat(answer).contains("\"reason\":\"too_large\"");
        }
        // a client that asks first (Expect: 100-continue) gets the 413 instead of a 100, and never sends it
        String asked = raw("POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + TEN_MIB
                + "\r\n\r\n");
        assertThat(status(asked)).isEqualTo(413);
        assertThat(api.rejectedCount("too_large")).isGreaterThanOrEqualTo(before + 2);
        assertThat(api.dlq).anyMatch(d -> d.contains("\"reason\":\"too_large\""));
        assertThat(sendAuthed("POST", "/api/events", "application/json", event("db-after-413", "up"))
                        .statusCode())
                .isEqualTo(202);
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws Exception {
        double before = api.rejectedCount("too_large");
        try (Socket s = new Socket("127.0.0.1", api.port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[8192];
            java.util.Arrays.fill(chunk, (byte) ' ');
            byte[] head = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            Thread writer = new Thread(() -> {
                try {
                    for (int sent = 0; sent < TEN_MIB; sent += chunk.length) {
                        out.write(head);
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closed) {
                    // the server stopped reading and closed: what it should do
                }
            });
            writer.setDaemon(true);
            writer.start();
            String answer = readAnswer(s.getInputStream());
            answers.add(answer);
            assertThat(status(answer)).isEqualTo(413);
            writer.join(30_000);
        }
        assertThat(api.rejectedCount("too_large")).isEqualTo(before + 1);
        assertThat(api.received).noneMatch(x -> x.body() != null && x.body().length > MAX_BODY);
        // exactly at the limit is fine
        String atLimit = event("db-limit", "up");
        atLimit = atLimit.substring(0, atLimit.length() - 1) + ",\"detail\":\""
                + "d".repeat(MAX_BODY - atLimit.length() - 12) + "\"}";
        assertThat(atLimit.length()).isEqualTo(MAX_BODY);
        assertThat(sendAuthed("POST", "/api/events", "application/json", atLimit)
                        .statusCode())
                .isEqualTo(202);
    }

    @Test
    void anEndlessChunkedBodyIsCutOff() throws Exception {
        long limit = 64L * 1024 * 1024; // far past maxBody + the 16 MiB discarded after the 413
        long sent = 0;
        try (Socket s = new Socket("127.0.0.1", api.port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("10000\r\n" + " ".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                while (sent < limit) {
                    out.write(chunk);
                    sent += 0x10000;
                }
            } catch (IOException cut) {
                // the server closed the connection
            }
        }
        assertThat(sent).isLessThan(limit);
        assertThat(sendAuthed("GET", "/api/status", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void veryLongHeadersAreSurvived() throws Exception {
        HttpResponse<String> r = http.send(
                authed("/api/status").header("X-Junk", "j".repeat(60_000)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        answers.add(r.body());
        assertThat(r.statusCode()).isEqualTo(200);
        String longAuth = raw("GET /api/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + "t".repeat(200_000)
                + "\r\nConnection: close\r\n\r\n");
        assertThat(status(longAuth)).isIn(-1, 400, 403, 431);
        String huge = raw("GET /api/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN + "\r\nX-Junk: "
                + "j".repeat(2 * 1024 * 1024) + "\r\nConnection: close\r\n\r\n");
        assertThat(status(huge)).isIn(-1, 400, 413, 431);
        assertThat(sendAuthed("GET", "/api/status", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void aPortInUseIsReportedAndTheContextRunsOn() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                ApiServer blocked = new ApiServer(TOKEN, MAX_BODY, taken.getLocalPort())) {
            assertThat(blocked.serving).isFalse();
            assertThat(blocked.camel.isStarted()).isTrue();
            assertThat(blocked.camel
                            .getRouteController()
                            .getRouteStatus("api-events")
                            .isStarted())
                    .isTrue();
        }
    }

    @Test
    void anIpv6HostIsBracketedInTheEndpointUri() {
        var v6 = new io.lifeboat.config.LifeboatConfig.HttpConfig(true, "::1", 8080, TOKEN, MAX_BODY);
        assertThat(ApiRoutes.properties(v6).getProperty("lifeboat.http.host")).isEqualTo("[::1]");
        assertThat(ApiRoutes.properties(api.config).getProperty("lifeboat.http.host"))
                .isEqualTo("127.0.0.1");
    }

    // --- helpers

    static String event(String service, String status) {
        return "{\"service\":\"" + service + "\",\"status\":\"" + status + "\",\"detail\":\"d\"}";
    }

    static ApiServer.Received last(String endpoint, String service) {
        List<ApiServer.Received> found = new ArrayList<>();
        for (ApiServer.Received r : api.received) {
            if (r.endpoint().equals(endpoint) && r.text().contains("\"" + service + "\"")) {
                found.add(r);
            }
        }
        assertThat(found).as(endpoint + " " + service).isNotEmpty();
        return found.get(found.size() - 1);
    }

    static HttpRequest.Builder authed(String path) {
        return HttpRequest.newBuilder(URI.create(api.base() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TOKEN);
    }

    static HttpResponse<String> sendAuthed(String method, String path, String type, String body) throws Exception {
        return send(method, path, "Bearer " + TOKEN, type, body);
    }

    static HttpResponse<String> send(String method, String path, String auth, String type, String body)
            throws Exception {
        return send(api, method, path, auth, type, body);
    }

    static HttpResponse<String> send(
            ApiServer server, String method, String path, String auth, String type, String body) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(Duration.ofSeconds(20));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        if (type != null) {
            b.header("Content-Type", type);
        }
        b.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        answers.add(r.body());
        if (r.statusCode() != 204) {
            assertThat(r.headers().firstValue("Content-Type"))
                    .as(method + " " + path + " -> " + r.statusCode())
                    .hasValue("application/json");
        }
        return r;
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return Json.MAPPER.readTree(r.body());
    }

    /** Sends a request as written and returns the whole answer (head and body), or "" if the server closed. */
    static String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", api.port)) {
            s.setSoTimeout(10_000);
            try {
                s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
                s.getOutputStream().flush();
            } catch (IOException closedEarly) {
                // the server may refuse before reading it all
            }
            String answer = readAnswer(s.getInputStream());
            answers.add(answer);
            return answer;
        }
    }

    /** Reads the head and (by Content-Length) the body of one answer. */
    static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                buf.write(b);
                String text = buf.toString(StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                if (end >= 0) {
                    int length = 0;
                    for (String line : text.substring(0, end).split("\r\n")) {
                        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    byte[] body = in.readNBytes(length);
                    return text + new String(body, StandardCharsets.UTF_8);
                }
            }
        } catch (java.net.SocketException reset) {
            // closed by the server
        }
        return buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** The status code of a raw answer, -1 when there was none (connection closed). */
    static int status(String answer) {
        if (!answer.startsWith("HTTP/1.1 ")) {
            return -1;
        }
        return Integer.parseInt(answer.substring(9, 12));
    }
}
