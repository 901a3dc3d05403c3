package io.lifeboat.source;

/** The tool behind a source failed: it exited non-zero, or could not connect. Carries its stderr. */
public class SourceFailedException extends Exception {

    private final String stderr;

    public SourceFailedException(String message, String stderr) {
        super(message);
        this.stderr = stderr == null ? "" : stderr;
    }

    public String stderr() {
        return stderr;
    }
}
