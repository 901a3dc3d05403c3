package io.lifeboat.http;

/**
 * A request the API answers with an error: the HTTP status, a short reason code and a sentence for
 * the caller. Thrown by the API routes and turned into {@code {"error":…,"reason":…}} once, in the
 * API routes' onException.
 */
final class ApiException extends RuntimeException {

    private final int status;
    private final String reason;

    ApiException(int status, String reason, String detail) {
        super(detail, null, false, false); // an answer to a client, not a fault: no stack trace
        this.status = status;
        this.reason = reason;
    }

    int status() {
        return status;
    }

    String reason() {
        return reason;
    }
}
