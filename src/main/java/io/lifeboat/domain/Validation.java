package io.lifeboat.domain;

/**
 * One check a restored copy must pass, from a target's {@code drill.validate} list. Which field is
 * set depends on the kind: {@code sql} (postgres: the query's first column of the first row, a
 * number), {@code keys} (redis: a key pattern, counted with SCAN), {@code files} (directory: a glob
 * of restored files, counted), {@code command} (command kind: a shell line run with the restored
 * copy's location in {@code $LIFEBOAT_RESTORED}; it passes when it exits 0). {@code min} and {@code
 * max} bound the number; null means unbounded.
 */
public record Validation(String sql, String keys, String files, String command, Long min, Long max) {

    /** What the check is, for reports: {@code sql: select count(*) from users}. */
    public String describe() {
        String what = sql != null
                ? "sql: " + sql
                : keys != null ? "keys: " + keys : files != null ? "files: " + files : "command: " + command;
        String bounds = (min != null ? " >= " + min : "") + (max != null ? " <= " + max : "");
        return what + bounds;
    }

    /** Whether {@code value} is within the bounds. */
    public boolean accepts(long value) {
        return (min == null || value >= min) && (max == null || value <= max);
    }
}
