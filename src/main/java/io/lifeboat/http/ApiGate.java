package io.lifeboat.http;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.component.undertow.CamelUndertowHttpHandler;

/**
 * The API's door, an Undertow handler in front of the Camel consumer ({@code handlers=} of the
 * undertow endpoint), so everything here happens before a byte of the body is read and before
 * Undertow's form parser could buffer one:
 *
 * <ol>
 *   <li>{@code GET} or {@code HEAD /}: the {@link StatusPage}, without a token (it holds no data);
 *       another method on {@code /}: 405;
 *   <li>a path outside {@code /api}: 404;
 *   <li>no {@code http.token} configured: 403 saying to set it;
 *   <li>no {@code Authorization: Bearer …}: 401 with {@code WWW-Authenticate: Bearer}; a wrong
 *       token: 403 (compared in constant time); the header is then removed, so the token never
 *       reaches Camel's message (nor a log of it);
 *   <li>an unknown {@code /api} path: 404; a method the path does not allow: 405 with {@code Allow};
 *   <li>a body that is not {@code application/json} (UTF-8): 415; a {@code Content-Length} over
 *       {@code http.maxBody}: 413 (the route caps chunked bodies as it reads them: at most {@code
 *       http.maxBody} bytes are kept, the rest is discarded as it arrives, up to 16 MiB more).
 * </ol>
 *
 * What passes gets two request headers the route reads (any the client sent are replaced): the
 * route id to serve it and the caller's address.
 */
final class ApiGate implements CamelUndertowHttpHandler {

    static final String ROUTE_HEADER = "Lifeboat-Api-Route";
    static final String PEER_HEADER = "Lifeboat-Api-Peer";
    /** The {@code {id}} of a templated path, e.g. the backup of {@code /api/backups/{id}/verify}. */
    static final String ID_HEADER = "Lifeboat-Api-Id";
    /** How much of an over-limit chunked body is discarded, after the 413, before the connection is cut. */
    static final long DRAIN_LIMIT = 16L * 1024 * 1024;

    /** Told of a refused payload (too large, not JSON): counted and sent to the dead-letter topic. */
    interface Rejections {
        void rejected(String path, String reason, String detail, long bytes);
    }

    private final BearerToken token;
    private final long maxBody;
    private final Rejections rejections;
    private volatile HttpHandler next;

    ApiGate(BearerToken token, long maxBody, Rejections rejections) {
        this.token = token;
        this.maxBody = maxBody;
        this.rejections = requireNonNull(rejections, "rejections");
    }

