package io.lifeboat.domain.alerting;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where silences live across restarts. */
public interface SilenceStore {

    /** Silences that have not ended by {@code now}. */
    List<Silence> load(Instant now);

    /** Stores a new or changed silence (same id: replaced). */
    void save(Silence silence);

    /** Keeps silences in memory: for tests and for one-shot use. */
    final class InMemory implements SilenceStore {
        private final Map<String, Silence> silences = new LinkedHashMap<>();

        @Override
        public synchronized List<Silence> load(Instant now) {
            List<Silence> out = new ArrayList<>();
            for (Silence s : silences.values()) {
                if (s.endsAt().isAfter(now)) {
                    out.add(s);
                }
            }
            return out;
        }

        @Override
        public synchronized void save(Silence silence) {
            silences.put(silence.id(), silence);
        }
    }
}
