package io.lifeboat.cli;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.Durations;
import io.lifeboat.http.ApiViews;
import io.lifeboat.outbox.Outbox;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.OffsiteCopies;
import io.lifeboat.store.StoredBackups;
import io.lifeboat.store.StoredBackups.Found;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON of {@code status --json} and {@code list --json}, built once for the command line and for
 * the daemon's API ({@code GET /api/status}, {@code GET /api/backups}), so the two cannot drift.
 */
final class JsonViews {

    private static final Logger LOG = LoggerFactory.getLogger(JsonViews.class);

    /** How many runs {@code recentRuns} holds: enough for a screen, small enough to read every 10 s. */
    static final int RECENT_RUNS = 20;

    private JsonViews() {}

    /**
     * Each configured target's state, in config order (without the off-site part, see OffsiteView),
     * with the target's {@code drill.rto} as {@code drillRto}/{@code drillRtoSeconds} when it has one,
     * so a drill's RTO can be read against its objective before any drill has run.
     */
    static List<Map<String, Object>> states(LifeboatConfig config, BackupService service) {
        List<Map<String, Object>> states = new ArrayList<>();
        for (String target : config.targets().keySet()) {
            Map<String, Object> state = service.states().state(target);
            TargetConfig t = config.targets().get(target);
            if (t != null && t.drill() != null && t.drill().rto() != null) {
                state.put("drillRtoSeconds", t.drill().rto().getSeconds());
                state.put("drillRto", Durations.format(t.drill().rto()));
            }
            states.add(state);
        }
        return states;
    }

    /** {@code status --json}: {@code {"targets":[…],"safeMode":{…}}}. */
    static Map<String, Object> status(List<Map<String, Object>> states, Catalog.SafeModeChange safeMode) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("targets", states);
        out.put(
                "safeMode",
                safeMode == null ? new LinkedHashMap<>(Map.of("on", false)) : SafeModeCommand.json(safeMode));
        return out;
    }

    /**
     * {@code status --json} with the newest runs over all targets ({@code recentRuns}, newest first)
     * and, from the daemon only, its outbox ({@code outbox}: depth and whether the broker is connected;
     * a one-shot command has no outbox running, so the field is left out).
     */
    static Map<String, Object> status(
            List<Map<String, Object>> states, Catalog.SafeModeChange safeMode, List<RunRow> runs, Outbox outbox) {
        Map<String, Object> out = status(states, safeMode);
        out.put("recentRuns", runs(runs));
        if (outbox != null) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("depth", outbox.depth());
            o.put("connected", outbox.connected());
            out.put("outbox", o);
        }
        return out;
    }

    /** Runs as {@code recentRuns} shows them: what, why (trigger type and detail), when, how it ended. */
    static List<Map<String, Object>> runs(List<RunRow> rows) {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (RunRow r : rows) {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("runId", r.runId());
            run.put("target", r.target());
            run.put("operation", r.operation());
            Map<String, Object> trigger = new LinkedHashMap<>();
            trigger.put("type", r.trigger().type());
            trigger.put("detail", r.trigger().detail());
            run.put("trigger", trigger);
            run.put("startedAt", r.startedAt().toString());
            run.put("finishedAt", r.finishedAt() == null ? null : r.finishedAt().toString());
            run.put("result", r.result());
            run.put("backupId", r.backupId());
            run.put("error", r.error());
            runs.add(run);
        }
        return runs;
    }

    /** {@code list --json}: one row per backup, newest first. */
    static List<Map<String, Object>> list(List<Found> backups, OffsiteCopies offsite) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Found b : backups) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("manifest", b.manifest());
            row.put("verified", b.verified());
            row.put("lastVerification", b.lastVerification().orElse(null));
            row.put("offsite", OffsiteView.json(offsite, b.manifest()));
            rows.add(row);
        }
        return rows;
    }

    /**
     * The daemon's views for the API: the same JSON from its own store, catalog and off-site store,
     * and the depth of its outbox (null: none).
     */
    static ApiViews forDaemon(
            LifeboatConfig config,
            BackupService service,
            Catalog catalog,
            BackupStore store,
            BackupStore offsiteStore,
            Outbox outbox) {
        return new ApiViews() {
            @Override
            public Object status() {
                List<Map<String, Object>> states = states(config, service);
                OffsiteView.addToStates(service, offsiteStore, states, LOG::warn);
                return JsonViews.status(
                        states, catalog.safeMode().orElse(null), catalog.recentRuns(RECENT_RUNS), outbox);
            }

            @Override
            public Object backups(String target) {
                List<Found> backups = new StoredBackups(store).scan(target); // storage only, as list does
                return list(backups, OffsiteView.scan(store, offsiteStore, target, LOG::warn));
            }
        };
    }
}
