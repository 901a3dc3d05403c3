package io.lifeboat.config;

import java.util.ArrayList;
import java.util.List;

/** Collects {@code key: message} problems while the config is read, so all are reported at once. */
final class Problems {

    private final List<String> list = new ArrayList<>();

    void add(String key, String message) {
        list.add(key + ": " + message);
    }

    int count() {
        return list.size();
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    List<String> list() {
        return List.copyOf(list);
    }

    /** A text from the file made safe to print: control characters replaced, long texts cut. */
    static String printable(String text) {
        StringBuilder b = new StringBuilder();
        text.codePoints().limit(64).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return text.codePointCount(0, text.length()) > 64 ? b.append("...").toString() : b.toString();
    }

    /** The known key closest to an unknown one, for "did you mean"; null when none is close. */
    static String closest(String unknown, Iterable<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        String u = unknown.toLowerCase();
        for (String k : known) {
            int d = distance(u, k.toLowerCase());
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(1, Math.min(2, unknown.length() / 3)) ? best : null;
    }

    private static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 3) {
            return Integer.MAX_VALUE;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
