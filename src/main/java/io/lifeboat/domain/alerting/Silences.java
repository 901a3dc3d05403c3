package io.lifeboat.domain.alerting;

import static java.util.Objects.requireNonNull;

import io.lifeboat.domain.Alert;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The silences in force, kept in a {@link SilenceStore} so they outlive a restart. Thread-safe. */
public final class Silences {

    private final SilenceStore store;
    private final Map<String, Silence> byId = new LinkedHashMap<>();

    public Silences(SilenceStore store, Instant now) {
        this.store = requireNonNull(store, "store");
        for (Silence s : store.load(now)) {
            byId.put(s.id(), s);
        }
    }

    /** Adds (or replaces, same id) a silence and stores it. */
    public synchronized Silence add(Silence s) {
        store.save(s);
        byId.put(s.id(), s);
        return s;
    }

    /** Ends a silence now; false when there is no such silence still in force. */
    public synchronized boolean expire(String id, Instant now) {
        Silence s = byId.get(id);
        if (s == null || !s.endsAt().isAfter(now)) {
            return false;
        }
        Instant start = s.startsAt().isBefore(now) ? s.startsAt() : now.minusMillis(1);
        Silence ended = new Silence(s.id(), s.matchers(), start, now, s.createdBy(), s.comment());
        store.save(ended);
        byId.put(id, ended);
        return true;
    }

    /** Silences that have not ended, oldest first (including ones that start later). */
    public synchronized List<Silence> current(Instant now) {
        byId.values().removeIf(s -> !s.endsAt().isAfter(now));
        return new ArrayList<>(byId.values());
    }

    public synchronized Optional<Silence> silencedBy(Alert alert, Instant now) {
        for (Silence s : byId.values()) {
            if (s.silences(alert, now)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
