package io.lifeboat.http;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The API's endpoints: path, method and the id of the route that serves it. Paths match exactly (no
 * trailing slash, no {@code ..}, no prefix), so anything else is a 404.
 */
enum ApiEndpoint {
    EVENTS("/api/events", "POST", "api-events"),
    ALERTS("/api/alerts", "POST", "api-alerts"),
    SAFE_MODE("/api/safe-mode", "POST", "api-safe-mode"),
    STATUS("/api/status", "GET", "api-status"),
    BACKUPS_LIST("/api/backups", "GET", "api-backups-list"),
    BACKUPS_CREATE("/api/backups", "POST", "api-backups-create"),
    SILENCES_LIST("/api/silences", "GET", "api-silences-list"),
    SILENCES_CREATE("/api/silences", "POST", "api-silences-create"),
    /** No body: the id is in the path. */
    BACKUP_VERIFY("/api/backups/{id}/verify", "POST", "api-backup-verify"),
    RESTORES("/api/restores", "POST", "api-restores");

    /** A backup id where the path has {@code {id}} (the form BackupId checks again). */
    private static final String ID = "[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}";

    final String path;
    final String method;
    final String routeId;
    private final Pattern pattern;

    ApiEndpoint(String path, String method, String routeId) {
        this.path = path;
        this.method = method;
        this.routeId = routeId;
        this.pattern = Pattern.compile(Pattern.quote(path).replace("{id}", "\\E(" + ID + ")\\Q"));
    }

    /** Whether a request path is this endpoint's (exactly; a template matches only a well-formed id). */
    boolean matches(String requestPath) {
        return pattern.matcher(requestPath).matches();
    }

    /** The {@code {id}} of a request path this endpoint matches, else null. */
    String id(String requestPath) {
        Matcher m = pattern.matcher(requestPath);
        return m.matches() && m.groupCount() > 0 ? m.group(1) : null;
    }

    /** Whether a POST here carries a JSON body (a verify carries none). */
    boolean takesBody() {
        return method.equals("POST") && this != BACKUP_VERIFY;
    }

    /** The endpoint for this path and method, if the path exists and allows the method. */
    static Optional<ApiEndpoint> find(String path, String method) {
        return Arrays.stream(values())
                .filter(e -> e.matches(path) && e.method.equals(method))
                .findFirst();
    }

    static boolean knownPath(String path) {
        return Arrays.stream(values()).anyMatch(e -> e.matches(path));
    }

    /** The methods {@code path} allows, for the {@code Allow} header of a 405. */
    static String allowed(String path) {
        return Arrays.stream(values())
                .filter(e -> e.matches(path))
                .map(e -> e.method)
                .collect(Collectors.joining(", "));
    }

    /** Every endpoint as "METHOD path", for the body of a 404. */
    static List<String> listing() {
        return Arrays.stream(values()).map(e -> e.method + " " + e.path).toList();
    }
}
