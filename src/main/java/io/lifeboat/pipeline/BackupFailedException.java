package io.lifeboat.pipeline;

/** A backup run failed; the message says why in one line, stderr carries the tool's own words if any. */
public class BackupFailedException extends Exception {

    private final String stderr;

    public BackupFailedException(String message, String stderr, Throwable cause) {
        super(message, cause);
        this.stderr = stderr == null ? "" : stderr;
    }

    public String stderr() {
        return stderr;
    }
}
