package io.lifeboat.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.Json;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecoverySetTest {

    static final Instant AT = Instant.parse("2026-11-23T12:00:00Z");
    static final String ID = "20261123T120000Z-abcdef";

    @Test
    void aSetRoundTripsThroughJsonAndSaysWhetherItIsComplete() throws Exception {
        RecoverySet set = new RecoverySet(
                RecoverySet.FORMAT_VERSION,
                ID,
                AT,
                AT.plusSeconds(5),
                List.of(
                        RecoverySet.Member.verified("app-db", "20261123T120000Z-111111"),
                        RecoverySet.Member.failed("cache", "redis-cli exited with code 1")));
        RecoverySet back = Json.read(Json.bytes(set), RecoverySet.class);
        assertThat(back).isEqualTo(set);
        assertThat(back.complete()).isFalse();
        assertThat(back.verifiedCount()).isEqualTo(1);
        assertThat(new String(Json.bytes(set)))
                .contains("\"formatVersion\" : 1")
                .contains("\"backupId\" : \"20261123T120000Z-111111\"")
                .contains("\"error\" : \"redis-cli exited with code 1\"");
    }

    @Test
    void setIdsSortByTimeLikeBackupIds() {
        String earlier = RecoverySet.newId(AT);
        String later = RecoverySet.newId(AT.plusSeconds(1));
        assertThat(earlier).startsWith("20261123T120000Z-");
        assertThat(earlier).isLessThan(later);
    }

    @Test
    void malformedSetsAreRefusedWithAClearMessage() {
        List<RecoverySet.Member> one = List.of(RecoverySet.Member.verified("a", "20261123T120000Z-111111"));
        assertThatThrownBy(() -> new RecoverySet(1, "../../etc", AT, AT, one))
                .hasMessageContaining("not a recovery set id");
        assertThatThrownBy(() -> new RecoverySet(1, ID, AT, AT, List.of())).hasMessageContaining("at least one member");
        assertThatThrownBy(() -> new RecoverySet(0, ID, AT, AT, one)).hasMessageContaining("formatVersion");
        assertThatThrownBy(() -> new RecoverySet(
                        1,
                        ID,
                        AT,
                        AT,
                        List.of(
                                RecoverySet.Member.verified("a", "20261123T120000Z-111111"),
                                RecoverySet.Member.failed("a", "x"))))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> new RecoverySet.Member("../x", "20261123T120000Z-111111", null))
                .hasMessageContaining("not a target name");
        assertThatThrownBy(() -> new RecoverySet.Member("a", "latest", null)).hasMessageContaining("not a backup id");
        assertThatThrownBy(() -> new RecoverySet.Member("a", null, " "))
                .hasMessageContaining("needs a backupId or an error");
        assertThatThrownBy(() -> new RecoverySet.Member("a", "20261123T120000Z-111111", "boom"))
                .hasMessageContaining("both");
    }

    @Test
    void hostileJsonIsRefused() {
        assertThatThrownBy(() -> Json.read(
                        "{\"formatVersion\":1,\"id\":\"x/../y\",\"createdAt\":\"2026-11-23T12:00:00Z\",\"members\":[]}"
                                .getBytes(),
                        RecoverySet.class))
                .hasMessageContaining("not a recovery set id");
        assertThatThrownBy(() -> Json.read(
                        ("{\"formatVersion\":1,\"id\":\"" + ID + "\",\"createdAt\":\"2026-11-23T12:00:00Z\","
                                        + "\"members\":[{\"target\":\"a\"}]}")
                                .getBytes(),
                        RecoverySet.class))
                .hasMessageContaining("needs a backupId or an error");
    }

    @Test
    void manifestKeysUnderSetsAreNeverTakenForBackups() {
        assertThat(StorageLayout.parseManifestKey("sets/" + ID + "/manifest.json"))
                .isEmpty();
        assertThat(StorageLayout.parseManifestKey(StorageLayout.setKey(ID))).isEmpty();
        assertThat(StorageLayout.parseManifestKey("app/" + ID + "/manifest.json"))
                .isPresent();
        assertThat(StorageLayout.setKey(ID)).isEqualTo("sets/" + ID + "/set.json");
        assertThat(StorageLayout.copyRecordKey("app", new BackupId(ID), AT))
                .isEqualTo("app/" + ID + "/offsite/20261123T120000.000Z.json");
    }
}
