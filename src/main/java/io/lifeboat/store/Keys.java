package io.lifeboat.store;

/**
 * Checks object keys and list prefixes before a store touches them. A key is one or more
 * slash-separated segments, each non-empty, never {@code .} or {@code ..}, without backslashes or
 * control characters, so it can never escape the store's root folder nor mean different things
 * to the filesystem and the S3 stores.
 */
final class Keys {

    private Keys() {}

    /** Returns {@code key} if it is a valid object key, else throws IllegalArgumentException naming it. */
    static String checkKey(String key) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        if (key.endsWith("/")) {
            throw new IllegalArgumentException("invalid key '" + printable(key) + "': it ends with '/'");
        }
        checkPath(key, "key");
        return key;
    }

    /**
     * Returns {@code prefix} if it is a valid list prefix: empty, or a key possibly ending with '/'
     * or in the middle of a segment.
     */
    static String checkPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("prefix must not be null");
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        String body = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (body.isEmpty()) {
            throw new IllegalArgumentException("invalid prefix '/': it is absolute");
        }
        checkPath(body, "prefix");
        return prefix;
    }

    private static void checkPath(String path, String what) {
        String shown = printable(path);
        if (path.startsWith("/")) {
            throw new IllegalArgumentException("invalid " + what + " '" + shown + "': it is absolute");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\') {
                throw new IllegalArgumentException("invalid " + what + " '" + shown + "': it contains a backslash");
            }
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException(
                        "invalid " + what + " '" + shown + "': it contains a control character");
            }
        }
        if (path.length() >= 2 && path.charAt(1) == ':' && Character.isLetter(path.charAt(0))) {
            throw new IllegalArgumentException("invalid " + what + " '" + shown + "': it is absolute");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("invalid " + what + " '" + shown + "': it has an empty segment");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException(
                        "invalid " + what + " '" + shown + "': segment '" + segment + "' is not allowed");
            }
        }
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }
}
