package io.lifeboat.http;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
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
    SILENCES_CREATE("/api/silences", "POST", "api-silences-create");

    final String path;
    final String method;
    final String routeId;

    ApiEndpoint(String path, String method, String routeId) {
        this.path = path;
        this.method = method;
        this.routeId = routeId;
    }

    /** The endpoint for this path and method, if the path exists and allows the method. */
    static Optional<ApiEndpoint> find(String path, String method) {
        return Arrays.stream(values())
                .filter(e -> e.path.equals(path) && e.method.equals(method))
                .findFirst();
    }

    static boolean knownPath(String path) {
        return Arrays.stream(values()).anyMatch(e -> e.path.equals(path));
    }

    /** The methods {@code path} allows, for the {@code Allow} header of a 405. */
    static String allowed(String path) {
        return Arrays.stream(values())
                .filter(e -> e.path.equals(path))
                .map(e -> e.method)
                .collect(Collectors.joining(", "));
    }

    /** Every endpoint as "METHOD path", for the body of a 404. */
    static List<String> listing() {
        return Arrays.stream(values()).map(e -> e.method + " " + e.path).toList();
    }
}
