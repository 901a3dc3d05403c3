package io.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.domain.Trigger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the status page added to {@code status --json}, beside the fields scripts already read. */
class JsonViewsTest {

    static final Instant T = Instant.parse("2026-12-01T02:00:00Z");

    @Test
    void recentRunsComeAfterTheExistingFieldsWithTriggerAndErrorAsRecorded() throws Exception {
        Map<String, Object> state = new LinkedHashMap<>(Map.of("target", "app-db", "rpoState", "ok"));
        RunRow failed = new RunRow(
                7,
                "app-db",
                "backup",
                Trigger.manual("<img src=x onerror=alert(1)>"),
                T,
                T.plusSeconds(3),
                RunRow.FAILED,
                null,
                "pg_dump exited 1",
                "stderr text",
                null);
        RunRow running = new RunRow(
                8,
                "cache",
                "drill",
                Trigger.schedule("0 0 4 * * ?"),
                T.plusSeconds(9),
                null,
                RunRow.RUNNING,
                null,
                null,
                null,
                null);
        Map<String, Object> out = JsonViews.status(
                List.of(state),
                new Catalog.SafeModeChange(T, true, "three down", "mqtt"),
                List.of(running, failed),
                null);

        assertThat(out.keySet()).containsExactly("targets", "safeMode", "recentRuns"); // no outbox outside the daemon
        assertThat(out).containsEntry("targets", List.of(state));
        assertThat(Json.text(out.get("safeMode")))
                .isEqualTo(Json.text(
                        JsonViews.status(List.of(state), new Catalog.SafeModeChange(T, true, "three down", "mqtt"))
                                .get("safeMode")));
        var runs = Json.MAPPER.readTree(Json.text(out)).get("recentRuns");
        assertThat(runs).hasSize(2);
        assertThat(runs.get(0).get("runId").asLong()).isEqualTo(8);
        assertThat(runs.get(0).get("result").asText()).isEqualTo("running");
        assertThat(runs.get(0).path("finishedAt").isMissingNode()
                        || runs.get(0).get("finishedAt").isNull())
                .isTrue();
        assertThat(runs.get(1).get("trigger").get("type").asText()).isEqualTo("manual");
        assertThat(runs.get(1).get("trigger").get("detail").asText()).isEqualTo("<img src=x onerror=alert(1)>");
        assertThat(runs.get(1).get("error").asText()).isEqualTo("pg_dump exited 1");
        assertThat(runs.get(1).get("finishedAt").asText()).isEqualTo("2026-12-01T02:00:03Z");
        assertThat(runs.get(1).has("stderr")).as("stderr stays in the catalog").isFalse();
    }
}
