package io.lifeboat.jmx;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.inbound.Inbound;
import io.lifeboat.inbound.Rejections;
import io.lifeboat.jobs.JobRequest;
import io.lifeboat.safemode.SafeModeService;
import io.lifeboat.testsupport.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** io.lifeboat:type=Lifeboat on the platform MBean server, as JConsole, Jolokia or Hawtio use it. */
class LifeboatJmxTest {

    @TempDir
    Path dir;

    @Test
    void operationsAndStateOverJmxWithTheTokenCheckedAndRefusalsDeadLettered() throws Exception {
        String token = "jmx-test-token-123";
        Path yaml = dir.resolve("lifeboat.yaml");
        Files.writeString(yaml, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                safeMode: {resumeToken: "%s"}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 3 * * ?", rpo: 26h}
                """.formatted(token));
        LifeboatConfig config = ConfigLoader.load(yaml, Map.of());
        List<String> published = new CopyOnWriteArrayList<>();
        EventSink sink =
                (topic, payload, retained) -> published.add(topic + " " + new String(payload, StandardCharsets.UTF_8));
        ManualClock clock = new ManualClock(Instant.parse("2026-11-23T04:00:00Z"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Catalog catalog = Catalog.open(config.catalog(), config.dataDir())) {
            SafeModeService service = new SafeModeService(catalog, new Events(sink), sink, token, clock);
            List<JobRequest> jobs = new CopyOnWriteArrayList<>();
            Inbound inbound =
                    new Inbound(config, service, () -> jobs::add, new Rejections(registry, sink, clock), sink, clock);
            try (LifeboatJmx jmx = new LifeboatJmx(service, LifeboatJmx.Requests.through(inbound)).register()) {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                ObjectName name = new ObjectName("io.lifeboat:type=Lifeboat");
                assertThat(server.getAttribute(name, "SafeModeOn")).isEqualTo(false);
                Object entered = server.invoke(
                        name, "enterSafeMode", new Object[] {"storage migration"}, new String[] {String.class.getName()
                        });
                assertThat(entered.toString()).contains("Safe Mode is on");
                assertThat(server.getAttribute(name, "SafeModeOn")).isEqualTo(true);
                assertThat(server.getAttribute(name, "SafeModeChangedBy")).isEqualTo("jmx");
                assertThat(server.getAttribute(name, "SafeModeReason")).isEqualTo("storage migration");

                Object refused = server.invoke(
                        name, "resumeSafeMode", new Object[] {"wrong"}, new String[] {String.class.getName()});
                assertThat(refused.toString()).startsWith("REFUSED: resume refused");
                assertThat(server.getAttribute(name, "SafeModeOn")).isEqualTo(true);
                assertThat(registry.get(Rejections.METER)
                                .tag("reason", "unauthorized")
                                .counter()
                                .count())
                        .isEqualTo(1.0);
                assertThat(published).anyMatch(m -> m.startsWith("dlq ") && m.contains("\"source\":\"jmx\""));

                server.invoke(name, "resumeSafeMode", new Object[] {token}, new String[] {String.class.getName()});
                assertThat(server.getAttribute(name, "SafeModeOn")).isEqualTo(false);
                assertThat(published).noneMatch(m -> m.contains(token));

                String[] one = {String.class.getName()};
                Object queued = server.invoke(name, "backupNow", new Object[] {"files"}, one);
                assertThat(queued.toString()).contains("\"accepted\":true").contains("\"target\":\"files\"");
                assertThat(jobs).singleElement().satisfies(job -> {
                    assertThat(job.target()).isEqualTo("files");
                    assertThat(job.trigger().toString()).contains("JMX");
                });
                Object unknown = server.invoke(name, "backupNow", new Object[] {"nope"}, one);
                assertThat(unknown.toString()).startsWith("REFUSED: ").contains("nope");
                Object hostile =
                        server.invoke(name, "backupNow", new Object[] {"../../etc\u0000" + "x".repeat(5000)}, one);
                assertThat(hostile.toString()).startsWith("REFUSED: ");
                assertThat(jobs).hasSize(1);
            }
            assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(LifeboatJmx.NAME)))
                    .isFalse();
        }
    }

    @Test
    void silenceMatchersAreLabelValuePairs() {
        assertThat(LifeboatJmx.matchers("target=app-db, severity = warning"))
                .containsExactly(Map.entry("target", "app-db"), Map.entry("severity", "warning"));
        assertThat(LifeboatJmx.matchers("")).isEmpty();
        assertThat(LifeboatJmx.matchers("target")).isNull();
        assertThat(LifeboatJmx.matchers("=x")).isNull();
    }

    @Test
    void aSilenceWithoutRoutingOrWithABadMatcherIsRefusedWithTheReason() throws Exception {
        Path yaml = dir.resolve("lifeboat.yaml");
        Files.writeString(yaml, """
                dataDir: data
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 3 * * ?", rpo: 26h}
                """);
        LifeboatConfig config = ConfigLoader.load(yaml, Map.of());
        EventSink sink = (topic, payload, retained) -> {};
        ManualClock clock = new ManualClock(Instant.parse("2026-11-23T04:00:00Z"));
        try (Catalog catalog = Catalog.open(config.catalog(), config.dataDir())) {
            SafeModeService service = new SafeModeService(catalog, new Events(sink), sink, null, clock);
            Inbound inbound = new Inbound(
                    config,
                    service,
                    () -> job -> {},
                    new Rejections(new SimpleMeterRegistry(), sink, clock),
                    sink,
                    clock);
            LifeboatJmx jmx = new LifeboatJmx(service, LifeboatJmx.Requests.through(inbound));
            assertThat(jmx.silence("target", "2h")).startsWith("REFUSED: matcher is label=value pairs");
            assertThat(jmx.silence("", "2h")).startsWith("REFUSED: ");
            assertThat(jmx.silence("target=files", "2h")).isEqualTo("REFUSED: alert routing is not running");
        }
    }
}
