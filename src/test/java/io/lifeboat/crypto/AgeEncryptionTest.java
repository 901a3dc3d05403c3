package io.lifeboat.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifeboat.testsupport.Tools;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The age format as the stock {@code age} tool reads and writes it, and every way a file can be wrong. */
class AgeEncryptionTest {

    static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void theSpecsKnownKeyGivesItsKnownRecipient() {
        // the X25519 example of the age specification (C2SP age.md)
        AgeEncryption e = AgeEncryption.withIdentities(
                List.of("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"));
        assertThat(e.recipients()).containsExactly("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * 1024 * 1024 + 7})
    void roundTripsEverySizeAroundTheChunkBoundary(int size) throws IOException {
        String[] keys = AgeEncryption.generateKeyPair();
        AgeEncryption age = AgeEncryption.withIdentities(List.of(keys[0]));
        byte[] plain = random(size, size);

        byte[] sealed = encrypt(AgeEncryption.of(List.of(keys[1]), null), plain);

        int chunks = Math.max(1, (size + CHUNK - 1) / CHUNK);
        assertThat(sealed.length - headerLength(sealed))
                .as("nonce, data and one tag per 64 KiB chunk")
                .isEqualTo(16 + size + 16 * chunks);
        assertThat(decrypt(age, sealed)).isEqualTo(plain);
    }

    @Test
    void writesInSmallPiecesAndByteByByte() throws IOException {
        String[] keys = AgeEncryption.generateKeyPair();
        byte[] plain = random(200_000, 3);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = AgeEncryption.of(List.of(keys[1]), null).encrypt(sink)) {
            for (int i = 0; i < 1000; i++) {
                out.write(plain[i]);
            }
            for (int i = 1000; i < plain.length; i += 777) {
                out.write(plain, i, Math.min(777, plain.length - i));
            }
        }
        InputStream in =
                AgeEncryption.withIdentities(List.of(keys[0])).decrypt(new ByteArrayInputStream(sink.toByteArray()));
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            back.write(b);
        }
        assertThat(back.toByteArray()).isEqualTo(plain);
    }

    @Test
    void stockAgeDecryptsWhatLifeboatWrites() throws Exception {
        Tools.require("age", "age");
        Path key = dir.resolve("key.txt");
        Tools.run(Map.of(), "age-keygen", "-o", key.toString()).ok();
        String recipient = Tools.run(Map.of(), "age-keygen", "-y", key.toString())
                .ok()
                .out()
                .strip();
        for (int size : new int[] {0, CHUNK, CHUNK + 1, 3 * 1024 * 1024 + 5}) {
            byte[] plain = random(size, size + 1);
            Path sealed = dir.resolve("data-" + size + ".age");
            Files.write(sealed, encrypt(AgeEncryption.of(List.of(recipient), null), plain));

            Tools.Result r = Tools.run(Map.of(), "age", "-d", "-i", key.toString(), sealed.toString())
                    .ok();

            assertThat(r.stdout()).as("%d bytes", size).isEqualTo(plain);
        }
    }

    @Test
    void lifeboatDecryptsWhatStockAgeWrites() throws Exception {
        Tools.require("age", "age");
        Path key = dir.resolve("key.txt");
        Tools.run(Map.of(), "age-keygen", "-o", key.toString()).ok();
        String recipient = Tools.run(Map.of(), "age-keygen", "-y", key.toString())
                .ok()
                .out()
                .strip();
        AgeEncryption reader = AgeEncryption.of(List.of(), key);
        for (int size : new int[] {0, 1, CHUNK, 2 * CHUNK + 1, 3 * 1024 * 1024 + 5}) {
            Path plainFile = dir.resolve("plain-" + size);
            byte[] plain = random(size, size + 2);
            Files.write(plainFile, plain);
            Path sealed = dir.resolve("stock-" + size + ".age");
            Tools.run(Map.of(), "age", "-r", recipient, "-o", sealed.toString(), plainFile.toString())
                    .ok();

            assertThat(decrypt(reader, Files.readAllBytes(sealed)))
                    .as("%d bytes", size)
                    .isEqualTo(plain);
        }
    }

