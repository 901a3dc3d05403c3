package io.lifeboat.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdInputStream;
import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.ConfigLoader;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.crypto.AgeEncryption;
import io.lifeboat.crypto.Encryptions;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Verification;
import io.lifeboat.events.EventSink;
import io.lifeboat.events.Events;
import io.lifeboat.store.FilesystemStore;
import io.lifeboat.testsupport.GpgHome;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backups into an encrypted store: the object, its name and manifest, verification without the key, reading back. */
class EncryptedBackupServiceTest {

    @TempDir
    Path dir;

    @Test
    void anAgeStoreKeepsAgeObjectsThatVerifyWithoutTheKeyAndReadBackWithIt() throws Exception {
        String[] keys = AgeEncryption.generateKeyPair();
        Files.writeString(dir.resolve("key.txt"), keys[0] + "\n");
        LifeboatConfig config = config("{type: age, recipients: [" + keys[1] + "], identityFile: key.txt}");

        Manifest m = backupAndCheck(config, "age", ".age");

        assertThat(m.recipients()).containsExactly(keys[1]);
        assertThat(m.restoreHint())
                .isEqualTo("mkdir -p DEST && age -d -i KEYFILE data.tar.zst.age | zstd -d --stdout | tar -x -C DEST");
        byte[] stored = new FilesystemStore(config.primary().path()).getBytes(m.artifactKey());
        assertThat(new String(stored, 0, 22, StandardCharsets.US_ASCII)).isEqualTo("age-encryption.org/v1\n");
    }

    @Test
    void anOpenPgpStoreKeepsGpgObjects() throws Exception {
        try (GpgHome gpg = GpgHome.create()) {
            String fpr = gpg.generate("backup <b@example.invalid>", "ed25519", "sign", "");
            gpg.addSubkey(fpr, "cv25519", "encr", "");
            gpg.exportPublic(fpr, dir.resolve("public.asc"));
            gpg.exportSecret(fpr, "", dir.resolve("secret.asc"));
            LifeboatConfig config = config("{type: openpgp, recipientsFile: public.asc, identityFile: secret.asc}");

            Manifest m = backupAndCheck(config, "openpgp", ".gpg");

            assertThat(m.recipients()).containsExactly(fpr);
            assertThat(m.restoreHint())
                    .isEqualTo("mkdir -p DEST && gpg -d data.tar.zst.gpg | zstd -d --stdout | tar -x -C DEST");
        }
    }

    @Test
    void aBadRecipientsFileStopsTheServiceNamingIt() throws Exception {
        Files.writeString(dir.resolve("recipients.txt"), "# mine\nage1mistyped\n");
        LifeboatConfig config = config("{type: age, recipientsFile: recipients.txt}");
        try (Catalog catalog = Catalog.open(config.catalog(), config.dataDir())) {
            assertThatThrownBy(() -> new BackupService(
                            config,
                            new FilesystemStore(config.primary().path()),
                            catalog,
                            new Events(EventSink.NONE),
                            Clock.systemUTC(),
                            new BackupService.Compression(3, 1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(
                            "storage.primary.encryption: " + dir.resolve("recipients.txt") + " line 2:");
        }
    }

    @Test
    void aFailedSourceLeavesNoEncryptedLeftover() throws Exception {
        String[] keys = AgeEncryption.generateKeyPair();
        LifeboatConfig config = config("{type: age, recipients: [" + keys[1] + "]}");
        FilesystemStore store = new FilesystemStore(config.primary().path());
        try (Catalog catalog = Catalog.open(config.catalog(), config.dataDir())) {
            BackupService service = new BackupService(
                    config,
                    store,
                    catalog,
                    new Events(EventSink.NONE),
                    Clock.systemUTC(),
                    new BackupService.Compression(3, 1));
            assertThatThrownBy(() -> service.backup("failing", Trigger.manual("test"), new Progress()))
                    .isInstanceOf(BackupFailedException.class)
                    .hasMessageContaining("exited with code 4");
            assertThat(store.list("failing/")).isEmpty();
        }
    }

    private Manifest backupAndCheck(LifeboatConfig config, String encryption, String suffix) throws Exception {
        FilesystemStore store = new FilesystemStore(config.primary().path());
        try (Catalog catalog = Catalog.open(config.catalog(), config.dataDir())) {
            BackupService service = new BackupService(
                    config,
                    store,
                    catalog,
                    new Events(EventSink.NONE),
                    Clock.systemUTC(),
                    new BackupService.Compression(3, 1),
                    Encryptions.forStore(config.primary()));
            Manifest m = service.backup("files", Trigger.manual("test"), new Progress());

            assertThat(m.artifactKey()).endsWith("/data.tar.zst" + suffix);
            assertThat(m.encryption()).isEqualTo(encryption);
            assertThat(m.compression()).isEqualTo("zstd");
            byte[] stored = store.getBytes(m.artifactKey());
            assertThat(stored.length).isEqualTo(m.storedBytes());
            assertThat(HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(stored)))
                    .as("the SHA-256 is of the stored, encrypted bytes")
                    .isEqualTo(m.sha256());

            // verification needs no key: a store config without one verifies the same
            Verification v = new Verifier(store, Clock.systemUTC()).verify(m, new Progress());
            assertThat(v.ok()).as(v.detail()).isTrue();

            Map<String, String> files = new LinkedHashMap<>();
            try (InputStream plain = new ZstdInputStream(
                            Encryptions.forReading(m, config.primary()).decrypt(new ByteArrayInputStream(stored)));
                    TarArchiveInputStream tar = new TarArchiveInputStream(plain)) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    if (e.isFile()) {
                        files.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
            assertThat(files).containsEntry("a.txt", "hello\n".repeat(1000)).containsEntry("sub/b.txt", "b");

            byte[] altered = stored.clone();
            altered[altered.length / 2] ^= 1;
            store.putBytes(m.artifactKey(), altered);
            assertThat(new Verifier(store, Clock.systemUTC())
                            .verify(m, new Progress())
                            .ok())
                    .isFalse();
            return m;
        }
    }

    private LifeboatConfig config(String encryption) throws Exception {
        Path files = Files.createDirectories(dir.resolve("files/sub"));
        Files.writeString(dir.resolve("files/a.txt"), "hello\n".repeat(1000));
        Files.writeString(files.resolve("b.txt"), "b");
        Files.writeString(dir.resolve("lifeboat.yaml"), """
                dataDir: data
                storage: {primary: {type: filesystem, path: store, encryption: %s}}
                targets:
                  files: {kind: directory, path: files, schedule: "0 0 2 * * ?", rpo: 26h}
                  failing: {kind: command, command: ["sh", "-c", "head -c 300000 /dev/urandom; exit 4"], schedule: "0 0 2 * * ?", rpo: 26h}
                """.formatted(encryption));
        return ConfigLoader.load(dir.resolve("lifeboat.yaml"), Map.of());
    }
}
