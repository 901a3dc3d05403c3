package io.lifeboat.notify;

import io.lifeboat.domain.Alert;
import io.lifeboat.domain.Durations;
import io.lifeboat.domain.alerting.Notice;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A notice as a person reads it on a phone: a first line with the state and what happened, then per
 * alert the target, the detail, how old the target's last verified backup is, and the command to run.
 * Plain text (no markup to escape), bounded to Telegram's 4096 characters.
 */
public final class NoticeText {

    public static final int MAX = 4096;
    private static final int MAX_DETAIL = 600;
    private static final int MAX_ALERTS = 10;

    private final Function<String, Optional<Instant>> lastVerified;

    /** @param lastVerified a target's last verified backup time, when it has one */
    public NoticeText(Function<String, Optional<Instant>> lastVerified) {
        this.lastVerified = lastVerified;
    }

    public String title(Notice n) {
        String what = n.alerts().isEmpty() ? n.groupKey() : n.alerts().get(0).summary();
        String more = n.alerts().size() > 1 ? " (+" + (n.alerts().size() - 1) + " more)" : "";
        return clean(marker(n) + " " + what + more, 200);
    }

    public String text(Notice n, Instant now) {
        StringBuilder b = new StringBuilder(title(n)).append('\n');
        if (n.kind() == Notice.Kind.DIGEST) {
            b.append(clean(n.digest(), MAX_DETAIL)).append('\n');
        }
        int shown = 0;
        for (Alert a : n.alerts()) {
            if (shown == MAX_ALERTS || b.length() > MAX - 1200) { // room for one more alert and this line
                b.append("\n… and ").append(n.alerts().size() - shown).append(" more alerts");
                break;
            }
            shown++;
            b.append('\n');
            b.append(a.status().equals("resolved") ? "✅ " : "• ")
                    .append(clean(a.summary(), 300))
                    .append(" [")
                    .append(a.severity())
                    .append(']')
                    .append('\n');
            String target = a.labels().get("target");
            if (target != null) {
                b.append("target: ").append(clean(target, 100)).append('\n');
            }
            if (!a.detail().isBlank()) {
                b.append(clean(a.detail(), MAX_DETAIL)).append('\n');
            }
            if (target != null) {
                Optional<Instant> last = safeLastVerified(target);
                b.append("last verified backup: ")
                        .append(last.map(t -> Durations.format(
                                                Duration.between(t, now).withNanos(0)) + " ago")
                                .orElse("none"))
                        .append('\n');
            }
            if (a.status().equals("firing")) {
                b.append("run: ").append(command(a)).append('\n');
            }
        }
        String s = b.toString().strip();
        return s.length() <= MAX ? s : s.substring(0, MAX - 1) + "…";
    }

    private Optional<Instant> safeLastVerified(String target) {
        try {
            return lastVerified.apply(target);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String marker(Notice n) {
        return switch (n.kind()) {
            case RESOLVED -> "RESOLVED";
            case DIGEST -> "FLAPPING";
            case REPEAT -> "STILL " + n.severity().toUpperCase(java.util.Locale.ROOT);
            case FIRING -> n.severity().toUpperCase(java.util.Locale.ROOT);
        };
    }

    /** What the owner should run: the alert's {@code command} label, else what its alertname calls for. */
    public static String command(Alert a) {
        String given = a.labels().get("command");
        if (given != null && !given.isBlank()) {
            return clean(given, 300);
        }
        String t = a.labels().getOrDefault("target", "TARGET");
        return switch (a.labels().getOrDefault("alertname", "")) {
            case "BackupFailed", "RpoBreached" -> "./lifeboat backup " + t;
            case "BackupVerifyFailed", "VerifyFailed" -> "./lifeboat verify latest:" + t;
            case "RestoreDrillFailed", "RestoreDrillSlow" -> "./lifeboat drill " + t;
            case "OffsiteCopyFailed", "OffsiteCopyLagging" -> "./lifeboat copy --all-missing";
            case "SafeModeEntered" -> "./lifeboat safe-mode resume";
            default -> "./lifeboat status";
        };
    }

    /** No control characters (a hostile label cannot forge lines), bounded. */
    static String clean(String s, int max) {
        if (s == null) {
            return "";
        }
        String c = s.replaceAll("[\\p{Cntrl}&&[^\n]]", "?").replace("\n", " ");
        return c.length() <= max ? c : c.substring(0, max - 1) + "…";
    }

    static List<String> lines(String text) {
        return List.of(text.split("\n"));
    }
}
