package io.lifeboat.jmx;

/**
 * Lifeboat over JMX ({@code io.lifeboat:type=Lifeboat}; through Jolokia at {@code /observe/jolokia}
 * and so Hawtio): Safe Mode's state and the operations an operator runs by hand. Every operation goes
 * the way the same request over MQTT or HTTP goes, with actor {@code jmx}: a refusal is dead-lettered
 * and counted, and the answer says why.
 */
public interface LifeboatMBean {

    /** True while Safe Mode is on. */
    boolean isSafeModeOn();

    /** Why Safe Mode was last changed, or empty. */
    String getSafeModeReason();

    /** Who last changed it ({@code jmx}, {@code mqtt (by alice)}, {@code rule: …}), or empty. */
    String getSafeModeChangedBy();

    /** When it was last changed (ISO-8601), or empty. */
    String getSafeModeChangedAt();

    /** Queues a backup of {@code target} now; returns the job, or "REFUSED: …". */
    String backupNow(String target);

    /** Enters Safe Mode (no token needed: the safe direction); returns what happened. */
    String enterSafeMode(String reason);

    /** Leaves Safe Mode with the resume token; returns what happened ("REFUSED: …" without it). */
    String resumeSafeMode(String token);

    /**
     * Silences alerts whose labels match {@code matcher} ({@code target=app-db,severity=warning}) for
     * {@code duration} ({@code 2h}, at most 90 days); returns the silence id and its end, or
     * "REFUSED: …".
     */
    String silence(String matcher, String duration);
}
