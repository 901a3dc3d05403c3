package io.lifeboat.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.Json;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.RecoverySet;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery sets in a folder store: written, listed, read back with their members; bad ones refused clearly. */
class RecoverySetsTest {

    static final Instant AT = Instant.parse("2026-11-23T12:00:00Z");

    @TempDir
    Path dir;

    FilesystemStore store;
    List<String> warnings = new ArrayList<>();

    @BeforeEach
    void setUp() {
        store = new FilesystemStore(dir.resolve("store"));
    }

    Manifest backup(String target, String id) throws Exception {
        Manifest m = new Manifest(
                1,
                id,
                target,
                "directory",
                AT,
                AT.plusSeconds(1),
                Trigger.manual("test"),
                "tar",
                "1",
                target + "/" + id + "/data.tar.zst",
                3,
                10,
                "a".repeat(64),
                "zstd",
                "none",
                "zstd -d data.tar.zst",
                List.of());
        store.putBytes(m.artifactKey(), new byte[] {1, 2, 3});
        store.putBytes(StorageLayout.manifestKey(target, m.backupId()), Json.bytes(m));
        return m;
    }

    RecoverySet set(String id, RecoverySet.Member... members) {
        return new RecoverySet(1, id, AT, AT.plusSeconds(2), List.of(members));
    }

    @Test
    void aSetIsWrittenListedAndReadBackWithItsMemberManifests() throws Exception {
        Manifest a = backup("a", "20261123T120000Z-aaaaaa");
        Manifest b = backup("b", "20261123T120001Z-bbbbbb");
        RecoverySet older = set(
                "20261123T120000Z-000001",
                RecoverySet.Member.verified("a", a.id()),
                RecoverySet.Member.verified("b", b.id()),
                RecoverySet.Member.failed("c", "tar: /nowhere: no such folder"));
        RecoverySet newer = set("20261124T120000Z-000002", RecoverySet.Member.verified("a", a.id()));
        RecoverySets.write(store, older);
        RecoverySets.write(store, newer);

        assertThat(store.exists("sets/20261123T120000Z-000001/set.json")).isTrue();
        assertThat(RecoverySets.list(store, warnings::add)).containsExactly(newer, older);
        assertThat(warnings).isEmpty();
        assertThat(RecoverySets.readSet(store, older.id())).isEqualTo(older);
        assertThat(RecoverySets.read(store, older.id())).containsExactly(a, b);
        assertThat(new StoredBackups(store).scan(null))
                .as("sets/ is not a target")
                .extracting(f -> f.manifest().target())
                .containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void unknownAndHostileSetIdsAreClearErrors() {
        assertThatThrownBy(() -> RecoverySets.readSet(store, "../../etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a recovery set id");
        assertThatThrownBy(() -> RecoverySets.readSet(store, "20261123T120000Z-ffffff"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no recovery set 20261123T120000Z-ffffff in filesystem");
        assertThatThrownBy(() -> RecoverySets.read(store, "")).hasMessageContaining("not a recovery set id");
    }

    @Test
    void aMemberWhoseBackupWasPrunedMakesReadFailNamingIt() throws Exception {
        Manifest a = backup("a", "20261123T120000Z-aaaaaa");
        RecoverySets.write(store, set("20261123T120000Z-000001", RecoverySet.Member.verified("a", a.id())));
        store.delete(StorageLayout.manifestKey("a", a.backupId()));
        assertThatThrownBy(() -> RecoverySets.read(store, "20261123T120000Z-000001"))
                .hasMessageContaining("backup 20261123T120000Z-aaaaaa of a is no longer in");
    }

    @Test
    void malformedOversizedAndMisplacedSetsAreSkippedWithAWarning() throws Exception {
        RecoverySets.write(store, set("20261123T120000Z-000001", RecoverySet.Member.failed("a", "boom")));
        store.putBytes("sets/20261123T120000Z-000002/set.json", "{not json".getBytes(StandardCharsets.UTF_8));
        store.putBytes("sets/20261123T120000Z-000003/set.json", new byte[SmallObjects.MAX_BYTES + 1]);
        store.putBytes(
                "sets/20261123T120000Z-000004/set.json",
                Json.bytes(set("20261123T120000Z-000001", RecoverySet.Member.failed("a", "boom"))));
        store.putBytes("sets/not-an-id/set.json", "{}".getBytes(StandardCharsets.UTF_8));
        store.putBytes(
                "sets/20261123T120000Z-000005/set.json",
                ("{\"formatVersion\":1,\"id\":\"20261123T120000Z-000005\",\"createdAt\":\"2026-11-23T12:00:00Z\","
                                + "\"members\":[{\"target\":\"../../x\",\"backupId\":\"20261123T120000Z-aaaaaa\"}]}")
                        .getBytes(StandardCharsets.UTF_8));

        assertThat(RecoverySets.list(store, warnings::add))
                .extracting(RecoverySet::id)
                .containsExactly("20261123T120000Z-000001");
        assertThat(String.join("\n", warnings))
                .contains("20261123T120000Z-000002/set.json is not a valid recovery set")
                .contains("20261123T120000Z-000003/set.json is larger than")
                .contains("names set 20261123T120000Z-000001, not the folder it is in")
                .contains("'not-an-id' is not a set id")
                .contains("not a target name: '../../x'");
        assertThatThrownBy(() -> RecoverySets.readSet(store, "20261123T120000Z-000003"))
                .hasMessageContaining("larger than");
    }
}
