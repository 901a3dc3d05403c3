package io.lifeboat.catalog;

import java.nio.charset.StandardCharsets;

/** Keeps free text (errors, a tool's stderr) storable: bounded in size and free of NUL characters. */
final class TextBounds {

    /** The most of a tool's stderr or an error message kept per run, in UTF-8 bytes. */
    static final int MAX_BYTES = 16 * 1024;

    private TextBounds() {}

    /**
     * The text without NUL characters (PostgreSQL rejects them), cut to at most {@code maxBytes} UTF-8
     * bytes by keeping the end, where tools print the reason they failed. Null stays null.
     */
    static String tail(String text, int maxBytes) {
        if (text == null) {
            return null;
        }
        String clean = text.replace("\u0000", "");
        byte[] bytes = clean.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes) {
            return clean;
        }
        String marker = "[... " + "%d" + " bytes cut ...]\n";
        int keep = maxBytes - marker.length() - 20;
        int from = bytes.length - keep;
        while (from < bytes.length && (bytes[from] & 0xC0) == 0x80) {
            from++; // do not start inside a multi-byte character
        }
        return String.format(marker, from) + new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }
}
