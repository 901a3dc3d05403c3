package io.lifeboat.domain;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A backup's id: its UTC start time first, so ids sort by time, then a short random suffix so two
 * backups started in the same second never collide. Example: {@code 20261123T173600Z-3fa9c1}.
 */
public record BackupId(String value) implements Comparable<BackupId> {

    private static final Pattern FORMAT = Pattern.compile("\\d{8}T\\d{6}Z-[0-9a-f]{6}");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    public BackupId {
        requireNonNull(value, "value");
        if (!FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    "not a backup id: '" + value + "' (expected like 20261123T173600Z-3fa9c1)");
        }
    }

    public static BackupId at(Instant start) {
        byte[] suffix = new byte[3];
        RANDOM.nextBytes(suffix);
        return new BackupId(STAMP.format(start) + "-" + HexFormat.of().formatHex(suffix));
    }

    public static boolean isValid(String value) {
        return value != null && FORMAT.matcher(value).matches();
    }

    public Instant timestamp() {
        return STAMP.parse(value.substring(0, 16), Instant::from);
    }

    @Override
    public int compareTo(BackupId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
