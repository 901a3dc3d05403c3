package io.lifeboat.domain.alerting;

import static java.util.Objects.requireNonNull;

import io.lifeboat.domain.Alert;
import java.time.Instant;
import java.util.List;

/** A silence: alerts matching every matcher are not sent between {@code startsAt} and {@code endsAt}. */
public record Silence(
        String id, List<Matcher> matchers, Instant startsAt, Instant endsAt, String createdBy, String comment) {

    public Silence {
        requireNonNull(id, "id");
        requireNonNull(startsAt, "startsAt");
        requireNonNull(endsAt, "endsAt");
        matchers = List.copyOf(requireNonNull(matchers, "matchers"));
        if (matchers.isEmpty()) {
            throw new IllegalArgumentException("a silence needs at least one matcher (it would silence everything)");
        }
        if (!endsAt.isAfter(startsAt)) {
            throw new IllegalArgumentException("a silence must end after it starts");
        }
        createdBy = createdBy == null ? "" : createdBy;
        comment = comment == null ? "" : comment;
    }

    public boolean activeAt(Instant now) {
        return !now.isBefore(startsAt) && now.isBefore(endsAt);
    }

    public boolean silences(Alert alert, Instant now) {
        return activeAt(now) && matchers.stream().allMatch(m -> m.matches(alert));
    }
}