    @Test
    void stockAgeAcceptsLifeboatsOwnKeysAndRecipientsFiles() throws Exception {
        Tools.require("age", "age");
        String[] a = AgeEncryption.generateKeyPair();
        String[] b = AgeEncryption.generateKeyPair();
        Path identity = dir.resolve("lifeboat-key.txt");
        Files.writeString(identity, "# created by a test\n# public key: " + a[1] + "\n" + a[0] + "\n");
        Path recipients = dir.resolve("recipients.txt");
        Files.writeString(recipients, "# two people can restore\n  \n" + a[1] + "\n  " + b[1] + "  \r\n");
        assertThat(AgeEncryption.readRecipientsFile(recipients))
                .as("blank lines, comments and surrounding spaces are skipped")
                .containsExactly(a[1], b[1]);
        Files.writeString(recipients, "# two people can restore\n\n" + a[1] + "\n" + b[1] + "\n");
        assertThat(Tools.run(Map.of(), "age-keygen", "-y", identity.toString())
                        .ok()
                        .out()
                        .strip())
                .isEqualTo(a[1]);

        Path plainFile = dir.resolve("plain");
        byte[] plain = random(100_000, 9);
        Files.write(plainFile, plain);
        Path sealed = dir.resolve("both.age");
        Tools.run(Map.of(), "age", "-R", recipients.toString(), "-o", sealed.toString(), plainFile.toString())
                .ok();

        assertThat(decrypt(AgeEncryption.of(List.of(), identity), Files.readAllBytes(sealed)))
                .isEqualTo(plain);
        assertThat(decrypt(AgeEncryption.withIdentities(List.of(b[0])), Files.readAllBytes(sealed)))
                .isEqualTo(plain);
    }

