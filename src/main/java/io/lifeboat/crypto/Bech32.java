package io.lifeboat.crypto;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Bech32 (BIP 173) as age uses it for {@code age1…} recipients and {@code AGE-SECRET-KEY-1…}
 * identities: the original checksum constant, no length limit, all lower or all upper case.
 */
public final class Bech32 {

    private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static final int[] GENERATOR = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};

    private Bech32() {}

    /** A decoded string: its human-readable part (lower case) and its data bytes. */
    public record Decoded(String hrp, byte[] data) {
        public Decoded {
            requireNonNull(hrp, "hrp");
            requireNonNull(data, "data");
        }
    }

    /** Encodes in lower case; {@link String#toUpperCase} of the result is as valid. */
    public static String encode(String hrp, byte[] data) {
        String h = hrp.toLowerCase(Locale.ROOT);
        byte[] values = convertBits(data, 8, 5, true);
        byte[] checksum = checksum(h, values);
        StringBuilder s = new StringBuilder(h.length() + 1 + values.length + checksum.length);
        s.append(h).append('1');
        for (byte v : values) {
            s.append(CHARSET.charAt(v));
        }
        for (byte v : checksum) {
            s.append(CHARSET.charAt(v));
        }
        return s.toString();
    }

    /**
     * Decodes {@code s}; a mistyped or incomplete string is an {@link IllegalArgumentException} that
     * says what is wrong with it (not the string itself, which may be a secret key).
     */
    public static Decoded decode(String s) {
        requireNonNull(s, "s");
        String lower = s.toLowerCase(Locale.ROOT);
        if (!lower.equals(s) && !s.toUpperCase(Locale.ROOT).equals(s)) {
            throw new IllegalArgumentException("mixes upper and lower case");
        }
        int separator = lower.lastIndexOf('1');
        if (separator < 1) {
            throw new IllegalArgumentException("has no '1' separating its prefix from its data");
        }
        if (lower.length() - separator - 1 < 6) {
            throw new IllegalArgumentException("is too short to carry a checksum");
        }
        String hrp = lower.substring(0, separator);
        for (int i = 0; i < hrp.length(); i++) {
            char c = hrp.charAt(i);
            if (c < 33 || c > 126) {
                throw new IllegalArgumentException("has a character outside printable ASCII in its prefix");
            }
        }
        byte[] values = new byte[lower.length() - separator - 1];
        for (int i = 0; i < values.length; i++) {
            char c = lower.charAt(separator + 1 + i);
            int v = CHARSET.indexOf(c);
            if (v < 0) {
                throw new IllegalArgumentException("has the character '" + printable(c)
                        + "', which Bech32 does not use (it leaves out 1, b, i and o)");
            }
            values[i] = (byte) v;
        }
        if (polymod(hrp, values) != 1) {
            throw new IllegalArgumentException(
                    "has a bad checksum (a character is mistyped, or the key is incomplete)");
        }
        byte[] data = new byte[values.length - 6];
        System.arraycopy(values, 0, data, 0, data.length);
        return new Decoded(hrp, convertBits(data, 5, 8, false));
    }

    private static String printable(char c) {
        return c >= 33 && c <= 126 ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }

    private static byte[] checksum(String hrp, byte[] values) {
        byte[] padded = new byte[values.length + 6];
        System.arraycopy(values, 0, padded, 0, values.length);
        int mod = polymod(hrp, padded) ^ 1;
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) ((mod >>> (5 * (5 - i))) & 31);
        }
        return out;
    }

    private static int polymod(String hrp, byte[] values) {
        int chk = 1;
        for (int i = 0; i < hrp.length(); i++) {
            chk = step(chk, hrp.charAt(i) >> 5);
        }
        chk = step(chk, 0);
        for (int i = 0; i < hrp.length(); i++) {
            chk = step(chk, hrp.charAt(i) & 31);
        }
        for (byte v : values) {
            chk = step(chk, v);
        }
        return chk;
    }

    private static int step(int chk, int value) {
        int top = chk >>> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ value;
        for (int i = 0; i < 5; i++) {
            if (((top >>> i) & 1) != 0) {
                chk ^= GENERATOR[i];
            }
        }
        return chk;
    }

    private static byte[] convertBits(byte[] in, int from, int to, boolean pad) {
        int acc = 0;
        int bits = 0;
        int max = (1 << to) - 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length * from / to + 1);
        for (byte b : in) {
            int value = b & 0xff;
            acc = (acc << from) | value;
            bits += from;
            while (bits >= to) {
                bits -= to;
                out.write((acc >>> bits) & max);
            }
        }
        if (pad) {
            if (bits > 0) {
                out.write((acc << (to - bits)) & max);
            }
        } else if (bits >= from || ((acc << (to - bits)) & max) != 0) {
            throw new IllegalArgumentException("has leftover bits that do not form a whole byte");
        }
        return out.toByteArray();
    }
}
