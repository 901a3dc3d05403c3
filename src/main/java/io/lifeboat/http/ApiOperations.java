package io.lifeboat.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Payloads;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Verification;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.restore.RestoreService;
import io.lifeboat.safemode.SafeModeService;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two API operations that act on stored backups: {@code POST /api/backups/{id}/verify} reads a
 * backup back and checks it (answered when done: 200 verified, 422 not), and {@code POST
 * /api/restores} plans a restore at once (400 with the reason when it does not fit) and runs it in
 * the background, one at a time (202; its progress is the {@code restore.*} events and the run in
 * {@code /api/status}). A dry run answers the plan and changes nothing. While Safe Mode is on, a
 * restore that would replace live data is refused over HTTP (409): Safe Mode exists to stop
 * destructive actions until someone has looked; restoring into a copy is allowed.
 */
public final class ApiOperations implements AutoCloseable {

    public static final String BEAN = "apiOperations";

    private static final Logger LOG = LoggerFactory.getLogger(ApiOperations.class);
    private static final Set<String> RESTORE_FIELDS = Set.of("backup", "into", "table", "replace", "dryRun", "reason");
    private static final int MAX_TEXT = 200;

    /** An answer: the HTTP status and its JSON body. */
    public record Answer(int status, Map<String, Object> body) {}

    private final BackupService backups;
    private final RestoreService restores;
    private final SafeModeService safeMode;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "lifeboat-api-restore");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<String> running = new AtomicReference<>();

    public ApiOperations(BackupService backups, RestoreService restores, SafeModeService safeMode) {
        this.backups = requireNonNull(backups, "backups");
        this.restores = requireNonNull(restores, "restores");
        this.safeMode = requireNonNull(safeMode, "safeMode");
    }

    /** Verifies backup {@code id} now and answers with the result. */
    public Answer verify(String id) {
        Manifest manifest;
        try {
            manifest = backups.resolve(id);
        } catch (IllegalArgumentException e) {
            return error(404, "not_found", e.getMessage());
        } catch (IOException e) {
            LOG.warn("verify {} over HTTP: the store could not be read: {}", id, e.toString());
            return error(503, "unavailable", "the store could not be read; see the daemon log");
        }
        Verification v = backups.verify(manifest, new Progress());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("backupId", v.backupId());
        body.put("target", v.target());
        body.put("verified", v.ok());
        body.put("at", v.at().toString());
        body.put("bytes", v.bytes());
        body.put("expectedSha256", v.expectedSha256());
        body.put("actualSha256", v.actualSha256());
        body.put("detail", v.detail());
        return new Answer(v.ok() ? 200 : 422, body);
    }

    /** Plans the restore the body asks for and starts it (or answers the plan, for a dry run). */
    public Answer restore(byte[] payload) {
        JsonNode node;
        try {
            node = payload == null || payload.length == 0 ? null : Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            return error(400, "not_json", "the body is not JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            return error(
                    400,
                    "invalid",
                    "send a JSON object, e.g. {\"backup\":\"latest:app-db\",\"into\":\"app_db_check\"}");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!RESTORE_FIELDS.contains(field)) {
                return error(
                        400,
                        "bad_field",
                        "unknown field \"" + Payloads.printable(field) + "\"; known: " + RESTORE_FIELDS);
            }
        }
        String backup;
        String into;
        String table;
        String reason;
        boolean replace;
        boolean dryRun;
        try {
            backup = text(node, "backup", true);
            into = text(node, "into", false);
            table = text(node, "table", false);
            reason = text(node, "reason", false);
            replace = flag(node, "replace");
            dryRun = flag(node, "dryRun");
        } catch (IllegalArgumentException e) {
            return error(400, "invalid", e.getMessage());
        }
        if (replace && !dryRun && safeMode.isOn()) {
            return error(
                    409,
                    "safe_mode",
                    "Safe Mode is on: a restore that replaces live data is refused over HTTP until Safe Mode is"
                            + " resumed; restore into a copy (\"into\") or use ./lifeboat restore on the host");
        }
        Trigger trigger = Trigger.manual("restore over HTTP" + (reason == null ? "" : ": " + reason));
        RestoreService.Plan plan;
        try {
            plan = restores.plan(backup, new RestoreService.Options(into, replace, table, trigger));
        } catch (IllegalArgumentException e) {
            return error(400, "invalid", e.getMessage());
        } catch (IOException e) {
            LOG.warn("restore {} over HTTP: could not be planned: {}", backup, e.toString());
            return error(503, "unavailable", "the store could not be read; see the daemon log");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("backupId", plan.manifest().id());
        body.put("target", plan.target().name());
        body.put("into", into);
        body.put("replace", replace);
        body.put("steps", new ArrayList<>(plan.steps()));
        if (dryRun) {
            body.put("dryRun", true);
            return new Answer(200, body);
        }
        String what = plan.target().name() + " from " + plan.manifest().id();
        if (!running.compareAndSet(null, what)) {
            return error(409, "busy", "a restore is running (" + running.get() + "); try again when it has finished");
        }
        try {
            worker.submit(() -> run(plan, what));
        } catch (RuntimeException e) {
            running.set(null);
            return error(503, "unavailable", "Lifeboat is stopping");
        }
        body.put("accepted", true);
        return new Answer(202, body);
    }

    private void run(RestoreService.Plan plan, String what) {
        try {
            RestoreService.Outcome outcome = restores.restore(plan, new Progress());
            if (outcome.ok()) {
                LOG.info("restore of {} over HTTP finished: {}", what, outcome.location());
            } else {
                LOG.warn("restore of {} over HTTP failed: {}", what, outcome.error());
            }
        } catch (RuntimeException e) {
            LOG.error("restore of {} over HTTP failed", what, e);
        } finally {
            running.set(null);
        }
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException("\"" + field + "\" is required: a backup id or latest:TARGET");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a non-empty string");
        }
        if (v.asText().length() > MAX_TEXT) {
            throw new IllegalArgumentException("\"" + field + "\" is longer than " + MAX_TEXT + " characters");
        }
        return v.asText();
    }

    private static boolean flag(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("\"" + field + "\" must be true or false");
        }
        return v.asBoolean();
    }

    private static Answer error(int status, String reason, String detail) {
        return new Answer(status, ApiResponses.error(detail, reason));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return Payloads.printable(nl < 0 ? s : s.substring(0, nl));
    }

    /** Lets a running restore go on (it records its own end); takes no new one. */
    @Override
    public void close() {
        worker.shutdown();
    }

    /** What is restoring now, for tests and status; null when nothing. */
    String running() {
        return running.get();
    }
}
