package io.lifeboat.crypto;

import static io.lifeboat.crypto.AgeEncryptionTest.decrypt;
import static io.lifeboat.crypto.AgeEncryptionTest.encrypt;
import static io.lifeboat.crypto.AgeEncryptionTest.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.testsupport.GpgHome;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OpenPGP as the stock {@code gpg} reads and writes it: RSA and Curve25519 keys, with and without a passphrase. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenPgpEncryptionTest {

    @TempDir
    static Path dir;

    GpgHome gpg;
    String rsa;
    String ecc;
    String locked;
    String signOnly;
    Path rsaPublic;
    Path rsaSecret;
    Path eccPublic;
    Path eccSecret;
    Path lockedPublic;
    Path lockedSecret;

    @BeforeAll
    void keys() throws Exception {
        gpg = GpgHome.create();
        rsa = gpg.generate("rsa <rsa@example.invalid>", "default", "default", "");
        ecc = gpg.generate("ecc <ecc@example.invalid>", "ed25519", "sign", "");
        gpg.addSubkey(ecc, "cv25519", "encr", "");
        locked = gpg.generate("locked <locked@example.invalid>", "ed25519", "sign", "sesame");
        gpg.addSubkey(locked, "cv25519", "encr", "sesame");
        signOnly = gpg.generate("sign <sign@example.invalid>", "ed25519", "sign", "");
        rsaPublic = gpg.exportPublic(rsa, dir.resolve("rsa.asc"));
        rsaSecret = gpg.exportSecret(rsa, "", dir.resolve("rsa-secret.asc"));
        eccPublic = gpg.exportPublic(ecc, dir.resolve("ecc.asc"));
        eccSecret = gpg.exportSecret(ecc, "", dir.resolve("ecc-secret.asc"));
        lockedPublic = gpg.exportPublic(locked, dir.resolve("locked.asc"));
        lockedSecret = gpg.exportSecret(locked, "sesame", dir.resolve("locked-secret.asc"));
    }

    @AfterAll
    void stopAgent() throws Exception {
        if (gpg != null) {
            gpg.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65536, 65537, 3 * 1024 * 1024 + 1})
    void roundTrips(int size) throws IOException {
        byte[] plain = random(size, size);
        OpenPgpEncryption e = OpenPgpEncryption.of(rsaPublic, rsaSecret, null);
        assertThat(e.name()).isEqualTo("openpgp");
        assertThat(e.suffix()).isEqualTo(".gpg");
        assertThat(e.recipients()).containsExactly(rsa);
        assertThat(decrypt(e, encrypt(e, plain))).isEqualTo(plain);
    }

    @Test
    void stockGpgDecryptsWhatLifeboatWritesAndSeesAnIntegrityProtectedUncompressedMessage() throws Exception {
        for (Path key : new Path[] {rsaPublic, eccPublic}) {
            byte[] plain = random(2 * 1024 * 1024 + 3, 21);
            Path file = dir.resolve("lifeboat.gpg");
            Files.write(file, encrypt(OpenPgpEncryption.of(key, null, null), plain));

            assertThat(gpg.gpg(null, "-d", file.toString()).stdout())
                    .as("%s", key)
                    .isEqualTo(plain);

            String packets = gpg.run(null, "--list-packets", file.toString()).out();
            assertThat(packets).contains("encrypted data packet").contains("mdc_method: 2");
            assertThat(packets).contains("literal data packet").doesNotContain("compressed packet");
            assertThat(gpg.run(null, "-v", "-d", "-o", "/dev/null", file.toString())
                            .stderr())
                    .contains("AES256")
                    .doesNotContain("WARNING");
        }
    }

    @Test
    void lifeboatDecryptsWhatStockGpgWrites() throws Exception {
        Path plainFile = dir.resolve("plain.bin");
        byte[] plain = random(1024 * 1024 + 17, 22);
        Files.write(plainFile, plain);
        for (String[] c : new String[][] {
            {rsa, rsaSecret.toString(), null},
            {ecc, eccSecret.toString(), null},
            {locked, lockedSecret.toString(), "sesame"}
        }) {
            for (String compress : new String[] {"none", "zlib"}) {
                Path file = dir.resolve("stock-" + compress + ".gpg");
                Files.deleteIfExists(file);
                gpg.gpg(
                        null,
                        "--trust-model",
                        "always",
                        "--compress-algo",
                        compress,
                        "-o",
                        file.toString(),
                        "-e",
                        "-r",
                        c[0],
                        plainFile.toString());
                assertThat(decrypt(OpenPgpEncryption.forReading(Path.of(c[1]), c[2]), Files.readAllBytes(file)))
                        .as("%s %s", c[0], compress)
                        .isEqualTo(plain);
            }
        }
    }

    @Test
    void twoRecipientsInOneFileEachDecrypt() throws Exception {
        Path both = dir.resolve("both.asc");
        Files.write(both, gpg.gpg(null, "--armor", "--export", rsa, ecc).stdout());
        OpenPgpEncryption e = OpenPgpEncryption.of(both, null, null);
        assertThat(e.recipients()).containsExactlyInAnyOrder(rsa, ecc);
        byte[] plain = random(100_000, 23);
        byte[] sealed = encrypt(e, plain);
        assertThat(decrypt(OpenPgpEncryption.forReading(rsaSecret, null), sealed))
                .isEqualTo(plain);
        assertThat(decrypt(OpenPgpEncryption.forReading(eccSecret, null), sealed))
                .isEqualTo(plain);
    }

    @Test
    void theWrongKeyIsNamed() throws Exception {
        byte[] sealed = encrypt(OpenPgpEncryption.of(rsaPublic, null, null), random(1000, 24));
        assertThatThrownBy(() -> decrypt(OpenPgpEncryption.forReading(eccSecret, null), sealed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no secret key in " + eccSecret + " matches the recipients of this message");
    }

    @Test
    void aProtectedKeyNeedsItsPassphrase() throws Exception {
        byte[] plain = random(5000, 25);
        byte[] sealed = encrypt(OpenPgpEncryption.of(lockedPublic, null, null), plain);
        assertThat(decrypt(OpenPgpEncryption.forReading(lockedSecret, "sesame"), sealed))
                .isEqualTo(plain);
        assertThatThrownBy(() -> decrypt(OpenPgpEncryption.forReading(lockedSecret, null), sealed))
                .hasMessageContaining("is protected by a passphrase; set encryption.passphrase");
        assertThatThrownBy(() -> decrypt(OpenPgpEncryption.forReading(lockedSecret, "open sesame"), sealed))
                .hasMessageContaining("wrong passphrase for the secret key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("open sesame"));
    }

    @Test
    void alteredOrTruncatedDataIsRefused() throws Exception {
        byte[] plain = random(500_000, 26);
        OpenPgpEncryption e = OpenPgpEncryption.of(rsaPublic, rsaSecret, null);
        byte[] sealed = encrypt(e, plain);

        for (int at : new int[] {sealed.length / 2, sealed.length - 30, sealed.length - 5}) {
            byte[] altered = sealed.clone();
            altered[at] ^= 0x40;
            assertThatThrownBy(() -> decrypt(e, altered))
                    .as("byte %d of %d changed", at, sealed.length)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("OpenPGP")
                    .hasMessageMatching("(?s).*(integrity check failed|damaged|altered).*");
        }
        assertThatThrownBy(() -> decrypt(e, Arrays.copyOf(sealed, sealed.length - 10)))
                .isInstanceOf(IOException.class)
                .hasMessageMatching("(?s).*(integrity check failed|damaged|truncated).*");
        assertThatThrownBy(() -> decrypt(e, Arrays.copyOf(sealed, sealed.length / 3)))
                .isInstanceOf(IOException.class)
                .hasMessageMatching("(?s).*(integrity check failed|damaged|truncated).*");
        // gpg agrees
        Path file = dir.resolve("altered.gpg");
        byte[] altered = sealed.clone();
        altered[sealed.length / 2] ^= 0x40;
        Files.write(file, altered);
        assertThat(gpg.run(null, "-d", "-o", dir.resolve("out.bin").toString(), file.toString())
                        .exit())
                .isNotZero();
    }

    @Test
    void badKeyFilesAreClearErrors() throws Exception {
        assertThatThrownBy(() -> OpenPgpEncryption.of(rsaSecret, null, null))
                .hasMessageContaining("holds a secret key; name the public key");
        Path signPublic = gpg.exportPublic(signOnly, dir.resolve("sign.asc"));
        assertThatThrownBy(() -> OpenPgpEncryption.of(signPublic, null, null))
                .hasMessageContaining("the OpenPGP key " + signOnly)
                .hasMessageContaining("has no usable encryption key");
        Path garbage = dir.resolve("garbage.asc");
        Files.writeString(garbage, "this is not a key\n");
        assertThatThrownBy(() -> OpenPgpEncryption.of(garbage, null, null)).isInstanceOf(IOException.class);
        Files.writeString(garbage, "");
        assertThatThrownBy(() -> OpenPgpEncryption.of(garbage, null, null))
                .hasMessageContaining("no OpenPGP public key");
        assertThatThrownBy(() -> OpenPgpEncryption.of(dir.resolve("missing.asc"), null, null))
                .hasMessageContaining("no such file");
        Files.write(garbage, new byte[5 << 20]);
        assertThatThrownBy(() -> OpenPgpEncryption.of(garbage, null, null)).hasMessageContaining("larger than 4 MiB");

        byte[] sealed = encrypt(OpenPgpEncryption.of(rsaPublic, null, null), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> decrypt(OpenPgpEncryption.forReading(rsaPublic, null), sealed))
                .hasMessageContaining("holds a public key, not the secret key");
        assertThatThrownBy(() -> decrypt(OpenPgpEncryption.of(rsaPublic, null, null), sealed))
                .hasMessageContaining("set encryption.identityFile");
        assertThatThrownBy(() -> decrypt(OpenPgpEncryption.forReading(rsaSecret, null), new byte[] {1, 2, 3, 4}))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> decrypt(OpenPgpEncryption.forReading(rsaSecret, null), new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not an OpenPGP encrypted message");
    }

    @Test
    void encryptionIsStreamed() throws IOException {
        AgeEncryptionTest.CountingSink sink = new AgeEncryptionTest.CountingSink();
        byte[] block = random(1 << 20, 27);
        try (OutputStream out = OpenPgpEncryption.of(rsaPublic, null, null).encrypt(sink)) {
            for (int i = 1; i <= 32; i++) {
                out.write(block);
                assertThat(sink.count).as("after %d MiB", i).isGreaterThan((long) i * (1 << 20) - 3 * 65536);
            }
        }
        assertThat(sink.closed).isTrue();
    }

    @Test
    void decryptionIsStreamed() throws IOException {
        OpenPgpEncryption e = OpenPgpEncryption.of(rsaPublic, rsaSecret, null);
        byte[] sealed = encrypt(e, random(8 << 20, 28));
        AgeEncryptionTest.CountingSource source = new AgeEncryptionTest.CountingSource(sealed);
        InputStream in = e.decrypt(source);
        byte[] buf = new byte[1000];
        for (long delivered = 0; delivered < (8 << 20); ) {
            delivered += in.read(buf);
            assertThat(source.position)
                    .as("read ahead of the %d bytes delivered", delivered)
                    .isLessThan(delivered + 4 * 65536 + 4096);
        }
        assertThat(in.read()).isEqualTo(-1);
    }
}
