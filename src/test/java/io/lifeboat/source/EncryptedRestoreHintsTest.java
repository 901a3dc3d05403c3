package io.lifeboat.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one-line restore hint of every source kind when the stored object is encrypted: decrypt, then zstd, then the tool. */
class EncryptedRestoreHintsTest {

    @Test
    void postgres() {
        PostgresSource s = new PostgresSource("127.0.0.1", 5432, "app", "lifeboat", null);
        assertThat(s.restoreHint("data.dump.zst.age"))
                .isEqualTo("age -d -i KEYFILE data.dump.zst.age | zstd -d -o data.dump && createdb NEWDB"
                        + " && pg_restore --no-owner --dbname NEWDB data.dump");
        assertThat(s.restoreHint("data.dump.zst.gpg"))
                .isEqualTo("gpg -d data.dump.zst.gpg | zstd -d -o data.dump && createdb NEWDB"
                        + " && pg_restore --no-owner --dbname NEWDB data.dump");
    }

    @Test
    void redis() {
        RedisSource s = new RedisSource("redis://127.0.0.1:6379", null);
        assertThat(s.restoreHint("data.rdb.zst.age"))
                .startsWith("age -d -i KEYFILE data.rdb.zst.age | zstd -d -o dump.rdb && ");
        assertThat(s.restoreHint("data.rdb.zst.gpg")).startsWith("gpg -d data.rdb.zst.gpg | zstd -d -o dump.rdb && ");
    }

    @Test
    void directory() {
        DirectorySource s = new DirectorySource(Path.of("."));
        assertThat(s.restoreHint("data.tar.zst.age"))
                .isEqualTo("mkdir -p DEST && age -d -i KEYFILE data.tar.zst.age | zstd -d --stdout | tar -x -C DEST");
        assertThat(s.restoreHint("data.tar.zst.gpg"))
                .isEqualTo("mkdir -p DEST && gpg -d data.tar.zst.gpg | zstd -d --stdout | tar -x -C DEST");
    }

    @Test
    void command() {
        CommandSource s = new CommandSource(List.of("sh", "-c", "echo hi"));
        assertThat(s.restoreHint("data.snapshot.zst.age"))
                .startsWith("age -d -i KEYFILE data.snapshot.zst.age | zstd -d -o data.snapshot && feed data.snapshot");
        assertThat(s.restoreHint("data.snapshot.zst.gpg"))
                .startsWith("gpg -d data.snapshot.zst.gpg | zstd -d -o data.snapshot && feed data.snapshot");
    }
}
