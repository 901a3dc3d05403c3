package io.lifeboat.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.RecoverySet;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.store.FilesystemStore;
import io.lifeboat.store.RecoverySets;
import io.lifeboat.store.StoredBackups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backup --all} on local parts: folder targets, folder stores, the embedded catalog. */
class RecoverySetServiceTest {

    @TempDir
    Path dir;

    Catalog catalog;
    List<String[]> published = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void tearDown() {
        if (catalog != null) {
            catalog.close();
        }
    }

    record Setup(LifeboatConfig config, FilesystemStore primary, FilesystemStore offsite, RecoverySetService sets) {}

    Setup setup(String targets) throws Exception {
        for (String name : List.of("a", "b", "c")) {
            Path folder = Files.createDirectories(dir.resolve(name));
            Files.writeString(folder.resolve("file.txt"), ("content of " + name + "\n").repeat(100));
        }
        Files.writeString(dir.resolve("lifeboat.yaml"), """
                dataDir: data
                storage:
                  primary: {type: filesystem, path: store}
                  offsite: {type: filesystem, path: usb}
                targets:
                """ + targets);
        LifeboatConfig config = ConfigLoader.load(dir.resolve("lifeboat.yaml"), Map.of());
        FilesystemStore primary = new FilesystemStore(config.primary().path());
        FilesystemStore offsite = new FilesystemStore(config.offsite().path());
        catalog = Catalog.open(config.catalog(), config.dataDir());
        Events events = new Events((EventSink) (topic, payload, retained) ->
                published.add(new String[] {topic, new String(payload, StandardCharsets.UTF_8)}));
        BackupService service = new BackupService(
                        config, primary, catalog, events, Clock.systemUTC(), new BackupService.Compression(3, 1))
                .withOffsite(offsite);
        return new Setup(
                config, primary, offsite, new RecoverySetService(config, service, primary, events, Clock.systemUTC()));
    }

    static String target(String name, String path) {
        return "  " + name + ": {kind: directory, path: " + path + ", schedule: \"0 0 2 * * ?\", rpo: 26h}\n";
    }

    @Test
    void everyTargetIsBackedUpAtOnceAndTheSetNamesEachVerifiedBackup() throws Exception {
        Setup s = setup(target("a", "a") + target("b", "b") + target("c", "c"));
        List<RecoverySet.Member> heard = Collections.synchronizedList(new ArrayList<>());

        RecoverySetService.Outcome outcome = s.sets().backupAll("before the upgrade", heard::add);

        RecoverySet set = outcome.set();
        assertThat(set.complete()).isTrue();
        assertThat(set.members()).extracting(RecoverySet.Member::target).containsExactly("a", "b", "c");
        assertThat(heard).hasSize(3);
        assertThat(outcome.offsiteError()).isNull();
        List<StoredBackups.Found> stored = new StoredBackups(s.primary()).scan(null);
        assertThat(stored).hasSize(3).allSatisfy(f -> assertThat(f.verified()).isTrue());
        for (RecoverySet.Member m : set.members()) {
            assertThat(stored)
                    .anySatisfy(f -> assertThat(f.manifest().id()).isEqualTo(m.backupId()))
                    .anySatisfy(f -> assertThat(f.manifest().target()).isEqualTo(m.target()));
        }
        List<Manifest> members = RecoverySets.read(s.primary(), set.id());
        assertThat(members).extracting(Manifest::target).containsExactly("a", "b", "c");
        assertThat(members)
                .allSatisfy(m -> assertThat(m.trigger().detail())
                        .isEqualTo("recovery set " + set.id() + ": before the upgrade"));
        Instant first = members.stream()
                .map(Manifest::startedAt)
                .min(Instant::compareTo)
                .orElseThrow();
        Instant last = members.stream()
                .map(Manifest::startedAt)
                .max(Instant::compareTo)
                .orElseThrow();
        assertThat(Duration.between(first, last)).as("started together").isLessThan(Duration.ofSeconds(2));
        assertThat(RecoverySets.readSet(s.offsite(), set.id()))
                .as("the set is off-site too")
                .isEqualTo(set);
        assertThat(new StoredBackups(s.offsite()).scan(null))
                .hasSize(3)
                .allSatisfy(f -> assertThat(f.verified()).isTrue());
        assertThat(published).extracting(p -> p[1]).anyMatch(p -> p.contains("\"set.finished\""));
    }

    @Test
    void aFailingTargetIsRecordedInTheSetAndTheOthersStillCount() throws Exception {
        Setup s = setup(target("a", "a") + target("gone", "does-not-exist") + target("c", "c"));

        RecoverySet set = s.sets().backupAll(null, m -> {}).set();

        assertThat(set.complete()).isFalse();
        assertThat(set.verifiedCount()).isEqualTo(2);
        RecoverySet.Member gone = set.members().get(1);
        assertThat(gone.target()).isEqualTo("gone");
        assertThat(gone.backupId()).isNull();
        assertThat(gone.error()).contains("does-not-exist");
        RecoverySet stored = RecoverySets.readSet(s.primary(), set.id());
        assertThat(stored).isEqualTo(set);
        assertThat(RecoverySets.read(s.primary(), set.id()))
                .extracting(Manifest::target)
                .containsExactly("a", "c");
        assertThat(catalog.lastRun("gone", "backup"))
                .hasValueSatisfying(r -> assertThat(r.result()).isEqualTo("failed"));
        assertThat(published).anyMatch(p -> p[0].equals("alerts") && p[1].contains("BackupFailed:gone"));
        assertThat(published).extracting(p -> p[1]).anyMatch(p -> p.contains("\"set.failed\""));
    }
}
