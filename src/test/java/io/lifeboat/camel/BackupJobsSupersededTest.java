package io.lifeboat.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A scheduled slot that waited in the queue behind a newer verified backup is not run again. */
class BackupJobsSupersededTest {

    static final Instant QUEUED = Instant.parse("2026-01-01T02:00:00Z");

    @Test
    void onlyAScheduledSlotServedByALaterBackupIsSkipped() {
        Optional<Instant> later = Optional.of(QUEUED.plusSeconds(30));
        Optional<Instant> earlier = Optional.of(QUEUED.minusSeconds(30));
        assertThat(BackupJobs.superseded("schedule", QUEUED, later)).isTrue();
        assertThat(BackupJobs.superseded("schedule", QUEUED, earlier)).isFalse();
        assertThat(BackupJobs.superseded("schedule", QUEUED, Optional.empty())).isFalse();
        assertThat(BackupJobs.superseded("schedule", null, later)).isFalse();
        // a command, an event or an alert asked for this backup: it runs
        assertThat(BackupJobs.superseded("manual", QUEUED, later)).isFalse();
        assertThat(BackupJobs.superseded("alert", QUEUED, later)).isFalse();
    }
}
