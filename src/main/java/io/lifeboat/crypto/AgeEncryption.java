package io.lifeboat.crypto;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The age v1 format (age-encryption.org/v1) with X25519 recipients, so {@code age -d -i KEYFILE}
 * opens what Lifeboat stores. Written with the JDK's own X25519, HKDF-SHA-256 and ChaCha20-Poly1305.
 * Streamed both ways: a short text header, then 64 KiB chunks, one in memory at a time.
 */
public final class AgeEncryption implements Encryption {

    static final int CHUNK = 64 * 1024;
    static final int TAG = 16;
    static final String VERSION_LINE = "age-encryption.org/v1";
    static final String RECIPIENT_HRP = "age";
    static final String IDENTITY_HRP = "age-secret-key-";
    private static final String X25519_INFO = "age-encryption.org/v1/X25519";
    /** Key files hold a few lines; anything larger is not one. */
    static final long MAX_KEY_FILE = 1 << 20;
    /** Headers hold a few stanzas of about a hundred bytes; a hostile one must not take the heap. */
    static final int MAX_HEADER = 256 * 1024;

    static final int MAX_LINE = 4096;

    private final List<Recipient> recipients;
    private final Path identityFile;
    private final List<Identity> identities;

    private AgeEncryption(List<Recipient> recipients, Path identityFile, List<Identity> identities) {
        this.recipients = List.copyOf(recipients);
        this.identityFile = identityFile;
        this.identities = identities == null ? null : List.copyOf(identities);
    }

    /**
     * Encrypts to {@code recipients} ({@code age1…}); decrypts with the identities in {@code
     * identityFile} (read when {@link #decrypt} is called; may be null for a store that only writes).
     */
    public static AgeEncryption of(List<String> recipients, Path identityFile) {
        Map<String, Recipient> unique = new LinkedHashMap<>();
        for (int i = 0; i < recipients.size(); i++) {
            Recipient r = Recipient.parse(recipients.get(i), "recipient " + (i + 1));
            unique.putIfAbsent(r.encoded(), r);
        }
        return new AgeEncryption(new ArrayList<>(unique.values()), identityFile, null);
    }

    /** Decrypts with the given {@code AGE-SECRET-KEY-1…} identities (tests, tools); encrypts to their recipients. */
    public static AgeEncryption withIdentities(List<String> identities) {
        List<Identity> ids = new ArrayList<>();
        List<Recipient> rs = new ArrayList<>();
        for (int i = 0; i < identities.size(); i++) {
            Identity id = Identity.parse(identities.get(i), "identity " + (i + 1));
            ids.add(id);
            rs.add(new Recipient(Bech32.encode(RECIPIENT_HRP, id.publicKey()), id.publicKey()));
        }
        return new AgeEncryption(rs, null, ids);
    }

