package io.lifeboat.notify;

import java.util.Optional;

/**
 * Where notices wait for their receiver, in order, per lane ({@code critical} before {@code normal}). An
 * entry is removed only after its delivery is settled, so a restart replays what was not.
 */
public interface NoticeStore {

    String CRITICAL = "critical";
    String NORMAL = "normal";

    /** One waiting notice. {@code seq} orders entries across stores; {@code ref} finds it again for removal. */
    record Entry(String ref, long seq, String payload) {}

    void append(String receiver, String lane, long seq, String payload);

    Optional<Entry> head(String receiver, String lane);

    void remove(String receiver, String lane, Entry entry);

    long length(String receiver, String lane);
}
