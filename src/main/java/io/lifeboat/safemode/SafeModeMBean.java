package io.lifeboat.safemode;

/**
 * Safe Mode over JMX ({@code io.lifeboat:type=SafeMode}, also through Jolokia and Hawtio): the state,
 * and the two operations. Resuming needs the configured resume token, like every remote resume.
 */
public interface SafeModeMBean {

    /** True while Safe Mode is on. */
    boolean isOn();

    /** Why Safe Mode was last changed, or empty. */
    String getReason();

    /** Who last changed it ({@code jmx}, {@code mqtt (by alice)}, {@code rule: …}), or empty. */
    String getChangedBy();

    /** When it was last changed (ISO-8601), or empty. */
    String getChangedAt();

    /** Enters Safe Mode (no token needed: the safe direction); returns what happened. */
    String enterSafeMode(String reason);

    /** Leaves Safe Mode with the resume token; returns what happened ("REFUSED: …" without it). */
    String resumeSafeMode(String token);
}
