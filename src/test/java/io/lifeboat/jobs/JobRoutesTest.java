package io.lifeboat.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.broker.EmbeddedBroker;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Trigger;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routes job-run and artemis-alerts-in against an embedded Artemis in this JVM: a job reaches
 * direct:backup-execute with its headers, an alert reaches direct:alert-in as bytes with its source,
 * and a message that is no job is dead-lettered with its reason without stopping the route.
 */
class JobRoutesTest {

    @TempDir
    Path dir;

    EmbeddedBroker broker;
    ActiveMQConnectionFactory cf;
    CamelContext camel;

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedBroker.start(dir, "127.0.0.1", 0, 0);
        Files.writeString(dir.resolve("lifeboat.yaml"), """
                storage: {primary: {type: filesystem, path: store}}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h}
                """);
        LifeboatConfig config = ConfigLoader.load(dir.resolve("lifeboat.yaml"), Map.of());
        cf = (ActiveMQConnectionFactory) JobBroker.connectionFactory(config);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("jms", JobBroker.jmsComponent(cf));
        camel.addRoutes(new JobRoutes(new JobIntake(config)));
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:backup-execute").to("mock:backups");
                from("direct:alert-in").to("mock:alerts");
            }
        });
        camel.start();
    }

    @AfterEach
    void stop() throws Exception {
        camel.stop();
        cf.close();
        broker.close();
    }

    @Test
    void aJobRunsAndGarbageIsDeadLetteredWhileTheRouteGoesOn() throws Exception {
        MockEndpoint backups = camel.getEndpoint("mock:backups", MockEndpoint.class);
        backups.expectedMessageCount(2);
        try (ArtemisJobQueue queue = new ArtemisJobQueue(cf, EmbeddedBroker.JOBS, Clock.systemUTC())) {
            queue.submit(new JobRequest("files", Trigger.manual("first"), "cmd:1"));
            try (Connection c = cf.createConnection()) {
                Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
                s.createProducer(s.createQueue(EmbeddedBroker.JOBS)).send(s.createTextMessage("{\"target\":"));
            }
            queue.submit(new JobRequest("files", Trigger.manual("second"), "cmd:2"));
        }
        backups.assertIsSatisfied(TimeUnit.SECONDS.toMillis(20));
        Exchange first = backups.getReceivedExchanges().get(0);
        assertThat(first.getIn().getHeaders())
                .containsEntry("target", "files")
                .containsEntry("trigger", "manual")
                .containsEntry("reason", "first")
                .containsEntry("lifeboatJobKey", "cmd:1");
        Message dead = receive(EmbeddedBroker.DLQ);
        assertThat(dead).isNotNull();
        assertThat(dead.getStringProperty(JobIntake.REJECTED)).isEqualTo("not_json");
        assertThat(dead.getStringProperty("lifeboatOriginalQueue")).isEqualTo(EmbeddedBroker.JOBS);
        assertThat(dead.getBody(String.class)).isEqualTo("{\"target\":");
    }

    @Test
    void anAlertReachesAlertInAsBytesWithItsSource() throws Exception {
        MockEndpoint alerts = camel.getEndpoint("mock:alerts", MockEndpoint.class);
        alerts.expectedMessageCount(1);
        String alert = "{\"fingerprint\":\"disk\",\"severity\":\"warning\",\"status\":\"firing\",\"summary\":\"é\"}";
        try (Connection c = cf.createConnection()) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createProducer(s.createQueue(EmbeddedBroker.ALERTS)).send(s.createTextMessage(alert));
        }
        alerts.assertIsSatisfied(TimeUnit.SECONDS.toMillis(20));
        Exchange e = alerts.getReceivedExchanges().get(0);
        assertThat(e.getIn().getBody()).isInstanceOf(byte[].class);
        assertThat(new String(e.getIn().getBody(byte[].class), StandardCharsets.UTF_8))
                .isEqualTo(alert);
        assertThat(e.getIn().getHeader("lifeboatSource")).isEqualTo("artemis:lifeboat.alerts");
        assertThat(receive(EmbeddedBroker.ALERTS)).as("consumed once").isNull();
    }

    private Message receive(String queue) throws Exception {
        try (Connection c = cf.createConnection()) {
            c.start();
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = s.createConsumer(s.createQueue(queue));
            return consumer.receive(3000);
        }
    }
}
