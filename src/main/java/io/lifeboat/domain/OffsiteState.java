package io.lifeboat.domain;

/**
 * Where a backup stands off-site: copied and verified there, the last copy failed, or not copied
 * yet. {@link #label()} is what {@code ./lifeboat list} shows; {@link #json()} what {@code --json} says.
 */
public enum OffsiteState {
    COPIED("yes", "copied"),
    FAILED("FAILED", "failed"),
    PENDING("no", "pending");

    /** What {@code list} shows when no off-site store is configured. */
    public static final String NOT_CONFIGURED_LABEL = "-";

    private final String label;
    private final String json;

    OffsiteState(String label, String json) {
        this.label = label;
        this.json = json;
    }

    public String label() {
        return label;
    }

    public String json() {
        return json;
    }
}
