package io.lifeboat.safemode;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig.CatalogConfig;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.testsupport.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safe Mode against a real embedded catalog: persisted, audited, retained ON/OFF, resumed only with the token. */
class SafeModeServiceTest {

    static final CatalogConfig EMBEDDED = new CatalogConfig("", null, null);
    static final String TOKEN = "correct-horse-battery";

    @TempDir
    Path dir;

    final ManualClock clock = new ManualClock(Instant.parse("2026-11-23T04:00:00Z"));
    final List<String> published = new CopyOnWriteArrayList<>();
    final EventSink sink = (topic, payload, retained) ->
            published.add(topic + (retained ? " (retained) " : " ") + new String(payload, StandardCharsets.UTF_8));
    Catalog catalog;

    @AfterEach
    void close() {
        if (catalog != null) {
            catalog.close();
        }
    }

    SafeModeService service(String token) {
        if (catalog == null) {
            catalog = Catalog.open(EMBEDDED, dir);
        }
        return new SafeModeService(catalog, new Events(sink), sink, token, clock);
    }

    @Test
    void enteringIsAuditedRetainedAlertedAndSurvivesARestart() {
        SafeModeService s = service(TOKEN);
        assertThat(s.isOn()).isFalse();
        s.publishState();
        assertThat(published).containsExactly("safe_mode (retained) OFF");
        SafeModeService.Outcome o = s.enter("3 services down", "mqtt (by alice)");
        assertThat(o.changed()).isTrue();
        assertThat(s.isOn()).isTrue();
        assertThat(published).contains("safe_mode (retained) ON");
        assertThat(published)
                .anyMatch(m -> m.startsWith("alerts ")
                        && m.contains("SafeModeEntered")
                        && m.contains("\"firing\"")
                        && m.contains("critical"));
        assertThat(s.enter("again", "jmx").changed())
                .as("already on: nothing new")
                .isFalse();
        catalog.close();
        catalog = null;
        SafeModeService after = service(TOKEN);
        assertThat(after.isOn()).isTrue();
        assertThat(after.state().orElseThrow().actor()).isEqualTo("mqtt (by alice)");
        assertThat(after.state().orElseThrow().reason()).isEqualTo("3 services down");
    }

    @Test
    void resumeNeedsTheExactTokenAndIsAudited() {
        SafeModeService s = service(TOKEN);
        s.enter("test", "cli:root");
        clock.advance(Duration.ofMinutes(1));
        SafeModeService.Outcome none = s.resume(null, "mqtt", null);
        assertThat(none.refused()).isEqualTo("unauthorized");
        SafeModeService.Outcome wrong = s.resume(TOKEN + "x", "http:127.0.0.1", null);
        assertThat(wrong.refused()).isEqualTo("unauthorized");
        assertThat(wrong.message()).doesNotContain(TOKEN);
        assertThat(s.resume(TOKEN.substring(1), "jmx", null).ok()).isFalse();
        assertThat(s.isOn()).isTrue();
        SafeModeService.Outcome right = s.resume(TOKEN, "http:127.0.0.1", "disks replaced");
        assertThat(right.ok()).isTrue();
        assertThat(right.changed()).isTrue();
        assertThat(s.isOn()).isFalse();
        assertThat(published).contains("safe_mode (retained) OFF");
        assertThat(published).anyMatch(m -> m.startsWith("alerts ") && m.contains("\"resolved\""));
        List<Catalog.SafeModeChange> history = s.history(10);
        assertThat(history).hasSize(2);
        assertThat(history.get(0).on()).isFalse();
        assertThat(history.get(0).actor()).isEqualTo("http:127.0.0.1");
        assertThat(history.get(0).reason()).isEqualTo("disks replaced");
        assertThat(history.get(1).actor()).isEqualTo("cli:root");
    }

    @Test
    void withoutAConfiguredTokenEveryRemoteResumeIsRefusedButTheLocalShellMayResume() {
        SafeModeService s = service(null);
        s.enter("test", "rule: 3 services down: a, b, c");
        SafeModeService.Outcome refused = s.resume("", "mqtt", null);
        assertThat(refused.refused()).isEqualTo("unauthorized");
        assertThat(refused.message()).contains("no safeMode.resumeToken is configured");
        assertThat(s.isOn()).isTrue();
        assertThat(s.resumeLocal("cli:root", null).changed()).isTrue();
        assertThat(s.isOn()).isFalse();
        assertThat(s.state().orElseThrow().actor()).isEqualTo("cli:root");
    }
}