    /** A new X25519 key pair as {@code age-keygen} prints it: {identity, recipient}. */
    public static String[] generateKeyPair() {
        byte[] secret = Primitives.random(32);
        try {
            byte[] pub = Primitives.x25519(secret, Primitives.BASEPOINT);
            return new String[] {
                Bech32.encode(IDENTITY_HRP, secret).toUpperCase(Locale.ROOT), Bech32.encode(RECIPIENT_HRP, pub)
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 failed", e);
        }
    }

    /** The recipients of a file as {@code age -R} reads it: one per line, {@code #} comments and blank lines skipped. */
    public static List<String> readRecipientsFile(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        List<String> lines = keyFileLines(file, "recipientsFile");
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = file + " line " + (i + 1);
            try {
                Recipient.parse(line, where);
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage());
            }
            out.add(line);
        }
        if (out.isEmpty()) {
            throw new IOException(
                    file + " names no age recipient (expected lines like age1…, as age-keygen -y prints)");
        }
        return out;
    }

    /** The identities of a file as {@code age -i} reads it: {@code AGE-SECRET-KEY-1…} lines, {@code #} comments skipped. */
    static List<Identity> readIdentityFile(Path file) throws IOException {
        List<Identity> out = new ArrayList<>();
        List<String> lines = keyFileLines(file, "identityFile");
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (i == 0 && line.startsWith(VERSION_LINE)) {
                throw new IOException(file + " is a passphrase-protected age identity; Lifeboat reads only plain"
                        + " AGE-SECRET-KEY-1… files (decrypt it with age -d first)");
            }
            try {
                out.add(Identity.parse(line, file + " line " + (i + 1)));
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage());
            }
        }
        if (out.isEmpty()) {
            throw new IOException(
                    file + " holds no age identity (expected a line AGE-SECRET-KEY-1…, as age-keygen" + " writes)");
        }
        return out;
    }

    private static List<String> keyFileLines(Path file, String what) throws IOException {
        try {
            if (Files.size(file) > MAX_KEY_FILE) {
                throw new IOException(file + " is larger than 1 MiB: not an age " + what);
            }
            byte[] bytes = Files.readAllBytes(file);
            return new String(bytes, StandardCharsets.UTF_8).lines().toList();
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read " + what + " " + file + ": no such file");
        }
    }

    @Override
    public String name() {
        return "age";
    }

    @Override
    public String suffix() {
        return ".age";
    }

    @Override
    public List<String> recipients() {
        return recipients.stream().map(Recipient::encoded).toList();
    }

    @Override
    public OutputStream encrypt(OutputStream out) throws IOException {
        requireNonNull(out, "out");
        if (recipients.isEmpty()) {
            throw new IOException("age encryption needs at least one recipient");
        }
        byte[] fileKey = Primitives.random(16);
        StringBuilder header = new StringBuilder(VERSION_LINE).append('\n');
        for (Recipient r : recipients) {
            byte[] ephemeral = Primitives.random(32);
            try {
                byte[] share = Primitives.x25519(ephemeral, Primitives.BASEPOINT);
                byte[] shared = Primitives.x25519(ephemeral, r.publicKey());
                byte[] wrapKey = Primitives.hkdf(shared, concat(share, r.publicKey()), X25519_INFO);
                header.append("-> X25519 ").append(b64(share)).append('\n');
                appendBody(header, b64(Primitives.seal(wrapKey, fileKey)));
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot encrypt to " + r.encoded() + ": " + e.getMessage(), e);
            }
        }
        header.append("---");
        byte[] macInput = header.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] mac = Primitives.hmacSha256(Primitives.hkdf(fileKey, new byte[0], "header"), macInput, macInput.length);
        header.append(' ').append(b64(mac)).append('\n');
        byte[] nonce = Primitives.random(16);
        out.write(header.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(nonce);
        return new Writer(out, Primitives.hkdf(fileKey, nonce, "payload"));
    }

    @Override
    public InputStream decrypt(InputStream in) throws IOException {
        requireNonNull(in, "in");
        List<Identity> ids = identities;
        if (ids == null) {
            if (identityFile == null) {
                throw new IOException("no age identity to decrypt with: set encryption.identityFile of the store");
            }
            ids = readIdentityFile(identityFile);
        }
        BufferedInputStream buffered = new BufferedInputStream(in, 16 * 1024);
        Header header = Header.read(buffered);
        byte[] fileKey = header.unwrap(ids, identityFile == null ? "the given identities" : identityFile.toString());
        byte[] mac = Primitives.hmacSha256(
                Primitives.hkdf(fileKey, new byte[0], "header"), header.macInput(), header.macInput().length);
        if (!Primitives.equal(mac, header.mac())) {
            throw new IOException("the age header was altered: its MAC does not match");
        }
        byte[] nonce = buffered.readNBytes(16);
        if (nonce.length < 16) {
            throw new IOException("the age file is truncated: it ends right after its header");
        }
        return new Reader(buffered, Primitives.hkdf(fileKey, nonce, "payload"));
    }

    @Override
    public String toString() {
        return "age" + recipients();
    }

    private static void appendBody(StringBuilder header, String body) {
        int i = 0;
        while (body.length() - i >= 64) {
            header.append(body, i, i + 64).append('\n');
            i += 64;
        }
        header.append(body, i, body.length()).append('\n'); // the final line is shorter than 64, maybe empty
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().withoutPadding().encodeToString(b);
    }

    /** Canonical unpadded base64, as the age spec requires; null when {@code s} is not. */
    static byte[] unb64(String s) {
        if (s.indexOf('=') >= 0) {
            return null;
        }
        try {
            byte[] b = Base64.getDecoder().decode(s);
            return b64(b).equals(s) ? b : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void chunkNonce(byte[] nonce, long counter, boolean last) {
        for (int i = 0; i < 8; i++) {
            nonce[10 - i] = (byte) (counter >>> (8 * i));
        }
        nonce[11] = (byte) (last ? 1 : 0);
    }

    /** An {@code age1…} public key. */
    record Recipient(String encoded, byte[] publicKey) {
        static Recipient parse(String s, String where) {
            requireNonNull(s, where);
            String t = s.strip();
            if (t.startsWith("ssh-") || t.startsWith("ecdsa-")) {
                throw new IllegalArgumentException(
                        where + ": SSH recipients are not supported; use an age X25519 recipient (age1…)");
            }
            if (t.toLowerCase(Locale.ROOT).startsWith("age1pq1")) {
                throw new IllegalArgumentException(where + ": post-quantum age1pq1… recipients are not supported;"
                        + " use an X25519 recipient (age1…, from age-keygen)");
            }
            if (!t.toLowerCase(Locale.ROOT).startsWith("age1")) {
                throw new IllegalArgumentException(
                        where + ": not an age recipient (expected age1…, as age-keygen -y" + " prints)");
            }
            Bech32.Decoded d;
            try {
                d = Bech32.decode(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": the age recipient " + e.getMessage());
            }
            if (!RECIPIENT_HRP.equals(d.hrp()) || d.data().length != 32) {
                throw new IllegalArgumentException(
                        where + ": not an age X25519 recipient (a plugin or other key type; expected age1… from"
                                + " age-keygen)");
            }
            return new Recipient(t.toLowerCase(Locale.ROOT), d.data());
        }
    }

    /** An {@code AGE-SECRET-KEY-1…} private key and its public key. */
    record Identity(byte[] secret, byte[] publicKey) {
        static Identity parse(String s, String where) {
            if (!s.toUpperCase(Locale.ROOT).startsWith("AGE-SECRET-KEY-1")) {
                String kind = s.startsWith("AGE-PLUGIN-")
                        ? "a plugin identity, which Lifeboat does not support"
                        : s.startsWith("-----BEGIN")
                                ? "an SSH or PEM key, which Lifeboat does not support"
                                : "not an age identity";
                throw new IllegalArgumentException(
                        where + ": " + kind + " (expected AGE-SECRET-KEY-1…, as age-keygen" + " writes)");
            }
            Bech32.Decoded d;
            try {
                d = Bech32.decode(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": the age identity " + e.getMessage());
            }
            if (!IDENTITY_HRP.equals(d.hrp()) || d.data().length != 32) {
                throw new IllegalArgumentException(where + ": not an age X25519 identity");
            }
            try {
                return new Identity(d.data(), Primitives.x25519(d.data(), Primitives.BASEPOINT));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(where + ": not a usable X25519 key: " + e.getMessage());
            }
        }
    }

    /** A parsed header: its stanzas, the bytes its MAC covers, and the MAC. */
    private record Header(List<Stanza> stanzas, byte[] macInput, byte[] mac) {

        record Stanza(List<String> args, byte[] body) {}

        static Header read(BufferedInputStream in) throws IOException {
            byte[] first = in.readNBytes(VERSION_LINE.length() + 1);
            String start = new String(first, StandardCharsets.ISO_8859_1);
            if (!start.equals(VERSION_LINE + "\n")) {
                if (start.startsWith("-----BEGIN AGE")) {
                    throw new IOException("this is an armored (PEM) age file; Lifeboat reads the binary format");
                }
                if (first.length == 0) {
                    throw new IOException("not an age file: it is empty");
                }
                throw new IOException("not an age file: it does not start with " + VERSION_LINE);
            }
            ByteArrayOutputStream raw = new ByteArrayOutputStream(512);
            raw.write(first);
            List<Stanza> stanzas = new ArrayList<>();
            while (true) {
                int lineStart = raw.size();
                String line = line(in, raw);
                if (line.startsWith("---")) {
                    byte[] mac = line.startsWith("--- ") && line.length() == 4 + 43 ? unb64(line.substring(4)) : null;
                    if (mac == null) {
                        throw new IOException("the age header was altered: its MAC line is malformed");
                    }
                    if (stanzas.isEmpty()) {
                        throw new IOException("the age header has no recipient stanza");
                    }
                    byte[] all = raw.toByteArray();
                    return new Header(stanzas, java.util.Arrays.copyOf(all, lineStart + 3), mac);
                }
                if (!line.startsWith("-> ")) {
                    throw new IOException("the age header is malformed: expected a '-> ' stanza or the '---' MAC line");
                }
                List<String> args = List.of(line.substring(3).split(" ", -1));
                if (args.stream().anyMatch(String::isEmpty)) {
                    throw new IOException("the age header is malformed: a stanza has an empty argument");
                }
                StringBuilder body = new StringBuilder();
                while (true) {
                    String b = line(in, raw);
                    if (b.length() > 64) {
                        throw new IOException("the age header is malformed: a stanza body line is longer than 64");
                    }
                    body.append(b);
                    if (b.length() < 64) {
                        break;
                    }
                }
                byte[] decoded = unb64(body.toString());
                if (decoded == null) {
                    throw new IOException("the age header is malformed: a stanza body is not canonical base64");
                }
                stanzas.add(new Stanza(args, decoded));
            }
        }

        private static String line(BufferedInputStream in, ByteArrayOutputStream raw) throws IOException {
            StringBuilder s = new StringBuilder();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the age file is truncated: it ends inside its header");
                }
                raw.write(b);
                if (b == '\n') {
                    return s.toString();
                }
                if (b < 0x20 || b > 0x7e) {
                    throw new IOException("the age header is malformed: it holds a byte that is not printable text");
                }
                if (s.length() >= MAX_LINE || raw.size() > MAX_HEADER) {
                    throw new IOException("the age header is malformed: longer than " + MAX_HEADER / 1024
                            + " KiB or a line longer than " + MAX_LINE + " characters");
                }
                s.append((char) b);
            }
        }

        byte[] unwrap(List<Identity> ids, String identitySource) throws IOException {
            boolean scrypt = false;
            for (Stanza s : stanzas) {
                String type = s.args().get(0);
                if ("scrypt".equals(type)) {
                    scrypt = true;
                    continue;
                }
                if (!"X25519".equals(type)) {
                    continue;
                }
                byte[] share = s.args().size() == 2 ? unb64(s.args().get(1)) : null;
                if (share == null || share.length != 32 || s.body().length != 32) {
                    throw new IOException("the age header has a malformed X25519 stanza");
                }
                for (Identity id : ids) {
                    byte[] shared;
                    try {
                        shared = Primitives.x25519(id.secret(), share);
                    } catch (GeneralSecurityException e) {
                        throw new IOException("the age header has an invalid X25519 share: " + e.getMessage());
                    }
                    byte[] wrapKey = Primitives.hkdf(shared, concat(share, id.publicKey()), X25519_INFO);
                    byte[] fileKey = Primitives.open(wrapKey, s.body());
                    if (fileKey != null) {
                        if (fileKey.length != 16) {
                            throw new IOException("the age header carries a file key of the wrong size");
                        }
                        return fileKey;
                    }
                }
            }
            if (scrypt && stanzas.size() == 1) {
                throw new IOException("the file is encrypted with an age passphrase (scrypt), not to a key; open it"
                        + " with age -d");
            }
            List<String> mine = ids.stream()
                    .map(i -> Bech32.encode(RECIPIENT_HRP, i.publicKey()))
                    .toList();
            throw new IOException("no identity matches any recipient: the file was encrypted to other keys than "
                    + identitySource + " (" + String.join(", ", mine) + ")");
        }
    }

    /** Encrypts 64 KiB chunks; the last one is written when closed. */
    private static final class Writer extends OutputStream {
        private final OutputStream out;
        private final SecretKeySpec key;
        private final Cipher cipher = Primitives.chacha();
        private final byte[] plain = new byte[CHUNK];
        private final byte[] sealed = new byte[CHUNK + TAG];
        private final byte[] nonce = new byte[12];
        private int filled;
        private long counter;
        private boolean closed;

        Writer(OutputStream out, byte[] payloadKey) {
            this.out = out;
            this.key = new SecretKeySpec(payloadKey, "ChaCha20");
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("the age stream is closed");
            }
            while (len > 0) {
                if (filled == CHUNK) {
                    seal(false); // only now is it known that this full chunk is not the last
                }
                int n = Math.min(len, CHUNK - filled);
                System.arraycopy(b, off, plain, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush(); // a partial chunk cannot be written before it is known whether it is the last
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try (out) {
                seal(true);
            }
        }

        private void seal(boolean last) throws IOException {
            chunkNonce(nonce, counter, last);
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonce));
                int n = cipher.doFinal(plain, 0, filled, sealed, 0);
                out.write(sealed, 0, n);
            } catch (GeneralSecurityException e) {
                throw new IOException("ChaCha20-Poly1305 failed: " + e.getMessage(), e);
            }
            filled = 0;
            counter++;
        }
    }

    /** Reads and authenticates one chunk at a time; ends only after a valid final chunk. */
    private static final class Reader extends InputStream {
        private final BufferedInputStream in;
        private final SecretKeySpec key;
        private final Cipher cipher = Primitives.chacha();
        private final byte[] sealed = new byte[CHUNK + TAG];
        private final byte[] plain = new byte[CHUNK];
        private final byte[] nonce = new byte[12];
        private int pos;
        private int limit;
        private long counter;
        private boolean done;

        Reader(BufferedInputStream in, byte[] payloadKey) {
            this.in = in;
            this.key = new SecretKeySpec(payloadKey, "ChaCha20");
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            while (pos == limit) {
                if (done) {
                    return -1;
                }
                next();
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(plain, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return limit - pos;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        private void next() throws IOException {
            int n = in.readNBytes(sealed, 0, sealed.length);
            if (n == 0) {
                throw new IOException("the age payload is truncated: it ends without its final chunk");
            }
            if (n < TAG) {
                throw new IOException("the age payload is truncated: chunk " + counter + " is cut short");
            }
            boolean atEnd = n < sealed.length || atEof();
            if (atEnd) {
                if (!open(n, true)) {
                    if (n == sealed.length && open(n, false)) {
                        throw new IOException("the age payload is truncated: it ends without its final chunk");
                    }
                    throw altered();
                }
                if (limit == 0 && counter > 0) {
                    throw new IOException("the age payload is malformed: its final chunk is empty");
                }
                done = true;
            } else if (!open(n, false)) {
                if (open(n, true)) {
                    throw new IOException("the age payload has trailing data after its final chunk");
                }
                throw altered();
            }
            counter++;
        }

        private IOException altered() {
            return new IOException(
                    "the age payload was altered or truncated: chunk " + counter + " failed authentication");
        }

        private boolean atEof() throws IOException {
            in.mark(1);
            int b = in.read();
            if (b < 0) {
                return true;
            }
            in.reset();
            return false;
        }

        private boolean open(int n, boolean last) throws IOException {
            chunkNonce(nonce, counter, last);
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonce));
                limit = cipher.doFinal(sealed, 0, n, plain, 0);
                pos = 0;
                return true;
            } catch (AEADBadTagException e) {
                pos = 0;
                limit = 0;
                return false;
            } catch (GeneralSecurityException e) {
                throw new IOException("ChaCha20-Poly1305 failed: " + e.getMessage(), e);
            }
        }
    }
}
