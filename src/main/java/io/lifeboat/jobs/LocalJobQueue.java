package io.lifeboat.jobs;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.ProducerTemplate;

/**
 * TEMPORARY (replaced by the Artemis queue in this same issue): hands a job to {@code
 * direct:backup-execute} on another thread, dropping a key seen within the coalesce window. Not
 * durable.
 */
public final class LocalJobQueue implements JobQueue {

    private final ProducerTemplate producer;
    private final Clock clock;
    private final Duration coalesce;
    private final Map<String, Instant> seen = new ConcurrentHashMap<>();

    public LocalJobQueue(ProducerTemplate producer, Clock clock, Duration coalesce) {
        this.producer = requireNonNull(producer, "producer");
        this.clock = requireNonNull(clock, "clock");
        this.coalesce = requireNonNull(coalesce, "coalesce");
    }

    @Override
    public void submit(JobRequest job) {
        Instant now = clock.instant();
        seen.values().removeIf(at -> at.plus(coalesce).isBefore(now));
        if (seen.putIfAbsent(job.key(), now) != null) {
            return;
        }
        producer.asyncRequestBodyAndHeaders(
                "direct:backup-execute",
                null,
                Map.of(
                        "target", job.target(),
                        "trigger", job.trigger().type(),
                        "reason", job.trigger().detail()));
    }
}
