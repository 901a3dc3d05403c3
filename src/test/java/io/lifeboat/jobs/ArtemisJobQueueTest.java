package io.lifeboat.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.broker.EmbeddedBroker;
import io.lifeboat.domain.Trigger;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job queue against a real (embedded, in-vm) Artemis broker: identical keys are one job, distinct
 * keys are all jobs, one target's jobs reach one consumer in order.
 */
class ArtemisJobQueueTest {

    @TempDir
    Path dir;

    EmbeddedBroker broker;
    ActiveMQConnectionFactory cf;
    ArtemisJobQueue queue;

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(dir, "127.0.0.1", 0, 0);
        cf = new ActiveMQConnectionFactory(EmbeddedBroker.IN_VM_URL);
        cf.setConsumerWindowSize(0);
        queue = new ArtemisJobQueue(cf, EmbeddedBroker.JOBS, Clock.systemUTC());
    }

    @AfterEach
    void stop() throws Exception {
        queue.close();
        cf.close();
        broker.close();
    }

    @Test
    void tenSubmissionsWithOneKeyAreOneJob() throws Exception {
        JobRequest job = JobRequest.scheduled("app-db", "0 0 2 * * ?", Instant.parse("2026-01-01T02:00:00Z"));
        for (int i = 0; i < 10; i++) {
            queue.submit(job);
        }
        List<TextMessage> got = drain(EmbeddedBroker.JOBS);
        assertThat(got).hasSize(1);
        JsonNode body = Json.MAPPER.readTree(got.get(0).getText());
        assertThat(body.get("target").asText()).isEqualTo("app-db");
        assertThat(body.get("trigger").asText()).isEqualTo("schedule");
        assertThat(body.get("key").asText()).isEqualTo("schedule:app-db:1767232800");
        assertThat(body.get("detail").asText()).contains("0 0 2 * * ?").contains("2026-01-01T02:00:00Z");
        assertThat(body.get("submittedAt").asText()).isNotBlank();
        assertThat(got.get(0).getStringProperty("JMSXGroupID")).isEqualTo("app-db");

        // the broker remembers the key after the job was consumed: a late duplicate is still dropped
        queue.submit(job);
        assertThat(drain(EmbeddedBroker.JOBS)).isEmpty();
    }

    @Test
    void distinctKeysAreAllJobs() throws Exception {
        for (int i = 0; i < 10; i++) {
            queue.submit(new JobRequest("t" + (i % 3), Trigger.manual("test"), "cmd:req-" + i));
        }
        assertThat(drain(EmbeddedBroker.JOBS))
                .extracting(m -> Json.MAPPER.readTree(m.getText()).get("key").asText())
                .containsExactlyInAnyOrder(
                        "cmd:req-0",
                        "cmd:req-1",
                        "cmd:req-2",
                        "cmd:req-3",
                        "cmd:req-4",
                        "cmd:req-5",
                        "cmd:req-6",
                        "cmd:req-7",
                        "cmd:req-8",
                        "cmd:req-9");
    }

    @Test
    void oneTargetsJobsGoToOneConsumerInOrder() throws Exception {
        for (int i = 0; i < 6; i++) {
            for (String target : List.of("a", "b", "c")) {
                queue.submit(new JobRequest(target, Trigger.manual("n" + i), "cmd:" + target + "-" + i));
            }
        }
        // two competing consumers, as two job-run consumers (or two Lifeboat processes) are
        Map<String, List<String>> byConsumer = new ConcurrentHashMap<>();
        List<String[]> seen = new CopyOnWriteArrayList<>();
        try (Connection c = cf.createConnection()) {
            c.start();
            List<Thread> threads = new ArrayList<>();
            for (String name : List.of("c1", "c2")) {
                Session s = c.createSession(true, Session.SESSION_TRANSACTED);
                MessageConsumer consumer = s.createConsumer(s.createQueue(EmbeddedBroker.JOBS));
                Thread t = new Thread(() -> {
                    try {
                        Message m;
                        while ((m = consumer.receive(1500)) != null) {
                            JsonNode body = Json.MAPPER.readTree(((TextMessage) m).getText());
                            seen.add(new String[] {
                                name,
                                body.get("target").asText(),
                                body.get("detail").asText()
                            });
                            s.commit();
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
        assertThat(seen).hasSize(18);
        for (String target : List.of("a", "b", "c")) {
            List<String[]> mine = seen.stream().filter(r -> r[1].equals(target)).toList();
            assertThat(mine.stream().map(r -> r[0]).distinct())
                    .as("consumers of " + target)
                    .hasSize(1);
            assertThat(mine.stream().map(r -> r[2]).toList())
                    .as("order of " + target)
                    .containsExactly("n0", "n1", "n2", "n3", "n4", "n5");
            byConsumer.computeIfAbsent(mine.get(0)[0], k -> new ArrayList<>()).add(target);
        }
        assertThat(byConsumer).as("the groups are spread over both consumers").hasSize(2);
    }

    @Test
    void aBrokerThatIsGoneIsAClearErrorNotASilentLoss() throws Exception {
        broker.close();
        JobRequest job = new JobRequest("a", Trigger.manual("x"), "cmd:gone");
        assertThatThrownBy(() -> queue.submit(job))
                .isInstanceOf(ArtemisJobQueue.JobQueueException.class)
                .hasMessageContaining("cannot queue the manual job of a on lifeboat.jobs");
        broker = EmbeddedBroker.start(dir, "127.0.0.1", 0, 0); // for stop()
    }

    private List<TextMessage> drain(String name) throws Exception {
        List<TextMessage> got = new ArrayList<>();
        try (Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(name));
            Message m;
            while ((m = consumer.receive(500)) != null) {
                got.add((TextMessage) m);
            }
        }
        return got;
    }
}
