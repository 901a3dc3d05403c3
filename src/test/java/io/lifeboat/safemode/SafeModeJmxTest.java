package io.lifeboat.safemode;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.inbound.Inbound;
import io.lifeboat.inbound.Rejections;
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

/** io.lifeboat:type=SafeMode on the platform MBean server, as JConsole, Jolokia or Hawtio use it. */
class SafeModeJmxTest {

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
            Inbound inbound =
                    new Inbound(config, service, () -> job -> {}, new Rejections(registry, sink, clock), sink, clock);
            try (SafeModeJmx jmx = new SafeModeJmx(service, (request, actor) -> {
                        Inbound.Result r = inbound.safeMode(request, "jmx", actor);
                        return r.ok() ? String.valueOf(r.body().get("message")) : "REFUSED: " + r.detail();
                    })
                    .register()) {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                ObjectName name = new ObjectName("io.lifeboat:type=SafeMode");
                assertThat(server.getAttribute(name, "On")).isEqualTo(false);
                Object entered = server.invoke(
                        name, "enterSafeMode", new Object[] {"storage migration"}, new String[] {String.class.getName()
                        });
                assertThat(entered.toString()).contains("Safe Mode is on");
                assertThat(server.getAttribute(name, "On")).isEqualTo(true);
                assertThat(server.getAttribute(name, "ChangedBy")).isEqualTo("jmx");
                assertThat(server.getAttribute(name, "Reason")).isEqualTo("storage migration");

                Object refused = server.invoke(
                        name, "resumeSafeMode", new Object[] {"wrong"}, new String[] {String.class.getName()});
                assertThat(refused.toString()).startsWith("REFUSED: resume refused");
                assertThat(server.getAttribute(name, "On")).isEqualTo(true);
                assertThat(registry.get(Rejections.METER)
                                .tag("reason", "unauthorized")
                                .counter()
                                .count())
                        .isEqualTo(1.0);
                assertThat(published).anyMatch(m -> m.startsWith("dlq ") && m.contains("\"source\":\"jmx\""));

                server.invoke(name, "resumeSafeMode", new Object[] {token}, new String[] {String.class.getName()});
                assertThat(server.getAttribute(name, "On")).isEqualTo(false);
                assertThat(published).noneMatch(m -> m.contains(token));
            }
            assertThat(ManagementFactory.getPlatformMBeanServer().isRegistered(new ObjectName(SafeModeJmx.NAME)))
                    .isFalse();
        }
    }
}
