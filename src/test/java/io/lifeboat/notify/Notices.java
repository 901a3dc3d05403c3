package io.lifeboat.notify;

import io.lifeboat.domain.Alert;
import io.lifeboat.domain.alerting.Notice;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Notices for delivery tests: each names its number in the summary, so a message can be traced to it. */
final class Notices {

    private Notices() {}

    static Notice firing(String receiver, String id, String severity) {
        Alert a = new Alert(
                "BackupFailed:db",
                severity,
                "firing",
                "BackupFailed on db #" + id,
                "pg_dump exited 1",
                Map.of("alertname", "BackupFailed", "target", "db"),
                Instant.parse("2026-11-24T00:00:00Z"),
                null);
        return new Notice(
                id,
                receiver,
                "0{target=db}",
                Map.of("target", "db"),
                Notice.Kind.FIRING,
                severity,
                List.of(a),
                Instant.now(),
                "");
    }

    static Notice resolved(String receiver, String id) {
        Alert a = new Alert(
                "BackupFailed:db",
                "warning",
                "resolved",
                "BackupFailed on db #" + id,
                "",
                Map.of("alertname", "BackupFailed", "target", "db"),
                Instant.parse("2026-11-24T00:00:00Z"),
                Instant.now());
        return new Notice(
                id,
                receiver,
                "0{target=db}",
                Map.of("target", "db"),
                Notice.Kind.RESOLVED,
                "warning",
                List.of(a),
                Instant.now(),
                "");
    }

    /** Polls until the condition holds or the time is up (real I/O: generous limits, no timing asserted). */
    static void await(long millis, java.util.function.BooleanSupplier done) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("not done within " + millis + " ms");
            }
            Thread.sleep(50);
        }
    }
}
