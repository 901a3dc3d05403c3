package io.lifeboat.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** The few primitives age needs, over the JDK's own providers: X25519, HKDF-SHA-256, ChaCha20-Poly1305. */
final class Primitives {

    static final SecureRandom RANDOM = new SecureRandom();
    /** The Curve25519 base point, u = 9, little-endian. */
    static final byte[] BASEPOINT = basepoint();

    private Primitives() {}

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * RFC 7748 X25519 of a 32-byte scalar and a 32-byte little-endian u-coordinate. An all-zero result
     * (a point of small order) is a {@link GeneralSecurityException}: age must abort on it.
     */
    static byte[] x25519(byte[] scalar, byte[] u) throws GeneralSecurityException {
        if (scalar.length != 32 || u.length != 32) {
            throw new GeneralSecurityException("X25519 keys are 32 bytes");
        }
        byte[] bigEndian = new byte[32];
        for (int i = 0; i < 32; i++) {
            bigEndian[i] = u[31 - i];
        }
        bigEndian[0] &= 0x7f; // RFC 7748: the top bit of the last byte is ignored
        KeyFactory factory = KeyFactory.getInstance("XDH");
        KeyAgreement agreement = KeyAgreement.getInstance("XDH");
        agreement.init(factory.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar)));
        agreement.doPhase(
                factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, bigEndian))),
                true);
        byte[] shared;
        try {
            shared = agreement.generateSecret();
        } catch (IllegalStateException e) { // the JDK's way to say "point has small order"
            throw new GeneralSecurityException("X25519 result is all zero (a point of small order)", e);
        }
        int any = 0;
        for (byte b : shared) {
            any |= b;
        }
        if (any == 0) {
            throw new GeneralSecurityException("X25519 result is all zero (a point of small order)");
        }
        return shared;
    }

    /** HKDF-SHA-256 (RFC 5869) with 32 bytes of output; an empty salt means 32 zero bytes. */
    static byte[] hkdf(byte[] ikm, byte[] salt, String info) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(info.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256", e);
        }
    }

    static byte[] hmacSha256(byte[] key, byte[] data, int len) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(data, 0, len);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256", e);
        }
    }

    static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    static Cipher chacha() {
        try {
            return Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no ChaCha20-Poly1305", e);
        }
    }

    /** ChaCha20-Poly1305 with a zero nonce: how age wraps a file key. */
    static byte[] seal(byte[] key, byte[] plaintext) {
        try {
            Cipher c = chacha();
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(new byte[12]));
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
        }
    }

    /** Opens what {@link #seal} made; null when the key does not fit or the data was altered. */
    static byte[] open(byte[] key, byte[] ciphertext) {
        try {
            Cipher c = chacha();
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(new byte[12]));
            return c.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
        }
    }

    private static byte[] basepoint() {
        byte[] b = new byte[32];
        b[0] = 9;
        return b;
    }
}
