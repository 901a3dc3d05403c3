package io.lifeboat.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.broker.EmbeddedBroker;
import io.lifeboat.domain.Trigger;
import io.lifeboat.jobs.ArtemisJobQueue;
import io.lifeboat.jobs.JobRequest;
import io.lifeboat.testsupport.LifeboatCli;
import io.lifeboat.testsupport.Postgres;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable job queue of the real daemon (embedded Artemis, real PostgreSQL catalog): jobs queued
 * before a SIGKILL run after the restart, each once; one target's jobs never overlap while two
 * targets run in parallel; garbage on the queue ends in the DLQ with its reason and the queue goes on.
 */
class JobQueueIT {

    @TempDir
    Path work;

    @Test
    void jobsQueuedBeforeASigkillRunAfterTheRestartOnceEachOneAtATimePerTarget() throws Exception {
        try (Postgres db = Postgres.create("lifeboat_jobq")) {
            int port = freePort();
            Path config = work.resolve("lifeboat.yaml");
            Files.writeString(config, """
                    dataDir: data
                    storage: {primary: {type: filesystem, path: store}}
                    catalog: {url: "%s", user: "%s"}
                    broker: {port: %d, mqttPort: %d}
                    management: {enabled: false}
                    http: {enabled: false}
                    targets:
                      slow-a: {kind: command, command: ["sh", "-c", "sleep 3; head -c 1000 /dev/urandom"],
                               schedule: "0 0 3 1 1 ?", rpo: 400d}
                      slow-b: {kind: command, command: ["sh", "-c", "sleep 3; head -c 1000 /dev/urandom"],
                               schedule: "0 0 3 1 1 ?", rpo: 400d}
                    """.formatted(db.jdbcUrl(), Postgres.USER, port, freePort()));
            LifeboatCli cli = new LifeboatCli(config);
            LifeboatCli.Started first = cli.start("run");
            List<String> details = new ArrayList<>();
            ActiveMQConnectionFactory cf = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port);
            try {
                awaitOutput(first, "Lifeboat is running");
                try (ArtemisJobQueue queue = new ArtemisJobQueue(cf, EmbeddedBroker.JOBS, Clock.systemUTC())) {
                    for (int i = 1; i <= 3; i++) {
                        for (String t : List.of("slow-a", "slow-b")) {
                            String detail = "it " + t + " #" + i;
                            details.add(detail);
                            JobRequest job = new JobRequest(t, Trigger.manual(detail), "cmd:" + t + "-" + i);
                            queue.submit(job);
                            queue.submit(job); // a re-sent request is the same job
                        }
                    }
                }
                // SIGKILL while the first of our jobs runs
                await(
                        () -> runs(db).stream().anyMatch(r -> details.contains(r.detail) && r.finished == null),
                        60,
                        first);
            } finally {
                first.process().destroyForcibly(); // the java process itself: SIGKILL
                first.process().waitFor(30, TimeUnit.SECONDS);
            }
            List<Run> before = runs(db);
            assertThat(before.stream().filter(r -> details.contains(r.detail) && "succeeded".equals(r.result)))
                    .as("not everything ran before the kill")
                    .hasSizeLessThan(details.size());

            LifeboatCli.Started second = cli.start("run");
            try {
                await(
                        () -> details.stream()
                                .allMatch(d -> runs(db).stream()
                                        .anyMatch(r -> r.detail.equals(d) && "succeeded".equals(r.result))),
                        120,
                        second);

                // garbage on the queue: dead-lettered with the reason, and the queue goes on
                try (Connection c = cf.createConnection()) {
                    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    MessageProducer p = s.createProducer(s.createQueue(EmbeddedBroker.JOBS));
                    p.send(s.createTextMessage("this is not JSON {"));
                    p.send(s.createTextMessage("{\"target\":\"no-such-target\",\"key\":\"cmd:x\"}"));
                    p.send(s.createTextMessage(
                            "{\"target\":\"slow-a\",\"key\":\"k\",\"pad\":\"" + "x".repeat(2_000_000) + "\"}"));
                    BytesMessage random = s.createBytesMessage();
                    random.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0xc3});
                    p.send(random);
                }
                try (ArtemisJobQueue queue = new ArtemisJobQueue(cf, EmbeddedBroker.JOBS, Clock.systemUTC())) {
                    queue.submit(new JobRequest("slow-b", Trigger.manual("after the garbage"), "cmd:after"));
                }
                await(
                        () -> runs(db).stream()
                                .anyMatch(r -> r.detail.equals("after the garbage") && "succeeded".equals(r.result)),
                        60,
                        second);
                Map<String, String> dead = new HashMap<>();
                try (Connection c = cf.createConnection()) {
                    c.start();
                    Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                    MessageConsumer consumer = s.createConsumer(s.createQueue(EmbeddedBroker.DLQ));
                    Message m;
                    while ((m = consumer.receive(2000)) != null) {
                        dead.put(
                                m.getStringProperty("lifeboatRejected"), m.getStringProperty("lifeboatRejectedDetail"));
                    }
                }
                assertThat(dead).containsOnlyKeys("not_json", "unknown_target", "too_large", "not_utf8");
                assertThat(dead.get("unknown_target")).contains("no-such-target");
                assertThat(second.output()).contains("rejected (not_json").contains("rejected (too_large");
            } finally {
                second.process().destroy();
                second.process().waitFor(60, TimeUnit.SECONDS);
                second.process().destroyForcibly();
            }
            List<Run> all = runs(db);
            for (String d : details) {
                List<Run> mine = all.stream().filter(r -> r.detail.equals(d)).toList();
                assertThat(mine.stream().filter(r -> "succeeded".equals(r.result)))
                        .as("verified runs of " + d + " in " + all)
                        .hasSize(1);
                assertThat(mine)
                        .as("runs of " + d + " (one may be the one the kill cut short)")
                        .hasSizeLessThanOrEqualTo(2);
            }
            assertThat(all.stream().filter(r -> "failed".equals(r.result) && details.contains(r.detail)))
                    .as("at most the jobs running at the kill were cut short")
                    .hasSizeLessThanOrEqualTo(2);
            // one target's runs never overlap; the two targets did run side by side
            List<Run> finished = all.stream().filter(r -> r.finished != null).toList();
            boolean parallel = false;
            for (Run x : finished) {
                for (Run y : finished) {
                    if (x != y && x.overlaps(y)) {
                        assertThat(x.target).as(x + " overlaps " + y).isNotEqualTo(y.target);
                        parallel = true;
                    }
                }
            }
            assertThat(parallel)
                    .as("slow-a and slow-b ran in parallel at least once: " + finished)
                    .isTrue();
        }
    }

    record Run(String target, String detail, String result, Instant started, Instant finished) {
        boolean overlaps(Run o) {
            return started.isBefore(o.finished) && o.started.isBefore(finished);
        }
    }

    static List<Run> runs(Postgres db) {
        try {
            List<Run> runs = new ArrayList<>();
            for (List<Object> row : db.query("select target, trigger_detail, result, started_at, finished_at from runs"
                    + " where operation = 'backup' order by started_at")) {
                runs.add(new Run(
                        (String) row.get(0),
                        (String) row.get(1),
                        (String) row.get(2),
                        instant(row.get(3)),
                        instant(row.get(4))));
            }
            return runs;
        } catch (java.sql.SQLException e) {
            return List.of(); // the catalog tables are created by the daemon; not there yet
        }
    }

    private static Instant instant(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Timestamp t) {
            return t.toInstant();
        }
        if (o instanceof java.time.OffsetDateTime t) {
            return t.toInstant();
        }
        throw new IllegalArgumentException(o.getClass().toString());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void awaitOutput(LifeboatCli.Started daemon, String text) throws Exception {
        await(
                () -> {
                    try {
                        return daemon.output().contains(text);
                    } catch (IOException e) {
                        return false;
                    }
                },
                60,
                daemon);
    }

    static void await(BooleanSupplier condition, int seconds, LifeboatCli.Started daemon) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return;
            }
            if (!daemon.process().isAlive()) {
                throw new AssertionError("the daemon ended early\n" + daemon.output());
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not reached within " + seconds + " s\n" + daemon.output());
    }
}
