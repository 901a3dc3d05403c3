package io.lifeboat.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.domain.Trigger;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobMessageTest {

    static final Set<String> TARGETS = Set.of("app-db", "files");

    @Test
    void aJobSurvivesTheRoundTrip() throws Exception {
        JobRequest job = new JobRequest("app-db", new Trigger("alert", "disk SMART warning"), "alert:fp:1:app-db");
        String json = JobMessage.toJson(job, Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(json).contains("\"submittedAt\":\"2026-01-01T00:00:00Z\"");
        assertThat(JobMessage.parse(json, TARGETS::contains)).isEqualTo(job);
    }

    @Test
    void badMessagesAreRejectedWithAReason() {
        assertReason("not json at all", "not_json");
        assertReason("", "missing_field");
        assertReason("[1,2]", "wrong_type");
        assertReason("{\"target\":\"app-db\"}", "missing_field");
        assertReason("{\"target\":7,\"key\":\"k\"}", "wrong_type");
        assertReason("{\"target\":\"gone\",\"key\":\"k\"}", "unknown_target");
        assertReason("{\"target\":\"app-db\",\"key\":\"k\",\"trigger\":\"cosmic-ray\"}", "wrong_type");
        assertReason("{\"target\":\"app-db\",\"key\":\"" + "k".repeat(600) + "\"}", "wrong_type");
        assertReason("{\"target\":\"app-db\",\"key\":\"k\",\"pad\":\"" + "x".repeat(70_000) + "\"}", "too_large");
    }

    private static void assertReason(String body, String reason) {
        assertThatThrownBy(() -> JobMessage.parse(body, TARGETS::contains))
                .isInstanceOfSatisfying(
                        JobMessage.Rejected.class, r -> assertThat(r.reason()).isEqualTo(reason));
    }

    @Test
    void theShippedQuartzScriptGivesOnlyCreateStatements() {
        assertThat(QuartzCluster.createStatements())
                .hasSizeGreaterThan(11)
                .allSatisfy(s -> assertThat(s.toLowerCase()).startsWith("create "))
                .anySatisfy(s -> assertThat(s).contains("QRTZ_LOCKS"));
    }
}
