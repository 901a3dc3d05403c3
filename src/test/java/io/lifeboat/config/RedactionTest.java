package io.lifeboat.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Secrets read from the config never reach a log line, whoever writes it and however. */
class RedactionTest {

    @TempDir
    Path dir;

    @Test
    void everySecretTheConfigHoldsIsMaskedInLogMessagesAndStackTraces() throws Exception {
        String token = "tok-" + UUID.randomUUID();
        String redisPassword = "rp-" + UUID.randomUUID();
        String header = "hdr-" + UUID.randomUUID();
        String literalPassword = "literal-" + UUID.randomUUID();
        Path yaml = dir.resolve("lifeboat.yaml");
        Files.writeString(yaml, """
                storage: {primary: {type: filesystem, path: store}}
                redis: {url: "redis://:${REDIS_PW}@127.0.0.1:6379"}
                http: {token: "${API_TOKEN}"}
                alerting:
                  receivers:
                    hook: {type: webhook, url: "http://127.0.0.1:9/x", headers: {Authorization: "Bearer %s"}}
                  route: {receiver: hook}
                targets:
                  db: {kind: postgres, database: app, user: app, password: "%s", schedule: "0 0 3 * * ?", rpo: 26h}
                """.formatted(header, literalPassword));
        ConfigLoader.load(yaml, Map.of("REDIS_PW", redisPassword, "API_TOKEN", token));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n%ex"); // the converters logback.xml installs for these words
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(out);
        appender.start();
        Logger logger = context.getLogger("secrets-test");
        logger.addAppender(appender);
        try {
            logger.warn("connecting to redis://:{}@127.0.0.1:6379 with token {}", redisPassword, token);
            logger.warn(
                    "request failed",
                    new IllegalStateException("header Bearer " + header + " refused; pw " + literalPassword));
        } finally {
            logger.detachAppender(appender);
            appender.stop();
        }
        String logged = out.toString(StandardCharsets.UTF_8);
        assertThat(logged)
                .contains("connecting to redis://:<redacted>@127.0.0.1:6379 with token <redacted>")
                .contains("IllegalStateException")
                .doesNotContain(redisPassword)
                .doesNotContain(token)
                .doesNotContain(header)
                .doesNotContain(literalPassword);
    }

    @Test
    void ordinaryValuesAndShortOnesAreLeftAlone() {
        Redaction.noteField("targets.db.host", "db.example.internal");
        Redaction.noteField("targets.db.password", "abc");
        Redaction.noteField("storage.primary.endpoint", "http://minio:9000");
        assertThat(Redaction.redact("host db.example.internal at http://minio:9000, password abc"))
                .isEqualTo("host db.example.internal at http://minio:9000, password abc");
    }
}
