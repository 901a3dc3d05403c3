package io.lifeboat.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The API token ({@code http.token}) and the check of a presented one. Both are hashed with SHA-256
 * first and compared with {@link MessageDigest#isEqual}, so the time taken says nothing about how
 * much of a guess was right, nor about the token's length. The token itself is never logged and
 * {@link #toString()} does not show it.
 */
public final class BearerToken {

    private final byte[] digest;

    private BearerToken(byte[] digest) {
        this.digest = digest;
    }

    /** The configured token, or null when none is set (then the API refuses every request). */
    public static BearerToken of(String token) {
        return token == null || token.isEmpty() ? null : new BearerToken(sha256(token));
    }

    /** The token of an {@code Authorization: Bearer <token>} header value, or null when it is not one. */
    public static String fromHeader(String value) {
        String v = value.trim();
        int space = v.indexOf(' ');
        if (space < 0 || !v.substring(0, space).equalsIgnoreCase("Bearer")) {
            return null;
        }
        return v.substring(space + 1).trim();
    }

    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken[set]";
    }
}
