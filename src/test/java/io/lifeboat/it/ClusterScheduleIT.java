package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.broker.EmbeddedBroker;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.Postgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons in cluster mode (one Artemis broker, one PostgreSQL catalog, one store): a schedule
 * fires once across them, so each scheduled slot gives exactly one backup.
 */
class ClusterScheduleIT {

    @TempDir
    Path work;

    @Test
    void twoProcessesOneScheduleOneBackupPerSlot() throws Exception {
        int port = JobQueueIT.freePort();
        Files.createDirectories(work.resolve("files"));
        Files.writeString(work.resolve("files/a.txt"), "a");
        String prefix = "lifeboat-cluster-it-" + UUID.randomUUID().toString().substring(0, 8);
        try (Postgres db = Postgres.create("lifeboat_cluster");
                EmbeddedBroker artemis = EmbeddedBroker.start(work.resolve("artemis-server"), "127.0.0.1", 0, port)) {
            List<LifeboatCli.Started> nodes = new ArrayList<>();
            try {
                for (String node : List.of("node-a", "node-b")) {
                    Path dir = Files.createDirectories(work.resolve(node));
                    Path config = dir.resolve("lifeboat.yaml");
                    Files.writeString(config, """
                            dataDir: data
                            storage: {primary: {type: filesystem, path: "%s"}}
                            catalog: {url: "%s", user: "%s"}
                            artemis: {url: "tcp://127.0.0.1:%d"}
                            mqtt: {url: "tcp://127.0.0.1:1883", prefix: "%s", clientId: "%s-%s"}
                            cluster: {enabled: true, instanceId: "%s"}
                            management: {enabled: false}
                            http: {enabled: false}
                            targets:
                              files: {kind: directory, path: "%s", schedule: "0/3 * * * * ?", rpo: 1m}
                            """.formatted(
                                    work.resolve("store"),
                                    db.jdbcUrl(),
                                    Postgres.USER,
                                    port,
                                    prefix,
                                    prefix,
                                    node,
                                    node,
                                    work.resolve("files")));
                    nodes.add(new LifeboatCli(config).start("run"));
                }
                for (LifeboatCli.Started n : nodes) {
                    JobQueueIT.awaitOutput(n, "Lifeboat is running");
                }
                // both schedulers are members of one Quartz cluster
                JobQueueIT.await(
                        () -> {
                            try {
                                return db.query("select instance_name from qrtz_scheduler_state")
                                                .size()
                                        == 2;
                            } catch (java.sql.SQLException e) {
                                return false;
                            }
                        },
                        30,
                        nodes.get(0));
                // several slots go by while both run
                JobQueueIT.await(() -> slots(db).size() >= 6, 60, nodes.get(1));
            } finally {
                for (LifeboatCli.Started n : nodes) {
                    n.process().destroy();
                }
                for (LifeboatCli.Started n : nodes) {
                    n.process().waitFor(60, TimeUnit.SECONDS);
                    n.process().destroyForcibly();
                }
            }
            // Quartz itself fired each slot on one node only (the job key's duplicate detection is a second guard)
            Map<String, Integer> fired = new TreeMap<>();
            java.util.regex.Pattern line =
                    java.util.regex.Pattern.compile("(schedule:files:\\d+): the slot fired here");
            for (LifeboatCli.Started n : nodes) {
                java.util.regex.Matcher m = line.matcher(n.output());
                while (m.find()) {
                    fired.merge(m.group(1), 1, Integer::sum);
                }
            }
            assertThat(fired).as("slots fired").hasSizeGreaterThanOrEqualTo(6);
            assertThat(fired.values())
                    .as("firings per slot across both nodes: " + fired)
                    .allMatch(n -> n == 1);
            Map<String, Long> slots = slots(db);
            assertThat(slots).as("backups per scheduled slot").hasSizeGreaterThanOrEqualTo(6);
            assertThat(slots.values())
                    .as("backups per scheduled slot: " + slots)
                    .allMatch(n -> n == 1L);
            assertThat(db.query("select instance_name from qrtz_scheduler_state order by 1"))
                    .extracting(r -> r.get(0))
                    .containsExactly("node-a", "node-b");
        }
    }

    /** Scheduled backup runs by slot (the trigger detail names it: "cron @ slot"). */
    private static Map<String, Long> slots(Postgres db) {
        return JobQueueIT.runs(db).stream()
                .filter(r -> r.detail().contains(" @ "))
                .collect(Collectors.groupingBy(r -> r.detail(), TreeMap::new, Collectors.counting()));
    }
}