    @Test
    void eitherOfTwoRecipientsDecryptsAndAThirdCannot() throws Exception {
        String[] a = AgeEncryption.generateKeyPair();
        String[] b = AgeEncryption.generateKeyPair();
        String[] c = AgeEncryption.generateKeyPair();
        byte[] plain = random(CHUNK * 2 + 3, 11);
        AgeEncryption both = AgeEncryption.of(List.of(a[1], b[1], a[1]), null);
        assertThat(both.recipients()).as("duplicates removed").containsExactly(a[1], b[1]);
        byte[] sealed = encrypt(both, plain);

        assertThat(decrypt(AgeEncryption.withIdentities(List.of(a[0])), sealed)).isEqualTo(plain);
        assertThat(decrypt(AgeEncryption.withIdentities(List.of(b[0])), sealed)).isEqualTo(plain);
        assertThat(decrypt(AgeEncryption.withIdentities(List.of(c[0], b[0])), sealed))
                .as("any identity of the file may match")
                .isEqualTo(plain);
        assertThatThrownBy(() -> decrypt(AgeEncryption.withIdentities(List.of(c[0])), sealed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("no identity matches any recipient")
                .hasMessageContaining(c[1]);

        if (Tools.onPath("age")) {
            Path file = dir.resolve("two.age");
            Files.write(file, sealed);
            for (String[] k : List.of(a, b)) {
                Path key = dir.resolve("k.txt");
                Files.writeString(key, k[0] + "\n");
                assertThat(Tools.run(Map.of(), "age", "-d", "-i", key.toString(), file.toString())
                                .ok()
                                .stdout())
                        .isEqualTo(plain);
            }
        }
    }

    @Test
    void anAlteredHeaderIsRefusedByItsMac() throws Exception {
        String[] a = AgeEncryption.generateKeyPair();
        String[] b = AgeEncryption.generateKeyPair();
        byte[] sealed = encrypt(AgeEncryption.of(List.of(a[1], b[1]), null), random(1000, 1));
        String header = new String(sealed, 0, headerLength(sealed), StandardCharsets.ISO_8859_1);
        AgeEncryption reader = AgeEncryption.withIdentities(List.of(a[0]));

        // b's stanza changed: a's key still unwraps the file key, the MAC then shows the change
        List<String> lines = List.of(header.split("\n"));
        String bShare = lines.get(3);
        String altered =
                header.replace(bShare, bShare.substring(0, 12) + flip(bShare.charAt(12)) + bShare.substring(13));
        assertThatThrownBy(() -> decrypt(reader, withHeader(sealed, altered)))
                .hasMessage("the age header was altered: its MAC does not match");

        // an extra stanza slipped in
        String extra = header.replace("\n---", "\n-> grease x\n\n---");
        assertThatThrownBy(() -> decrypt(reader, withHeader(sealed, extra)))
                .hasMessage("the age header was altered: its MAC does not match");

        // the MAC itself
        int mac = header.indexOf("--- ") + 4;
        String badMac = header.substring(0, mac) + flip(header.charAt(mac)) + header.substring(mac + 1);
        assertThatThrownBy(() -> decrypt(reader, withHeader(sealed, badMac))).hasMessageContaining("altered");

        // a's own stanza: its file key no longer unwraps
        String aBody = lines.get(2);
        String wrapped = header.replace(aBody, flip(aBody.charAt(0)) + aBody.substring(1));
        assertThatThrownBy(() -> decrypt(reader, withHeader(sealed, wrapped)))
                .hasMessageContaining("no identity matches any recipient");
    }

    @Test
    void anAlteredChunkFailsAtThatChunk() throws Exception {
        String[] k = AgeEncryption.generateKeyPair();
        byte[] plain = random(3 * CHUNK + 10, 4);
        byte[] sealed = encrypt(AgeEncryption.of(List.of(k[1]), null), plain);
        int payload = headerLength(sealed) + 16;
        byte[] altered = sealed.clone();
        altered[payload + (CHUNK + 16) + 100] ^= 1; // inside chunk 1

        InputStream in = AgeEncryption.withIdentities(List.of(k[0])).decrypt(new ByteArrayInputStream(altered));
        byte[] first = in.readNBytes(CHUNK);
        assertThat(first).as("chunk 0 is intact and delivered").isEqualTo(Arrays.copyOf(plain, CHUNK));
        assertThatThrownBy(in::readAllBytes)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("altered")
                .hasMessageContaining("chunk 1 failed authentication");
    }

    @Test
    void aTruncatedFileIsRefusedWhereverItEnds() throws Exception {
        String[] k = AgeEncryption.generateKeyPair();
        AgeEncryption reader = AgeEncryption.withIdentities(List.of(k[0]));
        byte[] sealed = encrypt(AgeEncryption.of(List.of(k[1]), null), random(3 * CHUNK + 10, 5));
        int header = headerLength(sealed);
        int payload = header + 16;

        // the final (short) chunk removed: what is left ends on a chunk boundary
        assertThatThrownBy(() -> decrypt(reader, Arrays.copyOf(sealed, payload + 3 * (CHUNK + 16))))
                .hasMessage("the age payload is truncated: it ends without its final chunk");
        // cut inside a chunk
        assertThatThrownBy(() -> decrypt(reader, Arrays.copyOf(sealed, payload + 2 * (CHUNK + 16) + 500)))
                .hasMessageContaining("chunk 2 failed authentication");
        assertThatThrownBy(() -> decrypt(reader, Arrays.copyOf(sealed, payload + 5)))
                .hasMessage("the age payload is truncated: chunk 0 is cut short");
        assertThatThrownBy(() -> decrypt(reader, Arrays.copyOf(sealed, payload)))
                .hasMessage("the age payload is truncated: it ends without its final chunk");
        assertThatThrownBy(() -> decrypt(reader, Arrays.copyOf(sealed, header + 3)))
                .hasMessage("the age file is truncated: it ends right after its header");
        assertThatThrownBy(() -> decrypt(reader, Arrays.copyOf(sealed, header - 10)))
                .hasMessage("the age file is truncated: it ends inside its header");

        // an exact multiple of 64 KiB: the final chunk is full, and removing it leaves full chunks only
        byte[] even = encrypt(AgeEncryption.of(List.of(k[1]), null), random(2 * CHUNK, 6));
        int evenPayload = headerLength(even) + 16;
        assertThatThrownBy(() -> decrypt(reader, Arrays.copyOf(even, evenPayload + CHUNK + 16)))
                .hasMessage("the age payload is truncated: it ends without its final chunk");
    }

    @Test
    void trailingDataAfterTheFinalChunkIsRefused() throws Exception {
        String[] k = AgeEncryption.generateKeyPair();
        AgeEncryption reader = AgeEncryption.withIdentities(List.of(k[0]));
        byte[] even = encrypt(AgeEncryption.of(List.of(k[1]), null), random(CHUNK, 7));
        byte[] longer = Arrays.copyOf(even, even.length + 5);
        assertThatThrownBy(() -> decrypt(reader, longer))
                .hasMessage("the age payload has trailing data after its final chunk");

        byte[] shortLast = encrypt(AgeEncryption.of(List.of(k[1]), null), random(1000, 8));
        assertThatThrownBy(() -> decrypt(reader, Arrays.copyOf(shortLast, shortLast.length + 1)))
                .hasMessageContaining("failed authentication");
        assertThatThrownBy(() -> decrypt(reader, Arrays.copyOf(shortLast, shortLast.length + CHUNK + 100)))
                .hasMessageContaining("failed authentication");
    }

    @Test
    void whatIsNotAnAgeFileSaysSo() {
        AgeEncryption reader = AgeEncryption.withIdentities(List.of(AgeEncryption.generateKeyPair()[0]));
        assertThatThrownBy(() -> decrypt(reader, new byte[0])).hasMessage("not an age file: it is empty");
        assertThatThrownBy(() -> decrypt(reader, new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 1, 2, 3}))
                .hasMessage("not an age file: it does not start with age-encryption.org/v1");
        assertThatThrownBy(() -> decrypt(
                        reader, "-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n".getBytes(StandardCharsets.US_ASCII)))
                .hasMessageContaining("armored");
        assertThatThrownBy(() -> decrypt(reader, ascii("age-encryption.org/v1\n---\n")))
                .hasMessageContaining("MAC line is malformed");
        assertThatThrownBy(() -> decrypt(reader, ascii("age-encryption.org/v1\n--- " + "A".repeat(43) + "\n")))
                .hasMessage("the age header has no recipient stanza");
        assertThatThrownBy(() -> decrypt(reader, ascii("age-encryption.org/v1\nhello\n")))
                .hasMessageContaining("expected a '-> ' stanza");
        assertThatThrownBy(() -> decrypt(
                        reader, ascii("age-encryption.org/v1\n-> X25519 short\nAAAA\n--- " + "A".repeat(43) + "\n")))
                .hasMessage("the age header has a malformed X25519 stanza");
        assertThatThrownBy(() -> decrypt(
                        reader,
                        ascii("age-encryption.org/v1\n-> X25519 " + "A".repeat(43) + "\nAAA=\n--- " + "A".repeat(43)
                                + "\n")))
                .hasMessageContaining("not canonical base64");
        assertThatThrownBy(() -> decrypt(
                        reader,
                        ascii("age-encryption.org/v1\n-> scrypt c2FsdHNhbHRzYWx0c2FsdA 18\n" + "A".repeat(43) + "\n--- "
                                + "A".repeat(43) + "\n")))
                .hasMessageContaining("passphrase (scrypt)");
    }

    @Test
    void aHostileHeaderCannotTakeTheHeap() {
        AgeEncryption reader = AgeEncryption.withIdentities(List.of(AgeEncryption.generateKeyPair()[0]));
        byte[] longLine = new byte[10_000_000];
        Arrays.fill(longLine, (byte) 'A');
        System.arraycopy(ascii("age-encryption.org/v1\n-> "), 0, longLine, 0, 25);
        assertThatThrownBy(() -> decrypt(reader, longLine)).hasMessageContaining("longer than");

        StringBuilder many = new StringBuilder("age-encryption.org/v1\n");
        while (many.length() < 2_000_000) {
            many.append("-> X25519 ")
                    .append("A".repeat(43))
                    .append('\n')
                    .append("A".repeat(63))
                    .append('\n');
        }
        assertThatThrownBy(() -> decrypt(reader, ascii(many.toString()))).hasMessageContaining("longer than");

        assertThatThrownBy(() -> decrypt(reader, ascii("age-encryption.org/v1\n-> X25519 \u0000\n")))
                .hasMessageContaining("not printable text");
    }

    @Test
    void badKeysAreClearErrorsThatNeverShowTheSecret() throws Exception {
        String[] k = AgeEncryption.generateKeyPair();
        char last = k[1].charAt(k[1].length() - 1);
        String mistyped = k[1].substring(0, k[1].length() - 1) + (last == 'q' ? 'p' : 'q');
        assertThatThrownBy(() -> AgeEncryption.of(List.of(mistyped), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("recipient 1: the age recipient has a bad checksum");
        assertThatThrownBy(() -> AgeEncryption.of(List.of("ssh-ed25519 AAAAC3Nza..."), null))
                .hasMessageContaining("SSH recipients are not supported");
        assertThatThrownBy(() ->
                        AgeEncryption.of(List.of(k[1].toUpperCase().substring(0, 10) + k[1].substring(10)), null))
                .hasMessageContaining("mixes upper and lower case");
        assertThatThrownBy(() -> AgeEncryption.of(List.of("age1" + "b".repeat(58)), null))
                .hasMessageContaining("which Bech32 does not use");

        Path recipients = dir.resolve("recipients.txt");
        Files.writeString(recipients, "# ok\n" + k[1] + "\n" + mistyped + "\n");
        assertThatThrownBy(() -> AgeEncryption.readRecipientsFile(recipients))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(recipients + " line 3: the age recipient has a bad checksum");
        Files.writeString(recipients, "# nobody\n\n");
        assertThatThrownBy(() -> AgeEncryption.readRecipientsFile(recipients))
                .hasMessageContaining("names no age recipient");
        assertThatThrownBy(() -> AgeEncryption.readRecipientsFile(dir.resolve("missing.txt")))
                .hasMessageContaining("no such file");

        String secretTypo = k[0].substring(0, 30) + (k[0].charAt(30) == 'Q' ? 'P' : 'Q') + k[0].substring(31);
        Path identity = dir.resolve("key.txt");
        Files.writeString(identity, "# a comment\n" + secretTypo + "\n");
        byte[] sealed = encrypt(AgeEncryption.of(List.of(k[1]), null), new byte[] {1});
        assertThatThrownBy(() -> decrypt(AgeEncryption.of(List.of(), identity), sealed))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(identity + " line 2: the age identity has a bad checksum")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secretTypo.substring(16, 40)));
        Files.writeString(identity, k[1] + "\n");
        assertThatThrownBy(() -> decrypt(AgeEncryption.of(List.of(), identity), sealed))
                .hasMessageContaining("not an age identity");
        Files.write(identity, encrypt(AgeEncryption.of(List.of(k[1]), null), ascii(k[0])));
        assertThatThrownBy(() -> decrypt(AgeEncryption.of(List.of(), identity), sealed))
                .hasMessageContaining("passphrase-protected age identity");
        Files.write(identity, new byte[2 << 20]);
        assertThatThrownBy(() -> decrypt(AgeEncryption.of(List.of(), identity), sealed))
                .hasMessageContaining("larger than 1 MiB");
        assertThatThrownBy(() -> decrypt(AgeEncryption.of(List.of(k[1]), null), sealed))
                .hasMessageContaining("set encryption.identityFile");
    }

    @Test
    void encryptionIsStreamedOneChunkAtATime() throws IOException {
        String[] k = AgeEncryption.generateKeyPair();
        CountingSink sink = new CountingSink();
        byte[] block = random(1 << 20, 12);
        try (OutputStream out = AgeEncryption.of(List.of(k[1]), null).encrypt(sink)) {
            for (int i = 1; i <= 64; i++) {
                out.write(block);
                assertThat(sink.count).as("after %d MiB", i).isGreaterThan((long) i * (1 << 20) - CHUNK - 1);
            }
        }
        assertThat(sink.closed).isTrue();
    }

    @Test
    void decryptionIsStreamedOneChunkAtATime() throws IOException {
        String[] k = AgeEncryption.generateKeyPair();
        byte[] sealed = encrypt(AgeEncryption.of(List.of(k[1]), null), random(8 << 20, 13));
        CountingSource source = new CountingSource(sealed);
        InputStream in = AgeEncryption.withIdentities(List.of(k[0])).decrypt(source);
        byte[] buf = new byte[1000];
        for (long delivered = 0; delivered < (8 << 20); ) {
            int n = in.read(buf);
            delivered += n;
            assertThat(source.position)
                    .as("read ahead of the %d bytes delivered", delivered)
                    .isLessThan(delivered + 2 * (CHUNK + 16) + 16 * 1024 + 200);
        }
        assertThat(in.read()).isEqualTo(-1);
    }

    // --- helpers

    static byte[] encrypt(Encryption e, byte[] plain) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = e.encrypt(sink)) {
            out.write(plain);
        }
        return sink.toByteArray();
    }

    static byte[] decrypt(Encryption e, byte[] sealed) throws IOException {
        try (InputStream in = e.decrypt(new ByteArrayInputStream(sealed))) {
            return in.readAllBytes();
        }
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Where the header ends: after the line that starts with "--- ". */
    static int headerLength(byte[] sealed) {
        String s = new String(sealed, 0, Math.min(sealed.length, 4096), StandardCharsets.ISO_8859_1);
        int mac = s.indexOf("\n--- ");
        return s.indexOf('\n', mac + 1) + 1;
    }

    static byte[] withHeader(byte[] sealed, String header) {
        int old = headerLength(sealed);
        byte[] h = ascii(header);
        byte[] out = new byte[h.length + sealed.length - old];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(sealed, old, out, h.length, sealed.length - old);
        return out;
    }

    static char flip(char c) {
        return c == 'A' ? 'B' : 'A';
    }

    static final class CountingSink extends OutputStream {
        long count;
        boolean closed;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class CountingSource extends InputStream {
        private final byte[] data;
        long position;

        CountingSource(byte[] data) {
            this.data = data;
        }

        @Override
        public int read() {
            return position < data.length ? data[(int) position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= data.length) {
                return -1;
            }
            int n = (int) Math.min(len, data.length - position);
            System.arraycopy(data, (int) position, b, off, n);
            position += n;
            return n;
        }
    }
}