    @Override
    public void setNext(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange ex) throws Exception {
        if (ex.isInIoThread()) {
            ex.dispatch(this); // a rejection may publish to the dead-letter topic: not on an I/O thread
            return;
        }
        String path = ex.getRequestPath();
        String method = ex.getRequestMethod().toString();
        if (path.equals(StatusPage.PATH)) {
            // the status page holds no data (it reads /api with the token it is given): no token here
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().put(Headers.ALLOW, StatusPage.ALLOW);
                refuse(ex, 405, "method_not_allowed", "/ allows " + StatusPage.ALLOW);
                return;
            }
            ex.getResponseHeaders().put(Headers.CACHE_CONTROL, StatusPage.CACHE_CONTROL);
            ex.getRequestHeaders().put(new HttpString(ROUTE_HEADER), StatusPage.ROUTE_ID);
            ex.getRequestHeaders().put(new HttpString(PEER_HEADER), peer(ex));
            next.handleRequest(ex);
            return;
        }
        if (!path.equals("/api") && !path.startsWith("/api/")) {
            refuse(ex, 404, "not_found", "no such endpoint; the API is under /api: " + ApiEndpoint.listing());
            return;
        }
        if (token == null) {
            refuse(
                    ex,
                    403,
                    "no_token_configured",
                    "the API refuses every request until a token is configured: set http.token in lifeboat.yaml"
                            + " (e.g. token: \"${LIFEBOAT_API_TOKEN}\") and restart");
            return;
        }
        HeaderValues auth = ex.getRequestHeaders().get(Headers.AUTHORIZATION);
        String presented = bearer(auth);
        if (presented == null) {
            ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"lifeboat\"");
            refuse(ex, 401, "unauthenticated", "send the API token as Authorization: Bearer <http.token>");
            return;
        }
        ex.getRequestHeaders().remove(Headers.AUTHORIZATION); // the token goes no further than this check
        if (!token.matches(presented)) {
            refuse(ex, 403, "forbidden", "the bearer token is not the configured http.token");
            return;
        }
        if (!ApiEndpoint.knownPath(path)) {
            refuse(ex, 404, "not_found", "no such endpoint; the API has " + ApiEndpoint.listing());
            return;
        }
        ApiEndpoint endpoint = ApiEndpoint.find(path, method).orElse(null);
        if (endpoint == null) {
            ex.getResponseHeaders().put(Headers.ALLOW, ApiEndpoint.allowed(path));
            refuse(ex, 405, "method_not_allowed", path + " allows " + ApiEndpoint.allowed(path));
            return;
        }
        String contentType = ex.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        boolean hasBody =
                ex.getRequestHeaders().contains(Headers.TRANSFER_ENCODING) || ex.getRequestContentLength() > 0;
        if ((endpoint.takesBody() || hasBody || contentType != null) && !json(contentType)) {
            String detail = "send the body as Content-Type: application/json (UTF-8)";
            if (endpoint.method.equals("POST")) {
                rejections.rejected(
                        path, "not_json", "content type not JSON", Math.max(0, ex.getRequestContentLength()));
            }
            refuse(ex, 415, "unsupported_media_type", detail);
            return;
        }
        long length = ex.getRequestContentLength();
        if (length > maxBody) {
            rejections.rejected(
                    path, "too_large", "Content-Length " + length + " over http.maxBody " + maxBody, length);
            refuse(ex, 413, "too_large", "the body is " + length + " bytes; http.maxBody allows " + maxBody);
            return;
        }
        // A chunked body is read by the route up to maxBody + 1 bytes only; after its 413 Undertow discards
        // the rest as it arrives, so the client, still sending, can read the answer. Beyond DRAIN_LIMIT past
        // maxBody Undertow cuts the connection instead: an endless body cannot hold it open.
        ex.setMaxEntitySize(maxBody + DRAIN_LIMIT);
        // live state, and answers to a bearer token: never kept by a cache (set here: Camel's HTTP
        // header filter drops Cache-Control from a route's answer)
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        ex.getRequestHeaders().remove(new HttpString(ID_HEADER)); // a client cannot name one itself
        String id = endpoint.id(path);
        if (id != null) {
            ex.getRequestHeaders().put(new HttpString(ID_HEADER), id);
        }
        ex.getRequestHeaders().put(new HttpString(ROUTE_HEADER), endpoint.routeId);
        ex.getRequestHeaders().put(new HttpString(PEER_HEADER), peer(ex));
        next.handleRequest(ex);
    }

    /** The token of {@code Authorization: Bearer <token>}, or null when there is no single such header. */
    private static String bearer(HeaderValues auth) {
        if (auth == null || auth.size() != 1) {
            return null;
        }
        return BearerToken.fromHeader(auth.getFirst());
    }

    /** application/json or application/…+json, with no charset or UTF-8 (RFC 8259: JSON is UTF-8). */
    static boolean json(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.toLowerCase(Locale.ROOT).split(";");
        String type = parts[0].trim();
        if (!type.equals("application/json")
                && !(type.startsWith("application/") && type.endsWith("+json") && type.indexOf(' ') < 0)) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.startsWith("charset=")) {
                String cs = p.substring("charset=".length()).replace("\"", "");
                if (!cs.equals("utf-8") && !cs.equals("utf8")) {
                    return false;
                }
            }
        }
        return true;
    }

    private static String peer(HttpServerExchange ex) {
        InetSocketAddress a = ex.getSourceAddress();
        return a == null || a.getAddress() == null ? "unknown" : a.getAddress().getHostAddress();
    }

    /**
     * Answers with {@code {"error":…,"reason":…}} without reading the body; the connection is closed
     * after the answer, so an unread body is not drained.
     */
    static void refuse(HttpServerExchange ex, int status, String reason, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", detail);
        body.put("reason", reason);
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, ApiResponses.JSON);
        ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        if (ex.getRequestHeaders().contains(Headers.TRANSFER_ENCODING) || ex.getRequestContentLength() > 0) {
            ex.setPersistent(false);
        }
        ex.getResponseSender().send(Json.text(body));
    }
}
