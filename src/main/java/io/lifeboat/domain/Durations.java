package io.lifeboat.domain;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations the config uses: {@code 90s}, {@code 5m}, {@code 26h}, {@code 7d}, {@code 1h30m}. */
public final class Durations {

    private static final Pattern WHOLE = Pattern.compile("(\\d+(ms|s|m|h|d|w))+");
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

    private Durations() {}

    public static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text.trim()).matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 30s, 5m, 26h, 7d, 1h30m)");
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(text.trim());
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        case "d" -> Duration.ofDays(n);
                        case "w" -> Duration.ofDays(7 * n);
                        default -> throw new IllegalStateException(m.group(2));
                    });
        }
        return total;
    }

    /** Formats a duration for people: {@code 2d3h}, {@code 5m12s}, {@code 0s}. */
    public static String format(Duration d) {
        long s = Math.max(0, d.getSeconds());
        long days = s / 86400, hours = (s % 86400) / 3600, mins = (s % 3600) / 60, secs = s % 60;
        StringBuilder b = new StringBuilder();
        if (days > 0) b.append(days).append('d');
        if (hours > 0) b.append(hours).append('h');
        if (mins > 0 && days == 0) b.append(mins).append('m');
        if (secs > 0 && days == 0 && hours == 0) b.append(secs).append('s');
        return b.length() == 0 ? "0s" : b.toString();
    }
}
