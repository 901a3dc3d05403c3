package io.lifeboat.restore;

/** A restore that could not be carried out; the message says why, {@code stderr} holds a tool's last words. */
public final class RestoreFailedException extends Exception {
    private final String stderr;

    public RestoreFailedException(String message, String stderr, Throwable cause) {
        super(message, cause);
        this.stderr = stderr == null ? "" : stderr;
    }

    public RestoreFailedException(String message) {
        this(message, "", null);
    }

    public String stderr() {
        return stderr;
    }
}
