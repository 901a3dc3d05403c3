package io.lifeboat.crypto;

import static java.util.Objects.requireNonNull;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;

/**
 * OpenPGP (RFC 4880) with Bouncy Castle, so {@code gpg -d} opens what Lifeboat stores: AES-256 with
 * an integrity packet (SEIPD v1, the MDC gpg checks), no compression layer (the data is zstd
 * already), written and read as a stream with partial-length packets.
 */
public final class OpenPgpEncryption implements Encryption {

    /** Partial-length packet buffer: a power of two, one per layer. */
    static final int PACKET_BUFFER = 1 << 16;
    /** A key file holds a few keys with their signatures; anything larger is not one. */
    static final long MAX_KEY_FILE = 4L << 20;

    private final List<PGPPublicKey> keys;
    private final List<String> fingerprints;
    private final Path identityFile;
    private final String passphrase;

    private OpenPgpEncryption(
            List<PGPPublicKey> keys, List<String> fingerprints, Path identityFile, String passphrase) {
        this.keys = List.copyOf(keys);
        this.fingerprints = List.copyOf(fingerprints);
        this.identityFile = identityFile;
        this.passphrase = passphrase;
    }

    /**
     * Encrypts to every key in {@code recipientsFile} (armored or binary, as {@code gpg --export}
     * writes); decrypts with the secret key in {@code identityFile} (may be null for a store that
     * only writes), unlocked with {@code passphrase} when it has one.
     */
    public static OpenPgpEncryption of(Path recipientsFile, Path identityFile, String passphrase) throws IOException {
        requireNonNull(recipientsFile, "recipientsFile");
        PGPPublicKeyRingCollection rings;
        try (InputStream in = PGPUtil.getDecoderStream(open(recipientsFile, "recipientsFile"))) {
            rings = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
        } catch (PGPException | RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("PGPSecretKeyRing")) {
                throw new IOException("recipientsFile " + recipientsFile + " holds a secret key; name the public key"
                        + " there (gpg --export --armor KEYID > public.asc) and keep the secret key apart");
            }
            throw new IOException("recipientsFile " + recipientsFile + " is not an OpenPGP public key: " + m, e);
        }
        List<PGPPublicKey> keys = new ArrayList<>();
        List<String> fingerprints = new ArrayList<>();
        for (PGPPublicKeyRing ring : rings) {
            String fingerprint = hex(ring.getPublicKey().getFingerprint());
            PGPPublicKey key = encryptionKey(ring);
            if (key == null) {
                throw new IOException("the OpenPGP key " + fingerprint + " " + userId(ring.getPublicKey()) + " in "
                        + recipientsFile + " has no usable encryption key (revoked, expired or sign-only)");
            }
            keys.add(key);
            fingerprints.add(fingerprint);
        }
        if (keys.isEmpty()) {
            throw new IOException("recipientsFile " + recipientsFile + " holds no OpenPGP public key (export one with"
                    + " gpg --export --armor KEYID)");
        }
        return new OpenPgpEncryption(keys, fingerprints, identityFile, passphrase);
    }

    /** Only decrypts: the secret key in {@code identityFile}, unlocked with {@code passphrase} when it has one. */
    public static OpenPgpEncryption forReading(Path identityFile, String passphrase) {
        return new OpenPgpEncryption(List.of(), List.of(), requireNonNull(identityFile, "identityFile"), passphrase);
    }

    @Override
    public String name() {
        return "openpgp";
    }

    @Override
    public String suffix() {
        return ".gpg";
    }

    /** The primary key fingerprints, as {@code gpg --list-keys} shows them. */
    @Override
    public List<String> recipients() {
        return fingerprints;
    }

    @Override
    public OutputStream encrypt(OutputStream out) throws IOException {
        requireNonNull(out, "out");
        if (keys.isEmpty()) {
            throw new IOException("OpenPGP encryption needs at least one recipient key");
        }
        PGPEncryptedDataGenerator generator =
                new PGPEncryptedDataGenerator(new BcPGPDataEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256)
                        .setWithIntegrityPacket(true)
                        .setSecureRandom(Primitives.RANDOM));
        for (PGPPublicKey key : keys) {
            generator.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(key).setSecureRandom(Primitives.RANDOM));
        }
        OutputStream encrypted;
        try {
            encrypted = generator.open(out, new byte[PACKET_BUFFER]);
        } catch (PGPException e) {
            throw new IOException("OpenPGP encryption failed: " + e.getMessage(), e);
        }
        PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
        OutputStream plain = literal.open(encrypted, PGPLiteralData.BINARY, "", new Date(), new byte[PACKET_BUFFER]);
        OutputStream stored = out; // FilterOutputStream's own field 'out' is the literal layer
        return new FilterOutputStream(plain) {
            private boolean closed;

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                plain.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (closed) {
                    return;
                }
                closed = true;
                try (stored) {
                    literal.close(); // ends the literal packet
                    generator.close(); // writes the MDC and ends the encrypted packet; leaves out open
                }
            }
        };
    }

    @Override
    public InputStream decrypt(InputStream in) throws IOException {
        requireNonNull(in, "in");
        if (identityFile == null) {
            throw new IOException("no OpenPGP secret key to decrypt with: set encryption.identityFile of the store");
        }
        PGPSecretKeyRingCollection secrets = secretKeys();
        try {
            BcPGPObjectFactory outer = new BcPGPObjectFactory(PGPUtil.getDecoderStream(in));
            Object o = outer.nextObject();
            while (o instanceof PGPMarker) {
                o = outer.nextObject();
            }
            if (!(o instanceof PGPEncryptedDataList list)) {
                throw new IOException("not an OpenPGP encrypted message"
                        + (o == null
                                ? " (it is empty)"
                                : " (it starts with " + o.getClass().getSimpleName() + ")"));
            }
            List<String> addressed = new ArrayList<>();
            for (PGPEncryptedData data : list) {
                if (!(data instanceof PGPPublicKeyEncryptedData pk)) {
                    continue;
                }
                addressed.add(pk.getKeyID() == 0 ? "anonymous" : String.format("%016X", pk.getKeyID()));
                for (PGPSecretKey secret : candidates(secrets, pk.getKeyID())) {
                    if (!pk.isIntegrityProtected()) {
                        throw new IOException(
                                "the OpenPGP message has no integrity protection (no MDC); refusing to" + " read it");
                    }
                    PGPPrivateKey key = unlock(secret);
                    InputStream clear;
                    try {
                        clear = pk.getDataStream(new BcPublicKeyDataDecryptorFactory(key));
                    } catch (PGPException e) {
                        if (pk.getKeyID() == 0) {
                            continue; // an anonymous recipient: perhaps another of our keys
                        }
                        throw new IOException(
                                "the OpenPGP message could not be decrypted with key "
                                        + String.format("%016X", secret.getKeyID()) + " (altered or damaged: "
                                        + e.getMessage() + ")",
                                e);
                    }
                    return new Verifying(literal(clear), pk, in);
                }
            }
            throw new IOException("no secret key in " + identityFile + " matches the recipients of this message"
                    + " (encrypted to key IDs " + String.join(", ", addressed) + ")");
        } catch (PGPException | RuntimeException e) {
            throw new IOException("not a readable OpenPGP message: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "openpgp" + fingerprints;
    }

    private static InputStream literal(InputStream clear) throws IOException, PGPException {
        BcPGPObjectFactory f = new BcPGPObjectFactory(clear);
        for (int depth = 0; depth < 8; depth++) {
            Object o = f.nextObject();
            if (o instanceof PGPCompressedData c) {
                f = new BcPGPObjectFactory(c.getDataStream());
            } else if (o instanceof PGPOnePassSignatureList
                    || o instanceof PGPSignatureList
                    || o instanceof PGPMarker) {
                continue; // signatures are not checked: the MDC and the manifest's SHA-256 guard the bytes
            } else if (o instanceof PGPLiteralData lit) {
                return lit.getInputStream();
            } else {
                throw new IOException("the OpenPGP message holds no literal data"
                        + (o == null ? "" : " (found " + o.getClass().getSimpleName() + ")"));
            }
        }
        throw new IOException("the OpenPGP message is nested too deeply");
    }

    private List<PGPSecretKey> candidates(PGPSecretKeyRingCollection secrets, long keyId) throws PGPException {
        List<PGPSecretKey> out = new ArrayList<>();
        if (keyId != 0) {
            PGPSecretKey k = secrets.getSecretKey(keyId);
            if (k != null) {
                out.add(k);
            }
            return out;
        }
        for (PGPSecretKeyRing ring : secrets) {
            for (PGPSecretKey k : ring) {
                if (k.getPublicKey().isEncryptionKey() && !k.isPrivateKeyEmpty()) {
                    out.add(k);
                }
            }
        }
        return out;
    }

    private PGPSecretKeyRingCollection secretKeys() throws IOException {
        try (InputStream in = PGPUtil.getDecoderStream(open(identityFile, "identityFile"))) {
            PGPSecretKeyRingCollection c = new PGPSecretKeyRingCollection(in, new BcKeyFingerprintCalculator());
            if (c.size() == 0) {
                throw new IOException("identityFile " + identityFile + " holds no OpenPGP secret key");
            }
            return c;
        } catch (PGPException | RuntimeException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("PGPPublicKeyRing")) {
                throw new IOException("identityFile " + identityFile + " holds a public key, not the secret key"
                        + " (export it with gpg --export-secret-keys --armor KEYID)");
            }
            throw new IOException("identityFile " + identityFile + " is not an OpenPGP secret key: " + m, e);
        }
    }

    private PGPPrivateKey unlock(PGPSecretKey secret) throws IOException {
        String id = String.format("%016X", secret.getKeyID());
        if (secret.isPrivateKeyEmpty()) {
            throw new IOException("the secret key " + id + " in " + identityFile + " is only a stub (its secret part"
                    + " was not exported; use gpg --export-secret-keys)");
        }
        boolean protectedKey = secret.getS2KUsage() != 0;
        if (protectedKey && passphrase == null) {
            throw new IOException("the secret key " + id + " in " + identityFile + " is protected by a passphrase;"
                    + " set encryption.passphrase of the store (e.g. passphrase: \"${LIFEBOAT_GPG_PASSPHRASE}\")");
        }
        try {
            PGPPrivateKey key =
                    secret.extractPrivateKey(new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider())
                            .build(passphrase == null ? new char[0] : passphrase.toCharArray()));
            if (key == null) {
                throw new IOException("the secret key " + id + " in " + identityFile + " has no secret part");
            }
            return key;
        } catch (PGPException | RuntimeException e) {
            throw new IOException(
                    "wrong passphrase for the secret key " + id + " in " + identityFile + " (" + e.getMessage() + ")");
        }
    }

    /** The newest usable encryption key of a ring: not revoked, not expired, flagged (or able) to encrypt. */
    static PGPPublicKey encryptionKey(PGPPublicKeyRing ring) {
        PGPPublicKey chosen = null;
        long now = System.currentTimeMillis();
        for (PGPPublicKey k : ring) {
            if (!k.isEncryptionKey() || k.hasRevocation()) {
                continue;
            }
            long valid = k.getValidSeconds();
            if (valid > 0 && k.getCreationTime().getTime() + valid * 1000 < now) {
                continue;
            }
            int flags = keyFlags(k);
            if (flags >= 0 && (flags & (KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE)) == 0) {
                continue;
            }
            if (chosen == null || !k.getCreationTime().before(chosen.getCreationTime())) {
                chosen = k;
            }
        }
        return chosen;
    }

    /** The key flags its self-signatures give it, or -1 when none says. */
    private static int keyFlags(PGPPublicKey k) {
        int flags = -1;
        Iterator<PGPSignature> sigs = k.getSignatures();
        while (sigs.hasNext()) {
            PGPSignature s = sigs.next();
            int type = s.getSignatureType();
            boolean self = type == PGPSignature.SUBKEY_BINDING
                    || type == PGPSignature.DIRECT_KEY
                    || type == PGPSignature.POSITIVE_CERTIFICATION
                    || type == PGPSignature.DEFAULT_CERTIFICATION
                    || type == PGPSignature.CASUAL_CERTIFICATION
                    || type == PGPSignature.NO_CERTIFICATION;
            if (self
                    && s.getHashedSubPackets() != null
                    && s.getHashedSubPackets().hasSubpacket(27)) {
                flags = Math.max(flags, 0) | s.getHashedSubPackets().getKeyFlags();
            }
        }
        return flags;
    }

    private static String userId(PGPPublicKey key) {
        Iterator<String> ids = key.getUserIDs();
        return ids.hasNext() ? "<" + ids.next() + ">" : "";
    }

    static String hex(byte[] b) {
        return HexFormat.of().withUpperCase().formatHex(b);
    }

    private static InputStream open(Path file, String what) throws IOException {
        try {
            if (Files.size(file) > MAX_KEY_FILE) {
                throw new IOException(what + " " + file + " is larger than 4 MiB: not an OpenPGP key file");
            }
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new IOException("cannot read " + what + " " + file + ": no such file");
        }
    }

    /** The plaintext; at its end the integrity check (MDC) must pass, or the read fails. */
    private static final class Verifying extends InputStream {
        private final InputStream in;
        private final PGPPublicKeyEncryptedData data;
        private final InputStream raw;
        private boolean verified;

        Verifying(InputStream in, PGPPublicKeyEncryptedData data, InputStream raw) {
            this.in = in;
            this.data = data;
            this.raw = raw;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (verified) {
                return -1;
            }
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw new IOException("the OpenPGP message is damaged or truncated: " + e.getMessage(), e);
            }
            if (n < 0) {
                verify();
            }
            return n;
        }

        private void verify() throws IOException {
            boolean ok;
            try {
                ok = data.verify();
            } catch (PGPException | IOException | RuntimeException e) {
                throw new IOException(
                        "the OpenPGP integrity check failed: the message was altered or truncated (" + e.getMessage()
                                + ")",
                        e);
            }
            if (!ok) {
                throw new IOException("the OpenPGP integrity check failed: the message was altered");
            }
            verified = true;
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }
}
