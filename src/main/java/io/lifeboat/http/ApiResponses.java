package io.lifeboat.http;

import io.lifeboat.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.direct.DirectConsumerNotAvailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the API answers: always JSON, never a stack trace, and no header but the status and the
 * content type (whatever headers the inbound routes set stay inside; the gate adds {@code
 * Cache-Control}, which Camel's HTTP header filter would drop).
 */
final class ApiResponses {

    static final String JSON = "application/json";
    static final String REJECTED = "lifeboatRejected";
    static final String REJECTED_DETAIL = "lifeboatRejectedDetail";

    private static final Logger LOG = LoggerFactory.getLogger(ApiResponses.class);

    private ApiResponses() {}

    static void respond(Exchange exchange, int status, Object body) {
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, JSON);
        m.setBody(Json.text(body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static Map<String, Object> error(String detail, String reason) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("error", detail);
        e.put("reason", reason);
        return e;
    }

    /**
     * The answer to a payload handed to an inbound route: 202 with its summary when accepted, 400 with
     * its reason when rejected ({@code unauthorized} from the safe-mode command: 403).
     */
    static void inbound(Exchange exchange) {
        Object[] answer = inboundAnswer(exchange.getMessage(), false);
        respond(exchange, (Integer) answer[0], answer[1]);
    }

    /** As {@link #inbound}, for the safe-mode command: a refused resume token is 403, not 400. */
    static void safeMode(Exchange exchange) {
        Object[] answer = inboundAnswer(exchange.getMessage(), true);
        respond(exchange, (Integer) answer[0], answer[1]);
    }

    /** Status and body for the outcome of one inbound call (also used per item of a batch). */
    static Object[] inboundAnswer(Message m, boolean unauthorizedIs403) {
        String rejected = m.getHeader(REJECTED, String.class);
        if (rejected != null) {
            String detail = m.getHeader(REJECTED_DETAIL, String.class);
            // the input was fine but Lifeboat could not take it now: the client may send it again
            int status = unauthorizedIs403 && "unauthorized".equals(rejected)
                    ? 403
                    : "queue_unavailable".equals(rejected) || "internal_error".equals(rejected) ? 503 : 400;
            return new Object[] {status, error(detail == null ? "rejected: " + rejected : detail, rejected)};
        }
        return new Object[] {202, accepted(m.getBody())};
    }

    /** The route's summary with {@code "accepted":true} first. */
    static Map<String, Object> accepted(Object summary) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accepted", true);
        if (summary instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (!"accepted".equals(k)) {
                    body.put(String.valueOf(k), v);
                }
            });
        }
        return body;
    }

    /** The one place a failed API exchange becomes an answer (the API routes' one onException). */
    static void failure(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (e instanceof ApiException api) {
            respond(exchange, api.status(), error(api.getMessage(), api.reason()));
            return;
        }
        if (e instanceof DirectConsumerNotAvailableException) {
            // an inbound route is stopped (JMX) or not part of this build: the caller may retry later
            LOG.warn("API request refused: {}", e.getMessage());
            respond(exchange, 503, error("this intake is not running now; try again later", "unavailable"));
            return;
        }
        // the log has the cause (never the request body: it may carry a resume token); the caller a sentence
        String route = exchange.getFromRouteId();
        LOG.error("API request failed in route {}: {}", route, e == null ? "unknown error" : e.toString());
        respond(exchange, 500, error("internal error; the daemon log has the cause", "internal_error"));
    }
}
