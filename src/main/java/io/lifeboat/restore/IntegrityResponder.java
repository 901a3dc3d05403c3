package io.lifeboat.restore;

import static java.util.Objects.requireNonNull;

import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.Alert;
import io.lifeboat.domain.HealthEvent;
import io.lifeboat.domain.Trigger;
import io.lifeboat.events.Events;
import io.lifeboat.safemode.SafeModeService;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Lifeboat does when a service reports {@code integrity_failed}: for a target of the same name
 * with {@code autoRestore: true}, and only while Safe Mode is off, it restores the latest verified
 * backup (to a new database first, validated, then swapped in, the old one kept for rollback).
 * Otherwise it alerts with the exact command an operator runs.
 */
public final class IntegrityResponder {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrityResponder.class);

    /** Restores the newest verified backup of a target over the live data; returns the report. */
    @FunctionalInterface
    public interface AutoRestore {
        IncidentReport restoreLatestOver(String target, Trigger trigger) throws Exception;
    }

    /** What to do about one integrity failure. */
    public enum Decision {
        /** No target has the service's name: nothing of ours to restore. */
        NOT_A_TARGET,
        /** The target does not allow automatic restores: alert with the command. */
        ALERT_AUTO_RESTORE_OFF,
        /** Safe Mode holds every destructive action: alert with the command. */
        ALERT_SAFE_MODE,
        RESTORE
    }

    private final LifeboatConfig config;
    private final SafeModeService safeMode;
    private final Events events;
    private final AutoRestore restore;
    private final Clock clock;

    /**
     * @param safeMode the {@code safeMode} bean: asked at each event, so a change made anywhere counts
     */
    public IntegrityResponder(
            LifeboatConfig config, SafeModeService safeMode, Events events, AutoRestore restore, Clock clock) {
        this.config = requireNonNull(config, "config");
        this.safeMode = requireNonNull(safeMode, "safeMode");
        this.events = requireNonNull(events, "events");
        this.restore = requireNonNull(restore, "restore");
        this.clock = requireNonNull(clock, "clock");
    }

    /** The rule, alone: a target that allows it, and Safe Mode off. */
    public static Decision decide(TargetConfig target, boolean safeModeOn) {
        if (target == null) {
            return Decision.NOT_A_TARGET;
        }
        if (!target.autoRestore()) {
            return Decision.ALERT_AUTO_RESTORE_OFF;
        }
        return safeModeOn ? Decision.ALERT_SAFE_MODE : Decision.RESTORE;
    }

    /** Handles one health event; returns what it did, for the log and the route's answer. */
    public String onHealthEvent(HealthEvent event) {
        if (!HealthEvent.INTEGRITY_FAILED.equals(event.status())) {
            return "ignored: status " + event.status();
        }
        TargetConfig target = config.target(event.service()).orElse(null);
        Decision decision = decide(target, safeMode.isOn());
        String name = event.service();
        String command = "./lifeboat restore latest:" + name + " --replace";
        switch (decision) {
            case NOT_A_TARGET -> {
                return "ignored: no target named " + name;
            }
            case ALERT_AUTO_RESTORE_OFF, ALERT_SAFE_MODE -> {
                String why = decision == Decision.ALERT_SAFE_MODE
                        ? "Safe Mode is on, so Lifeboat restores nothing by itself"
                        : "autoRestore is off for this target";
                events.alert(Alert.firing(
                        "IntegrityFailed",
                        "critical",
                        name,
                        name + " reports integrity_failed",
                        (event.detail().isBlank() ? "" : event.detail() + ". ") + why
                                + ". To restore the latest verified backup (checked, validated, old data kept for"
                                + " rollback): " + command + "   (dry run first: " + command.replace(" --replace", "")
                                + " --dry-run)",
                        clock.instant()));
                return "alerted: " + why;
            }
            default -> {
                events.event(
                        "restore",
                        "requested",
                        name,
                        clock.instant(),
                        Map.of("reason", "integrity_failed: " + event.detail(), "automatic", true));
                try {
                    IncidentReport report = restore.restoreLatestOver(
                            name, new Trigger("event", "integrity_failed from " + name + ": " + event.detail()));
                    return report.ok() ? "restored " + report.backupId() : "restore failed: " + report.error();
                } catch (Exception e) {
                    // the restore service records, announces and alerts its own failures
                    LOG.warn("automatic restore of {} failed: {}", name, e.getMessage());
                    return "restore failed: " + e.getMessage();
                }
            }
        }
    }
}
