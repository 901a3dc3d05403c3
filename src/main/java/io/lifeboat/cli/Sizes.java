package io.lifeboat.cli;

import java.util.Locale;

/** Byte counts and rates for people. */
final class Sizes {

    private Sizes() {}

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String rate(long bytes, double seconds) {
        return bytes(seconds <= 0 ? 0 : (long) (bytes / seconds)) + "/s";
    }
}
