package io.lifeboat.source;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.TargetKind;
import io.lifeboat.testsupport.Postgres;
import io.lifeboat.testsupport.ScratchRedis;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PostgresSource against the real server; the dump is restored with the stock pg_restore. */
class PostgresSourceIT {

    private static final String USERS = "select id, name, email, bio from users order by id";
    private static final String NOTES = "select id, title, body, created from notes order by id";

    @TempDir
    Path tmp;

    Postgres db;

    @BeforeEach
    void createDatabase() throws Exception {
        db = Postgres.create("lifeboat_src");
        db.execute(
                "create table users(id int primary key, name text not null, email text, bio text)",
                "insert into users values (1, 'Ada', 'ada@example.org', 'likes ''quotes'' and\nnewlines'),"
                        + " (2, 'Grüße 🚀', null, E'tab\\there'), (3, 'Bob', 'bob@example.org', null)",
                "create table notes(id int primary key, title text, body text, created timestamptz)",
                "insert into notes select i, 'note ' || i, repeat(md5(i::text), 1 + i % 20),"
                        + " timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute'"
                        + " from generate_series(1, 3000) as i");
    }

    @AfterEach
    void dropDatabase() throws Exception {
        db.close();
    }

    @Test
    void stockPgRestoreRecreatesTheRows() throws Exception {
        BackupSource source = Sources.forTarget(db.target("app-db"));
        Path dump = tmp.resolve("data.dump");
        try (OutputStream out = Files.newOutputStream(dump)) {
            source.writeTo(out);
        }

        assertThat(new String(Files.readAllBytes(dump), 0, 5, UTF_8)).isEqualTo("PGDMP");
        try (Postgres restored = Postgres.create("lifeboat_restored")) {
            run(
                    Map.of(),
                    "pg_restore",
                    "--no-owner",
                    "--host",
                    Postgres.HOST,
                    "--port",
                    Integer.toString(Postgres.PORT),
                    "--username",
                    Postgres.USER,
                    "--dbname",
                    restored.name(),
                    dump.toString());

            assertThat(restored.query(USERS)).isEqualTo(db.query(USERS)).hasSize(3);
            assertThat(restored.query(NOTES)).isEqualTo(db.query(NOTES)).hasSize(3000);
        }
        assertThat(source.tool()).isEqualTo("pg_dump");
        assertThat(source.toolVersion()).startsWith("pg_dump (PostgreSQL) ");
    }

    @Test
    void restoreHintWorksAsWrittenWithStockTools() throws Exception {
        BackupSource source = Sources.forTarget(db.target("app-db"));
        Path dump = tmp.resolve("data.dump");
        try (OutputStream out = Files.newOutputStream(dump)) {
            source.writeTo(out);
        }
        run(
                Map.of(),
                "zstd",
                "-q",
                "--rm",
                dump.toString(),
                "-o",
                tmp.resolve("data.dump.zst").toString());
        String newDb = Postgres.missingDatabaseName();
        String hint = source.restoreHint("data.dump.zst").replace("NEWDB", newDb);

        try {
            run(
                    Map.of("PGHOST", Postgres.HOST, "PGPORT", Integer.toString(Postgres.PORT), "PGUSER", Postgres.USER),
                    "sh",
                    "-c",
                    hint);
            try (var c = Postgres.connect(newDb);
                    var s = c.createStatement();
                    var rs = s.executeQuery("select count(*) from notes")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(3000);
            }
        } finally {
            try (var c = Postgres.connect("postgres");
                    var s = c.createStatement()) {
                s.execute("drop database if exists \"" + newDb + "\" with (force)");
            }
        }
    }

    @Test
    void wrongPortFailsWithPgDumpsMessage() throws Exception {
        int closedPort = ScratchRedis.freePort();
        PostgresSource source = new PostgresSource(Postgres.HOST, closedPort, db.name(), Postgres.USER, null);

        SourceFailedException e =
                catchThrowableOfType(SourceFailedException.class, () -> source.writeTo(new ByteArrayOutputStream()));

        assertThat(e).hasMessageContaining("pg_dump exited with code 1");
        assertThat(e.stderr())
                .contains("pg_dump: error")
                .contains(Integer.toString(closedPort))
                .containsIgnoringCase("connection refused");
    }

    @Test
    void missingDatabaseFailsWithPgDumpsMessage() {
        String missing = Postgres.missingDatabaseName();
        TargetConfig target = new TargetConfig(
                "gone",
                TargetKind.POSTGRES,
                null,
                null,
                Postgres.HOST,
                Postgres.PORT,
                missing,
                Postgres.USER,
                null,
                null,
                null,
                null,
                null);

        SourceFailedException e = catchThrowableOfType(
                SourceFailedException.class, () -> Sources.forTarget(target).writeTo(new ByteArrayOutputStream()));

        assertThat(e).hasMessageContaining("pg_dump exited with code 1");
        assertThat(e.stderr()).contains("database \"" + missing + "\" does not exist");
    }

    @Test
    void passwordIsGivenInTheEnvironmentNeverOnTheCommandLine() throws Exception {
        // trust auth ignores the password, so the dump succeeds while the secret stays off the command line
        PostgresSource source = new PostgresSource(Postgres.HOST, Postgres.PORT, db.name(), Postgres.USER, "hunter2");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        source.writeTo(out);

        assertThat(out.toString(UTF_8)).startsWith("PGDMP");
        assertThat(source.command())
                .noneMatch(arg -> arg.contains("hunter2"))
                .contains("--no-password", "--format=custom", "--compress=0");
    }

    private void run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder =
                new ProcessBuilder(List.of(command)).redirectErrorStream(true).directory(tmp.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as(String.join(" ", command) + " said: " + output)
                .isZero();
    }
}
