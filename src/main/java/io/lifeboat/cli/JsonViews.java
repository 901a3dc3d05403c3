package io.lifeboat.cli;

import io.lifeboat.catalog.Catalog;
import io.lifeboat.config.LifeboatConfig;
import io.lifeboat.http.ApiViews;
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

    private JsonViews() {}

    /** Each configured target's state, in config order (without the off-site part, see OffsiteView). */
    static List<Map<String, Object>> states(LifeboatConfig config, BackupService service) {
        List<Map<String, Object>> states = new ArrayList<>();
        for (String target : config.targets().keySet()) {
            states.add(service.states().state(target));
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

    /** The daemon's views for the API: the same JSON from its own store, catalog and off-site store. */
    static ApiViews forDaemon(
            LifeboatConfig config,
            BackupService service,
            Catalog catalog,
            BackupStore store,
            BackupStore offsiteStore) {
        return new ApiViews() {
            @Override
            public Object status() {
                List<Map<String, Object>> states = states(config, service);
                OffsiteView.addToStates(service, offsiteStore, states, LOG::warn);
                return JsonViews.status(states, catalog.safeMode().orElse(null));
            }

            @Override
            public Object backups(String target) {
                List<Found> backups = new StoredBackups(store).scan(target); // storage only, as list does
                return list(backups, OffsiteView.scan(store, offsiteStore, target, LOG::warn));
            }
        };
    }
}
