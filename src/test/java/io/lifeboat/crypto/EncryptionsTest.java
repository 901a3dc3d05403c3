package io.lifeboat.crypto;

import static io.lifeboat.crypto.AgeEncryptionTest.decrypt;
import static io.lifeboat.crypto.AgeEncryptionTest.encrypt;
import static io.lifeboat.crypto.AgeEncryptionTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.config.EncryptionConfig;
import io.lifeboat.config.StoreConfig;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Trigger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which encryption a store writes with and a stored backup is read with, and what it says when it cannot. */
class EncryptionsTest {

    @TempDir
    Path dir;

    @Test
    void aStoreWithoutEncryptionWritesPlainBytes() throws IOException {
        Encryption e = Encryptions.forStore(store(null));
        assertThat(e).isSameAs(Encryption.NONE);
        assertThat(e.suffix()).isEmpty();
        assertThat(e.name()).isEqualTo("none");
        byte[] plain = random(1000, 1);
        assertThat(encrypt(e, plain)).isEqualTo(plain);
    }

    @Test
    void ageRecipientsComeInlineAndFromTheFileAndTheIdentityReadsThemBack() throws IOException {
        String[] a = AgeEncryption.generateKeyPair();
        String[] b = AgeEncryption.generateKeyPair();
        Path recipients =
                Files.writeString(dir.resolve("recipients.txt"), "# backup keys\n" + b[1] + "\n" + a[1] + "\n");
        Path identity = Files.writeString(dir.resolve("key.txt"), b[0] + "\n");
        StoreConfig store = store(new EncryptionConfig("age", List.of(a[1]), recipients, identity, null));

        Encryption e = Encryptions.forStore(store);

        assertThat(e.name()).isEqualTo("age");
        assertThat(e.suffix()).isEqualTo(".age");
        assertThat(e.recipients()).containsExactly(a[1], b[1]);
        byte[] plain = random(200_000, 2);
        byte[] sealed = encrypt(e, plain);
        assertThat(decrypt(Encryptions.forReading(manifest("age", e.recipients()), store), sealed))
                .isEqualTo(plain);
    }

    @Test
    void aBadRecipientsFileIsNamedWithItsLine() throws IOException {
        Path recipients = Files.writeString(dir.resolve("recipients.txt"), "age1notakey\n");
        assertThatThrownBy(() ->
                        Encryptions.forStore(store(new EncryptionConfig("age", List.of(), recipients, null, null))))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(recipients + " line 1:");
        assertThatThrownBy(() -> Encryptions.forStore(
                        store(new EncryptionConfig("age", List.of(), dir.resolve("gone.txt"), null, null))))
                .hasMessageContaining("cannot read recipientsFile " + dir.resolve("gone.txt"));
        assertThatThrownBy(() -> Encryptions.forStore(store(new EncryptionConfig("age", List.of(), null, null, null))))
                .hasMessageContaining("at least one recipient");
        assertThatThrownBy(
                        () -> Encryptions.forStore(store(new EncryptionConfig("openpgp", List.of(), null, null, null))))
                .hasMessageContaining("needs recipientsFile");
        assertThatThrownBy(
                        () -> Encryptions.forStore(store(new EncryptionConfig("rot13", List.of(), null, null, null))))
                .hasMessageContaining("unknown encryption type 'rot13'");
    }

    @Test
    void readingNeedsTheIdentityAndSaysWhichKeyToSet() {
        String r = AgeEncryption.generateKeyPair()[1];
        assertThatThrownBy(() -> Encryptions.forReading(manifest("age", List.of(r)), store(null)))
                .isInstanceOf(IOException.class)
                .hasMessage("backup 20261123T173600Z-3fa9c1 is encrypted with age; set"
                        + " storage.primary.encryption.identityFile to restore it; it was encrypted to " + r);
        assertThatThrownBy(() -> Encryptions.forReading(
                        manifest("age", List.of()),
                        store(new EncryptionConfig("age", List.of(r), null, null, null)),
                        "storage.offsite"))
                .hasMessage("backup 20261123T173600Z-3fa9c1 is encrypted with age; set"
                        + " storage.offsite.encryption.identityFile to restore it");
        assertThatThrownBy(() -> Encryptions.forReading(manifest("openpgp", List.of("ABCD")), store(null)))
                .hasMessageContaining("encrypted with openpgp; set storage.primary.encryption.identityFile to restore"
                        + " it (and passphrase if the secret key has one)");
        assertThatThrownBy(() -> Encryptions.forReading(manifest("rot13", List.of()), store(null)))
                .hasMessageContaining("encrypted with 'rot13', which this build cannot read");
    }

    @Test
    void theManifestDecidesNotTheStoresCurrentType() throws IOException {
        String[] k = AgeEncryption.generateKeyPair();
        Path identity = Files.writeString(dir.resolve("key.txt"), k[0] + "\n");
        // the store has moved on to openpgp, but keeps the old age identity for its older backups
        StoreConfig store = store(new EncryptionConfig("openpgp", List.of(), dir.resolve("pub.asc"), identity, null));
        assertThat(Encryptions.forReading(manifest("none", List.of()), store)).isSameAs(Encryption.NONE);
        Encryption reader = Encryptions.forReading(manifest("age", List.of(k[1])), store);
        assertThat(reader.name()).isEqualTo("age");
        byte[] plain = random(10, 3);
        assertThat(decrypt(reader, encrypt(AgeEncryption.of(List.of(k[1]), null), plain)))
                .isEqualTo(plain);
    }

    private StoreConfig store(EncryptionConfig e) {
        return new StoreConfig("filesystem", null, null, null, null, null, dir.resolve("store"), e);
    }

    static Manifest manifest(String encryption, List<String> recipients) {
        Instant t = Instant.parse("2026-11-23T17:36:00Z");
        return new Manifest(
                1,
                "20261123T173600Z-3fa9c1",
                "app",
                "directory",
                t,
                t,
                Trigger.manual("test"),
                "tar",
                "1",
                "app/20261123T173600Z-3fa9c1/data.tar.zst.age",
                1,
                1,
                "0".repeat(64),
                "zstd",
                encryption,
                "hint",
                recipients);
    }
}
