package io.lifeboat.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The status page on {@code GET /}: one self-contained HTML file ({@value #RESOURCE}, inline CSS and
 * JavaScript, nothing fetched from another host) that reads {@code /api/status} and {@code
 * /api/backups} with the bearer token the user gives it (URL fragment, session storage or a form).
 * The page holds no data, so it is served without a token.
 *
 * <p>Its Content-Security-Policy allows only the page's own inline script and style, by their
 * SHA-256, and requests to its own origin: a string from the API that ever reached the DOM as markup
 * could still not run a script or load anything.
 */
final class StatusPage {

    static final String PATH = "/";
    static final String ALLOW = "GET, HEAD";
    static final String ROUTE_ID = "status-page";
    static final String RESOURCE = "status-page.html";
    static final String CONTENT_TYPE = "text/html; charset=utf-8";
    /** The page is static but changes with an upgrade: revalidate rather than show a stale copy. */
    static final String CACHE_CONTROL = "no-cache";

    private static final byte[] PAGE = load();
    static final String CSP = csp(new String(PAGE, StandardCharsets.UTF_8));

    private StatusPage() {}

    /**
     * The page, with headers that keep it from being framed, sniffed or sent as a referrer ({@code
     * Cache-Control} is the gate's: Camel's HTTP header filter drops it from a route's answer).
     */
    static void respond(Exchange exchange) {
        Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        m.setHeader(Exchange.CONTENT_TYPE, CONTENT_TYPE);
        m.setHeader("Content-Security-Policy", CSP);
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setHeader("X-Frame-Options", "DENY");
        m.setHeader("Referrer-Policy", "no-referrer");
        m.setBody(PAGE);
    }

    static byte[] page() {
        return PAGE.clone();
    }

    private static byte[] load() {
        try (InputStream in = StatusPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code default-src 'self'}, the page's one inline {@code <script>} and one {@code <style>} by
     * hash, no plugins, no base URI, no framing; {@code data:} images for the empty favicon.
     */
    static String csp(String html) {
        return "default-src 'self'; script-src '" + hash(inline(html, "script")) + "'; style-src '"
                + hash(inline(html, "style")) + "'; img-src 'self' data:; connect-src 'self'; object-src 'none';"
                + " base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    /** The text of the one {@code <tag>…</tag>} in the page (it has exactly one of each). */
    static String inline(String html, String tag) {
        String open = "<" + tag + ">";
        String close = "</" + tag + ">";
        int start = html.indexOf(open);
        int end = html.indexOf(close, start + 1);
        if (start < 0 || end < 0 || html.indexOf(open, end) >= 0) {
            throw new IllegalStateException(RESOURCE + " must hold exactly one plain " + open + " element");
        }
        return html.substring(start + open.length(), end);
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
