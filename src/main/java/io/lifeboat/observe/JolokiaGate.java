package io.lifeboat.observe;

import io.lifeboat.Json;
import io.lifeboat.http.BearerToken;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The token check in front of {@code /observe/jolokia}: 401 without {@code Authorization: Bearer
 * <token>} (or Basic credentials whose password is the token, as Hawtio sends), 403 with a wrong one, and 403 for every request while {@code management.token} is unset.
 * The comparison is constant-time ({@link BearerToken}); the header is removed once checked, so the
 * token reaches neither Jolokia nor a log. A POST must say its length and stay under {@link
 * #MAX_BODY} (Camel's Jolokia route reads bodies without a limit): 411 and 413 otherwise. What may be
 * done once in is Jolokia's access policy ({@code jolokia-access.xml}).
 */
final class JolokiaGate implements AuthenticationHandler {

    static final long MAX_BODY = 64 * 1024;

    private final BearerToken token;

    JolokiaGate(String token) {
        this.token = BearerToken.of(token);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (token == null) {
            refuse(
                    ctx,
                    403,
                    "no_token_configured",
                    "Jolokia refuses every request until management.token is set in lifeboat.yaml");
            return;
        }
        List<String> auth = request.headers().getAll(HttpHeaders.AUTHORIZATION);
        String presented = auth.size() == 1 ? presented(auth.get(0)) : null;
        if (presented == null) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"lifeboat\", Basic realm=\"lifeboat\"");
            refuse(
                    ctx,
                    401,
                    "unauthenticated",
                    "send the management token as Authorization: Bearer <management.token>");
            return;
        }
        request.headers().remove(HttpHeaders.AUTHORIZATION);
        if (!token.matches(presented)) {
            refuse(ctx, 403, "forbidden", "the bearer token is not the configured management.token");
            return;
        }
        if (request.method().name().equals("POST")) {
            String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            long bytes;
            try {
                bytes = length == null ? -1 : Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                bytes = -1;
            }
            if (bytes < 0) {
                refuse(ctx, 411, "length_required", "send a POST body with Content-Length");
                return;
            }
            if (bytes > MAX_BODY) {
                refuse(ctx, 413, "too_large", "the body is " + bytes + " bytes; Jolokia requests may have " + MAX_BODY);
                return;
            }
        }
        ctx.next();
    }

    /**
     * The token of {@code Bearer <token>}, or the password of {@code Basic base64(user:token)} (Hawtio's
     * Connect dialog sends Basic credentials; the user name is not checked), else null.
     */
    static String presented(String header) {
        String bearer = BearerToken.fromHeader(header);
        if (bearer != null) {
            return bearer;
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(
                        Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = pair.indexOf(':');
                return colon < 0 ? null : pair.substring(colon + 1);
            } catch (IllegalArgumentException notBase64) {
                return null;
            }
        }
        return null;
    }

    private static void refuse(RoutingContext ctx, int status, String error, String detail) {
        ctx.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(Json.text(Map.of("error", error, "detail", detail)));
    }
}
