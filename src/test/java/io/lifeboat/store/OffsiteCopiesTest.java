package io.lifeboat.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.Json;
import io.lifeboat.domain.BackupId;
import io.lifeboat.domain.CopyRecord;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.OffsiteState;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Verification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The off-site state of each backup, read from the two stores: what counts, and what is ignored. */
class OffsiteCopiesTest {

    static final Instant AT = Instant.parse("2026-11-23T12:00:00Z");
    static final String SHA = "a".repeat(64);

    @TempDir
    Path dir;

    FilesystemStore primary;
    FilesystemStore offsite;
    List<String> warnings = new ArrayList<>();
    Manifest m;

    @BeforeEach
    void setUp() throws Exception {
        primary = new FilesystemStore(dir.resolve("primary"));
        offsite = new FilesystemStore(dir.resolve("offsite"));
        m = new Manifest(
                1,
                "20261123T120000Z-aaaaaa",
                "db",
                "postgres",
                AT,
                AT.plusSeconds(1),
                Trigger.manual("t"),
                "pg_dump",
                "16",
                "db/20261123T120000Z-aaaaaa/data.dump.zst",
                3,
                10,
                SHA,
                "zstd",
                "none",
                "zstd -d data.dump.zst",
                List.of());
        store(primary, m);
    }

    static void store(BackupStore store, Manifest m) throws Exception {
        store.putBytes(m.artifactKey(), new byte[] {1, 2, 3});
        store.putBytes(StorageLayout.manifestKey(m.target(), m.backupId()), Json.bytes(m));
    }

    static void verification(BackupStore store, Manifest m, boolean ok, Instant at) throws Exception {
        Verification v = new Verification(
                m.id(), m.target(), at, ok, SHA, ok ? SHA : "b".repeat(64), 3, ok ? "match" : "sha256 mismatch");
        store.putBytes(StorageLayout.verificationKey(m.target(), m.backupId(), at), Json.bytes(v));
    }

    OffsiteCopies.Status status() {
        return OffsiteCopies.scan(primary, offsite, null, warnings::add).status(m);
    }

    @Test
    void aCopyCountsOnlyOnceItWasVerifiedOffsite() throws Exception {
        assertThat(status().state()).isEqualTo(OffsiteState.PENDING);
        store(offsite, m);
        assertThat(status().state()).as("manifest and data, never read back").isEqualTo(OffsiteState.PENDING);
        verification(offsite, m, false, AT.plusSeconds(5));
        assertThat(status().state()).isEqualTo(OffsiteState.FAILED);
        assertThat(status().detail()).contains("failed verification").contains("sha256 mismatch");
        verification(offsite, m, true, AT.plusSeconds(10));
        assertThat(status().state()).isEqualTo(OffsiteState.COPIED);
    }

    @Test
    void theNewestReadableCopyRecordDecidesAndBadOnesAreIgnoredWithAWarning() throws Exception {
        CopyRecord failed = CopyRecord.failed(m, AT.plusSeconds(1), "s3 x", "connection refused");
        OffsiteCopies.record(primary, failed);
        String prefix = StorageLayout.copyRecordPrefix("db", new BackupId(m.id()));
        primary.putBytes(prefix + "20261123T120010.000Z.json", "{garbage".getBytes(StandardCharsets.UTF_8));
        primary.putBytes(prefix + "20261123T120011.000Z.json", new byte[SmallObjects.MAX_BYTES + 10]);
        primary.putBytes(
                prefix + "20261123T120012.000Z.json",
                Json.bytes(new CopyRecord(
                        "20261123T120000Z-bbbbbb", "db", AT, true, "s3 x", null, null, 0, null, false, "")));

        OffsiteCopies.Status st = status();

        assertThat(st.state()).isEqualTo(OffsiteState.FAILED);
        assertThat(st.detail()).isEqualTo("connection refused");
        assertThat(String.join("\n", warnings))
                .contains("120010.000Z.json: copy record not readable")
                .contains("120011.000Z.json: copy record not readable")
                .contains("larger than")
                .contains("120012.000Z.json: it is not a copy record of db/" + m.id());
    }

    @Test
    void aRecordedCopyThatIsNoLongerOffsiteIsPending() throws Exception {
        OffsiteCopies.record(
                primary,
                new CopyRecord(
                        m.id(), "db", AT, true, offsite.describe(), m.artifactKey(), SHA, 3, "none", false, "ok"));
        assertThat(status().state()).isEqualTo(OffsiteState.PENDING);
        assertThat(status().detail()).contains("no verified copy is in");
    }

    @Test
    void anUnlistablePrimaryIsAnErrorNotAnEmptyAnswer() {
        BackupStore broken = new MapBackupStoreThatFails();
        assertThatThrownBy(() -> OffsiteCopies.scan(broken, offsite, null, warnings::add))
                .hasMessageContaining("cannot list");
    }

    /** A store whose listing fails, as a primary on a dead server. */
    static final class MapBackupStoreThatFails implements BackupStore {
        @Override
        public long put(String key, java.io.InputStream in) throws java.io.IOException {
            throw new java.io.IOException("down");
        }

        @Override
        public java.io.InputStream get(String key) throws java.io.IOException {
            throw new java.io.IOException("down");
        }

        @Override
        public boolean exists(String key) throws java.io.IOException {
            throw new java.io.IOException("down");
        }

        @Override
        public List<String> list(String prefix) throws java.io.IOException {
            throw new java.io.IOException("down");
        }

        @Override
        public void delete(String key) throws java.io.IOException {
            throw new java.io.IOException("down");
        }

        @Override
        public String describe() {
            return "s3 http://127.0.0.1:9/down";
        }
    }
}
