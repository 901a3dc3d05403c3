package io.lifeboat.jobs;

/**
 * Where every backup request goes before it runs. The daemon's queue is the durable Artemis queue
 * {@code lifeboat.jobs}: a job accepted there survives a crash, jobs of one target run one at a time,
 * and a request whose {@link JobRequest#key() key} was already accepted is dropped.
 */
public interface JobQueue {

    /** Accepts the job (or drops it as a duplicate of one already accepted); never runs it inline. */
    void submit(JobRequest job);
}
