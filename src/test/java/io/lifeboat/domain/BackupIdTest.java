package io.lifeboat.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupIdTest {

    @Test
    void idsSortByTimeAndCarryTheirTimestamp() {
        Instant t = Instant.parse("2026-11-23T17:36:00Z");
        List<BackupId> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(BackupId.at(t.plusSeconds(i * 3600L)));
        }
        List<BackupId> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled);
        Collections.sort(shuffled);
        assertThat(shuffled).containsExactlyElementsOf(ids);
        assertThat(ids.get(0).value()).startsWith("20261123T173600Z-");
        assertThat(ids.get(0).timestamp()).isEqualTo(t);
    }

    @Test
    void twoIdsInTheSameSecondDiffer() {
        Instant t = Instant.parse("2026-11-23T17:36:00Z");
        assertThat(BackupId.at(t)).isNotEqualTo(BackupId.at(t));
    }

    @Test
    void hostileTextIsNotAnId() {
        for (String bad :
                List.of("", "../etc/passwd", "20261123T173600Z-3fa9c1/../x", "20261123T173600Z", "latest:db")) {
            assertThat(BackupId.isValid(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> new BackupId(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void manifestKeysParseOnlyWhenWellFormed() {
        assertThat(StorageLayout.parseManifestKey("app-db/20261123T173600Z-3fa9c1/manifest.json"))
                .hasValueSatisfying(r -> assertThat(r.target()).isEqualTo("app-db"));
        assertThat(StorageLayout.parseManifestKey("app-db/20261123T173600Z-3fa9c1/data.dump.zst"))
                .isEmpty();
        assertThat(StorageLayout.parseManifestKey("app-db/not-an-id/manifest.json"))
                .isEmpty();
        assertThat(StorageLayout.parseManifestKey("x/app-db/20261123T173600Z-3fa9c1/manifest.json"))
                .isEmpty();
    }
}
