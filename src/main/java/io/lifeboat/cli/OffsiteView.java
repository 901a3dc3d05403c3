package io.lifeboat.cli;

import io.lifeboat.Json;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.domain.CopyRecord;
import io.lifeboat.domain.Durations;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.OffsiteLag;
import io.lifeboat.domain.OffsiteState;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.OffsiteCopier;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.OffsiteCopies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The off-site copy state as {@code list}, {@code status} and {@code backup} show it; all of it read from storage. */
final class OffsiteView {

    private OffsiteView() {}

    /** The copy states of {@code target}'s backups (all when null), or null when no off-site store is configured. */
    static OffsiteCopies scan(Session s, String target) throws Exception {
        return scan(s.store(), s.offsiteStore(), target, w -> System.err.println("warning: " + w));
    }

    /** As {@link #scan(Session, String)}, for the daemon's API: warnings go to {@code warn}. */
    static OffsiteCopies scan(BackupStore store, BackupStore offsiteStore, String target, Consumer<String> warn) {
        if (offsiteStore == null) {
            return null;
        }
        OffsiteCopies copies = OffsiteCopies.scan(store, offsiteStore, target, warn);
        copies.unreachable()
                .ifPresent(why -> warn.accept("the off-site store is unreachable (" + why
                        + "); OFFSITE shows the copy results recorded in the primary store"));
        return copies;
    }

    /** {@code yes}, {@code FAILED}, {@code no}, or {@code -} without an off-site store. */
    static String label(OffsiteCopies copies, Manifest m) {
        return copies == null
                ? OffsiteState.NOT_CONFIGURED_LABEL
                : copies.status(m).state().label();
    }

    /** The {@code offsite} field of {@code list --json}: state, when, why; null without an off-site store. */
    static Map<String, Object> json(OffsiteCopies copies, Manifest m) {
        if (copies == null) {
            return null;
        }
        OffsiteCopies.Status st = copies.status(m);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("state", st.state().json());
        if (st.at() != null) {
            o.put("at", st.at().toString());
        }
        o.put("detail", st.detail());
        copies.copy(m).ifPresent(f -> o.put("artifactKey", f.manifest().artifactKey()));
        return o;
    }

    /** Adds each target's newest off-site copy and lag to the {@code status} states (nothing without an off-site store). */
    static void addToStates(Session s, List<Map<String, Object>> states) throws Exception {
        if (s.offsiteStore() == null) {
            return;
        }
        addToStates(s.service(), s.offsiteStore(), states, w -> System.err.println("warning: " + w));
    }

    /** As {@link #addToStates(Session, List)}, for the daemon's API: warnings go to {@code warn}. */
    static void addToStates(
            BackupService service, BackupStore offsiteStore, List<Map<String, Object>> states, Consumer<String> warn) {
        if (offsiteStore == null) {
            return;
        }
        OffsiteCopier.LagReport report;
        try {
            report = service.offsite().orElseThrow().lag();
        } catch (RuntimeException e) {
            warn.accept("off-site state unknown: " + e.getMessage());
            for (Map<String, Object> st : states) {
                st.put("offsite", Map.of("store", offsiteStore.describe(), "error", String.valueOf(e.getMessage())));
            }
            return;
        }
        Instant now = Instant.now();
        for (Map<String, Object> st : states) {
            for (OffsiteLag l : report.targets()) {
                if (!l.target().equals(st.get("target"))) {
                    continue;
                }
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("store", offsiteStore.describe());
                o.put("newestCopyId", l.newestCopyId());
                if (l.newestCopyAt() != null) {
                    o.put("newestCopyAt", l.newestCopyAt().toString());
                    o.put("age", Durations.format(Duration.between(l.newestCopyAt(), now)));
                    o.put("ageSeconds", Duration.between(l.newestCopyAt(), now).getSeconds());
                }
                o.put("lagging", l.lagging());
                o.put("missing", l.missing());
                o.put("detail", l.reason());
                if (report.unreachable() != null) {
                    o.put("unreachable", report.unreachable());
                }
                st.put("offsite", o);
            }
        }
    }

    /** The {@code status} line under a target: its newest off-site copy and whether it lags. */
    @SuppressWarnings("unchecked")
    static void printStatusLine(Map<String, Object> st) {
        Object value = st.get("offsite");
        if (!(value instanceof Map)) {
            return;
        }
        Map<String, Object> o = (Map<String, Object>) value;
        if (o.get("error") != null) {
            System.out.println("    off-site: state unknown: " + o.get("error"));
            return;
        }
        int missing = ((Number) o.get("missing")).intValue();
        String newest = o.get("newestCopyId") == null
                ? "no verified copy"
                : "newest " + o.get("newestCopyId") + " (" + o.get("age") + " old)";
        String state = Boolean.TRUE.equals(o.get("lagging"))
                ? "LAGGING: " + o.get("detail")
                : missing > 0
                        ? missing + " newer backup(s) to copy, within the RPO"
                        : o.get("newestCopyId") == null ? "nothing to copy yet" : "up to date";
        System.out.println("    off-site: " + newest + ", " + state
                + (o.get("unreachable") == null ? "" : " (store unreachable: " + o.get("unreachable") + ")"));
    }

    /** After {@code backup TARGET}: what became of the off-site copy of {@code m}, from the run just recorded. */
    static void reportCopy(Session s, Manifest m) throws Exception {
        if (s.offsiteStore() == null) {
            return;
        }
        RunRow run = s.catalog()
                .lastRun(m.target(), OffsiteCopier.OPERATION)
                .filter(r -> m.id().equals(r.backupId()))
                .orElse(null);
        if (run == null) {
            return;
        }
        if (RunRow.SUCCEEDED.equals(run.result())) {
            System.err.println(m.target() + ": off-site copy verified in "
                    + s.offsiteStore().describe());
        } else {
            String why = run.error();
            try {
                why = Json.read(run.detail().getBytes(StandardCharsets.UTF_8), CopyRecord.class)
                        .detail();
            } catch (java.io.IOException | RuntimeException e) {
                // the error as recorded will do
            }
            System.err.println(m.target() + ": off-site copy FAILED: " + why
                    + "\n  the backup is verified on the primary store; copy it later with ./lifeboat copy " + m.id());
        }
    }
}
