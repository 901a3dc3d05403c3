package io.lifeboat.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.TargetKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The factory, the command lines the sources build, and their restore hints; no service needed. */
class SourcesTest {

    @Test
    void postgresTargetBecomesPgDumpWithoutThePasswordOnTheCommandLine() {
        TargetConfig target =
                target(TargetKind.POSTGRES, "db.lan", 5433, "app", "lifeboat", "hunter2", null, null, null);

        BackupSource source = Sources.forTarget(target);

        assertThat(source).isInstanceOf(PostgresSource.class);
        assertThat(((PostgresSource) source).command())
                .containsExactly(
                        "pg_dump",
                        "--format=custom",
                        "--compress=0",
                        "--no-password",
                        "--host",
                        "db.lan",
                        "--port",
                        "5433",
                        "--username",
                        "lifeboat",
                        "--dbname",
                        "app");
        assertThat(source.restoreHint("data.dump.zst"))
                .isEqualTo(
                        "zstd -d data.dump.zst -o data.dump && createdb NEWDB && pg_restore --no-owner --dbname NEWDB data.dump");
        assertThat(source.restoreHint("data.dump.zst.gpg"))
                .startsWith("gpg -d data.dump.zst.gpg | zstd -d -o data.dump && ");
    }

    @Test
    void redisTargetBecomesRedisCliRdbToStdoutWithUserButNoPassword() {
        TargetConfig target = target(
                TargetKind.REDIS, null, null, null, null, null, "redis://backup:p%40ss@cache_1:6380/2", null, null);

        RedisSource source = (RedisSource) Sources.forTarget(target);

        assertThat(source.command())
                .containsExactly("redis-cli", "-h", "cache_1", "-p", "6380", "--user", "backup", "--rdb", "-");
        assertThat(source.toString()).isEqualTo("RedisSource[cache_1:6380]");
        assertThat(source.restoreHint("data.rdb.zst"))
                .startsWith("zstd -d data.rdb.zst -o dump.rdb && ")
                .contains("redis-server");
    }

    @Test
    void redisUrlVariants() {
        assertThat(new RedisSource("redis://127.0.0.1", null).command())
                .containsExactly("redis-cli", "-h", "127.0.0.1", "-p", "6379", "--rdb", "-");
        assertThat(new RedisSource("rediss://:secret@[::1]:7000", null).command())
                .containsExactly("redis-cli", "-h", "::1", "-p", "7000", "--tls", "--rdb", "-");
        assertThatThrownBy(() -> new RedisSource("http://127.0.0.1:6379", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("redis://");
        assertThatThrownBy(() -> new RedisSource("redis://127.0.0.1:notaport", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad port");
        assertThatThrownBy(() -> new RedisSource("redis://:pa ss@host", null))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("pa ss");
    }

    @Test
    void redisTargetWithHostAndPortButNoUrl() {
        TargetConfig target = target(TargetKind.REDIS, "10.0.0.5", 6390, null, null, null, null, null, null);

        assertThat(((RedisSource) Sources.forTarget(target)).command())
                .containsSubsequence("-h", "10.0.0.5", "-p", "6390");
    }

    @Test
    void directoryAndCommandTargets() {
        BackupSource directory = Sources.forTarget(
                target(TargetKind.DIRECTORY, null, null, null, null, null, null, Path.of("/opt/app/config"), null));
        BackupSource command = Sources.forTarget(target(
                TargetKind.COMMAND,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                List.of("sh", "-c", "curl -fsS http://qdrant:6333/")));

        assertThat(directory).isInstanceOf(DirectorySource.class);
        assertThat(((DirectorySource) directory).folder()).isEqualTo(Path.of("/opt/app/config"));
        assertThat(command).isInstanceOf(CommandSource.class);
        assertThat(command.tool()).isEqualTo("sh");
    }

    @Test
    void missingFieldsAreNamed() {
        assertThatThrownBy(() ->
                        Sources.forTarget(target(TargetKind.POSTGRES, "h", 5432, null, "u", null, null, null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("target 't' (postgres) needs 'database'");
        assertThatThrownBy(() ->
                        Sources.forTarget(target(TargetKind.REDIS, null, null, null, null, null, null, null, null)))
                .hasMessage("target 't' (redis) needs 'url'");
        assertThatThrownBy(() ->
                        Sources.forTarget(target(TargetKind.DIRECTORY, null, null, null, null, null, null, null, null)))
                .hasMessage("target 't' (directory) needs 'path'");
        assertThatThrownBy(() -> Sources.forTarget(
                        target(TargetKind.COMMAND, null, null, null, null, null, null, null, List.of())))
                .hasMessage("target 't' (command) needs 'command'");
    }

    private static TargetConfig target(
            TargetKind kind,
            String host,
            Integer port,
            String database,
            String user,
            String password,
            String url,
            Path path,
            List<String> command) {
        return new TargetConfig(
                "t", kind, "0 0 2 * * ?", null, host, port, database, user, password, url, path, command, null);
    }
}
