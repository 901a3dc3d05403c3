package io.lifeboat.catalog;

import static java.util.Objects.requireNonNull;

import io.lifeboat.Json;
import io.lifeboat.config.LifeboatConfig.CatalogConfig;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Verification;
import io.lifeboat.store.BackupStore;
import io.lifeboat.store.StoredBackups;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index of backups and the history of runs, in PostgreSQL or an embedded H2 file database.
 * Storage stays the source of truth (PRODUCT.md rule 3): {@link #rebuild(BackupStore)} recreates the
 * backups table from it at any time. Safe to use from several threads: every call takes its own
 * connection. Only prepared statements touch the data.
 */
public final class Catalog implements AutoCloseable {

    /** The error a run left {@code running} by a process that ended gets. */
    public static final String ABANDONED = "abandoned (process ended during the run)";

    private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);
    private static final Set<String> FINAL_RESULTS = Set.of(RunRow.SUCCEEDED, RunRow.FAILED);

    private static final String BACKUP_COLUMNS =
            "target, id, kind, started_at, finished_at, trigger_type, trigger_detail,"
                    + " artifact_key, stored_bytes, raw_bytes, sha256, manifest, last_verified_at, last_verify_ok";
    private static final String INSERT_BACKUP =
            "insert into backups (" + BACKUP_COLUMNS + ")" + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String UPDATE_BACKUP = "update backups set kind = ?, started_at = ?, finished_at = ?,"
            + " trigger_type = ?, trigger_detail = ?, artifact_key = ?, stored_bytes = ?, raw_bytes = ?, sha256 = ?,"
            + " manifest = ? where target = ? and id = ?";
    private static final String RUN_COLUMNS = "run_id, target, operation, trigger_type, trigger_detail, started_at,"
            + " finished_at, result, backup_id, error, stderr, detail";
    private static final String NEWEST_FIRST = " order by started_at desc, id desc";
    /** A run's detail (JSON, e.g. a drill's report) is kept whole; past this size it is a caller's bug. */
    static final int MAX_DETAIL_CHARS = 1 << 20;

    private static final String NEWEST_RUN_FIRST = " order by started_at desc, run_id desc";

    private final CatalogDatabase db;

    private Catalog(CatalogDatabase db) {
        this.db = db;
    }

    /**
     * Opens the catalog {@code cfg} names, or the embedded one under {@code dataDir/catalog} when its
     * url is blank, and brings its schema up to date.
     */
    public static Catalog open(CatalogConfig cfg, Path dataDir) {
        CatalogDatabase db = CatalogDatabase.open(cfg, dataDir);
        try {
            CatalogSchema.migrate(db);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return new Catalog(db);
    }

    /** Where the catalog is, for logs and status, without credentials. */
    public String describe() {
        return db.describe();
    }

    // ---- runs

    /** Records a run that has just started and returns its id. */
    public long runStarted(String target, String operation, Trigger trigger, Instant at) {
        return runStarted(target, operation, trigger, at, RunOwner.THIS_PROCESS);
    }

    /** Records the start of a run by {@code owner} (a {@code host:pid}); see {@link #markDeadRuns()}. */
    long runStarted(String target, String operation, Trigger trigger, Instant at, RunOwner owner) {
        requireNonNull(target, "target");
        requireNonNull(owner, "owner");
        requireNonNull(trigger, "trigger");
        requireNonNull(at, "at");
        if (requireNonNull(operation, "operation").isBlank()) {
            throw new IllegalArgumentException("operation must not be blank");
        }
        String sql = "insert into runs (target, operation, trigger_type, trigger_detail, started_at, result, owner)"
                + " values (?, ?, ?, ?, ?, ?, ?)";
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement(sql, new String[] {"run_id"})) {
            p.setString(1, target);
            p.setString(2, operation);
            p.setString(3, trigger.type());
            p.setString(4, trigger.detail());
            p.setObject(5, Sql.time(at));
            p.setString(6, RunRow.RUNNING);
            p.setString(7, owner.toString());
            p.executeUpdate();
            try (ResultSet keys = p.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("no run id was generated");
                }
                return keys.getLong(1);
            }
        } catch (SQLException e) {
            throw failed("record the start of " + operation + " of " + target, e);
        }
    }

    /**
     * Records how a run ended. {@code result} is {@code succeeded} or {@code failed}; {@code backupId},
     * {@code error} and {@code stderr} may be null. Error and stderr are kept up to 16 KiB each (their end).
     */
    public void runFinished(long runId, String result, String backupId, String error, String stderr, Instant at) {
        runFinished(runId, result, backupId, error, stderr, null, at);
    }

    /**
     * As {@link #runFinished(long, String, String, String, String, Instant)}, with {@code detail}: what a
     * restore, drill, prune or copy found, as JSON (kept whole up to 1 MiB).
     */
    public void runFinished(
            long runId, String result, String backupId, String error, String stderr, String detail, Instant at) {
        requireNonNull(at, "at");
        if (!FINAL_RESULTS.contains(requireNonNull(result, "result"))) {
            throw new IllegalArgumentException("result must be one of " + FINAL_RESULTS + ", got '" + result + "'");
        }
        if (detail != null && detail.length() > MAX_DETAIL_CHARS) {
            throw new IllegalArgumentException("detail is over " + MAX_DETAIL_CHARS + " characters");
        }
        String sql = "update runs set result = ?, backup_id = ?, error = ?, stderr = ?, detail = ?, finished_at = ?"
                + " where run_id = ?";
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, result);
            p.setString(2, backupId);
            p.setString(3, TextBounds.tail(error, TextBounds.MAX_BYTES));
            p.setString(4, TextBounds.tail(stderr, TextBounds.MAX_BYTES));
            p.setString(5, detail);
            p.setObject(6, Sql.time(at));
            p.setLong(7, runId);
            if (p.executeUpdate() == 0) {
                throw new IllegalArgumentException("no run " + runId + " in the catalog");
            }
        } catch (SQLException e) {
            throw failed("record the end of run " + runId, e);
        }
    }

    /**
     * Marks as failed with {@link #ABANDONED} every run still {@code running} whose process, on this
     * host, has ended (killed, crashed, power cut): the run can never finish on its own. Runs of live
     * processes (a daemon and a one-shot backup share the catalog) and of other hosts are left alone.
     * Returns how many runs it marked.
     */
    public int markDeadRuns() {
        String select = "select run_id, owner from runs where result = ? and owner is not null";
        String update = "update runs set result = ?, error = ?, finished_at = ? where run_id = ? and result = ?";
        int marked = 0;
        try (Connection c = db.connect();
                PreparedStatement q = c.prepareStatement(select);
                PreparedStatement u = c.prepareStatement(update)) {
            q.setString(1, RunRow.RUNNING);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    if (RunOwner.parse(rs.getString(2))
                            .map(RunOwner::isDeadHere)
                            .orElse(false)) {
                        u.setString(1, RunRow.FAILED);
                        u.setString(2, ABANDONED);
                        u.setObject(3, Sql.time(Instant.now()));
                        u.setLong(4, rs.getLong(1));
                        u.setString(5, RunRow.RUNNING);
                        marked += u.executeUpdate();
                    }
                }
            }
            return marked;
        } catch (SQLException e) {
            throw failed("mark abandoned runs", e);
        }
    }

    /** The newest run of any operation on {@code target}. */
    public Optional<RunRow> lastRun(String target) {
        requireNonNull(target, "target");
        return runs("where target = ?" + NEWEST_RUN_FIRST + " limit 1", target).stream()
                .findFirst();
    }

    /** The newest run of {@code operation} (e.g. {@code backup}) on {@code target}. */
    public Optional<RunRow> lastRun(String target, String operation) {
        requireNonNull(target, "target");
        requireNonNull(operation, "operation");
        return runs("where target = ? and operation = ?" + NEWEST_RUN_FIRST + " limit 1", target, operation).stream()
                .findFirst();
    }

    /** The newest {@code limit} runs of {@code operation} on {@code target}, newest first. */
    public List<RunRow> runs(String target, String operation, int limit) {
        requireNonNull(target, "target");
        requireNonNull(operation, "operation");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        return runs("where target = ? and operation = ?" + NEWEST_RUN_FIRST + " limit ?", target, operation, limit);
    }

    /** The newest run of {@code operation} on {@code target} that ended with {@code result}. */
    public Optional<RunRow> lastRun(String target, String operation, String result) {
        requireNonNull(target, "target");
        requireNonNull(operation, "operation");
        requireNonNull(result, "result");
        return runs(
                        "where target = ? and operation = ? and result = ?" + NEWEST_RUN_FIRST + " limit 1",
                        target,
                        operation,
                        result)
                .stream()
                .findFirst();
    }

    /**
     * How many runs of {@code operation} ended, per target and result ({@code succeeded}, {@code
     * failed}); runs still going are not counted. One query, for metrics.
     */
    public Map<String, Map<String, Long>> runCounts(String operation) {
        requireNonNull(operation, "operation");
        String sql = "select target, result, count(*) from runs where operation = ? and result <> ?"
                + " group by target, result";
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        try (Connection c = db.connect();
                PreparedStatement p = prepare(c, sql, operation, RunRow.RUNNING);
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                counts.computeIfAbsent(rs.getString(1), t -> new TreeMap<>()).put(rs.getString(2), rs.getLong(3));
            }
            return counts;
        } catch (SQLException e) {
            throw failed("count " + operation + " runs", e);
        }
    }

    /**
     * How many verifications failed, per target: failed {@code verify} runs and {@code backup} runs
     * whose verification failed ({@link RunRow#VERIFY_FAILED}). One query, for metrics.
     */
    public Map<String, Long> verifyFailures() {
        String sql = "select target, count(*) from runs where result = ?"
                + " and (operation = ? or (operation = ? and error like ?)) group by target";
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = db.connect();
                PreparedStatement p = prepare(c, sql, RunRow.FAILED, "verify", "backup", RunRow.VERIFY_FAILED + "%");
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
            return counts;
        } catch (SQLException e) {
            throw failed("count failed verifications", e);
        }
    }

    // ---- safe mode

    /** The current Safe Mode state: the newest change, or empty when it was never changed (off). */
    public Optional<SafeModeChange> safeMode() {
        return safeModeHistory(1).stream().findFirst();
    }

    /** Records that Safe Mode was entered ({@code on}) or left, why and by whom. */
    public void safeModeChanged(boolean on, String reason, String actor, Instant at) {
        requireNonNull(reason, "reason");
        requireNonNull(actor, "actor");
        requireNonNull(at, "at");
        String sql = "insert into safe_mode (changed_at, state_on, reason, actor) values (?, ?, ?, ?)";
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement(sql)) {
            p.setObject(1, Sql.time(at));
            p.setBoolean(2, on);
            p.setString(3, TextBounds.tail(reason, TextBounds.MAX_BYTES));
            p.setString(4, actor);
            p.executeUpdate();
        } catch (SQLException e) {
            throw failed("record a Safe Mode change", e);
        }
    }

    /** The newest {@code limit} Safe Mode changes, newest first: the audit trail. */
    public List<SafeModeChange> safeModeHistory(int limit) {
        String sql = "select changed_at, state_on, reason, actor from safe_mode"
                + " order by changed_at desc, change_id desc limit ?";
        try (Connection c = db.connect();
                PreparedStatement p = prepare(c, sql, limit);
                ResultSet rs = p.executeQuery()) {
            List<SafeModeChange> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(new SafeModeChange(
                        Sql.instant(rs, "changed_at"),
                        rs.getBoolean("state_on"),
                        rs.getString("reason"),
                        rs.getString("actor")));
            }
            return rows;
        } catch (SQLException e) {
            throw failed("read the Safe Mode history", e);
        }
    }

    /** One Safe Mode change, as audited. */
    public record SafeModeChange(Instant at, boolean on, String reason, String actor) {}

    // ---- alert silences and deliveries

    /** A silence as stored: {@code matchersJson} is the JSON the alerting domain writes and reads back. */
    public record SilenceRow(
            String id, String matchersJson, Instant startsAt, Instant endsAt, String createdBy, String comment) {
        public SilenceRow {
            requireNonNull(id, "id");
            requireNonNull(matchersJson, "matchersJson");
            requireNonNull(startsAt, "startsAt");
            requireNonNull(endsAt, "endsAt");
            createdBy = createdBy == null ? "" : createdBy;
            comment = comment == null ? "" : comment;
        }
    }

    /** Stores a silence, replacing one with the same id (an update or an early expiry). */
    public void saveSilence(SilenceRow s) {
        requireNonNull(s, "silence");
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement del = c.prepareStatement("delete from silences where silence_id = ?");
                    PreparedStatement ins = c.prepareStatement(
                            "insert into silences"
                                    + " (silence_id, matchers, starts_at, ends_at, created_by, comment) values (?, ?, ?, ?, ?, ?)")) {
                del.setString(1, s.id());
                del.executeUpdate();
                ins.setString(1, s.id());
                ins.setString(2, s.matchersJson());
                ins.setObject(3, Sql.time(s.startsAt()));
                ins.setObject(4, Sql.time(s.endsAt()));
                ins.setString(5, TextBounds.tail(s.createdBy(), 255));
                ins.setString(6, TextBounds.tail(s.comment(), TextBounds.MAX_BYTES));
                ins.executeUpdate();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failed("save a silence", e);
        }
    }

    /** Silences that have not ended by {@code now} (including ones that start later), oldest first. */
    public List<SilenceRow> silences(Instant now) {
        String sql = "select silence_id, matchers, starts_at, ends_at, created_by, comment from silences"
                + " where ends_at > ? order by starts_at, silence_id";
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement(sql)) {
            p.setObject(1, Sql.time(now));
            try (ResultSet rs = p.executeQuery()) {
                List<SilenceRow> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(new SilenceRow(
                            rs.getString("silence_id"),
                            rs.getString("matchers"),
                            Sql.instant(rs, "starts_at"),
                            Sql.instant(rs, "ends_at"),
                            rs.getString("created_by"),
                            rs.getString("comment")));
                }
                return rows;
            }
        } catch (SQLException e) {
            throw failed("read the silences", e);
        }
    }

    /**
     * Records that a notice went out to one destination of a receiver. Returns false when it was
     * already recorded (another attempt got there first): the caller must not send it again.
     */
    public boolean recordDelivery(String key, String receiver, Instant at) {
        requireNonNull(key, "key");
        requireNonNull(receiver, "receiver");
        String sql = "insert into alert_deliveries (delivery_key, receiver, delivered_at) values (?, ?, ?)";
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, key);
            p.setString(2, receiver);
            p.setObject(3, Sql.time(at));
            p.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("23")) {
                return false;
            }
            throw failed("record an alert delivery", e);
        }
    }

    /** Whether a notice already went out to that destination (its idempotency record exists). */
    public boolean delivered(String key) {
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement("select 1 from alert_deliveries where delivery_key = ?")) {
            p.setString(1, key);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw failed("read the alert deliveries", e);
        }
    }

    /** Forgets delivery records older than {@code before}; returns how many. */
    public int forgetDeliveries(Instant before) {
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement("delete from alert_deliveries where delivered_at < ?")) {
            p.setObject(1, Sql.time(before));
            return p.executeUpdate();
        } catch (SQLException e) {
            throw failed("forget old alert deliveries", e);
        }
    }

    /** A notice waiting in the catalog's queue: {@code entryId} identifies the row, {@code seq} orders it. */
    public record QueuedNotice(long entryId, long seq, String payload) {}

    /** Appends a notice for a receiver's lane (critical or normal). */
    public void enqueueNotice(String receiver, String lane, long seq, String payload) {
        String sql = "insert into notice_queue (receiver, lane, seq, payload) values (?, ?, ?, ?)";
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, receiver);
            p.setString(2, lane);
            p.setLong(3, seq);
            p.setString(4, payload);
            p.executeUpdate();
        } catch (SQLException e) {
            throw failed("queue a notice", e);
        }
    }

    /** The oldest {@code limit} notices of a receiver's lane, in order. */
    public List<QueuedNotice> queuedNotices(String receiver, String lane, int limit) {
        String sql = "select entry_id, seq, payload from notice_queue where receiver = ? and lane = ?"
                + " order by seq, entry_id limit ?";
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, receiver);
            p.setString(2, lane);
            p.setInt(3, limit);
            try (ResultSet rs = p.executeQuery()) {
                List<QueuedNotice> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new QueuedNotice(rs.getLong(1), rs.getLong(2), rs.getString(3)));
                }
                return out;
            }
        } catch (SQLException e) {
            throw failed("read the notice queue", e);
        }
    }

    public void dequeueNotice(long entryId) {
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement("delete from notice_queue where entry_id = ?")) {
            p.setLong(1, entryId);
            p.executeUpdate();
        } catch (SQLException e) {
            throw failed("remove a sent notice", e);
        }
    }

    public long queuedNoticeCount(String receiver) {
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement("select count(*) from notice_queue where receiver = ?")) {
            p.setString(1, receiver);
            try (ResultSet rs = p.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw failed("count the notice queue", e);
        }
    }

    /** The newest {@code limit} runs over all targets, newest first. */
    public List<RunRow> recentRuns(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        return runs(NEWEST_RUN_FIRST + " limit ?", limit);
    }

    // ---- backups

    /** Indexes a backup whose manifest was stored; again for the same backup, updates it. Keeps its verification state. */
    public void backupStored(Manifest m) {
        requireNonNull(m, "m");
        for (int attempt = 0; ; attempt++) {
            try (Connection c = db.connect()) {
                if (update(c, m) == 0) {
                    insert(c, m, null);
                }
                return;
            } catch (SQLException e) {
                if (!isUniqueViolation(e) || attempt > 0) { // another thread inserted it first: update once more
                    throw failed("index backup " + m.target() + "/" + m.id(), e);
                }
            }
        }
    }

    /**
     * Records a verification's outcome on its backup, unless a newer one is already recorded. A
     * verification of a backup the catalog does not know changes nothing.
     */
    public void verified(Verification v) {
        requireNonNull(v, "v");
        String sql = "update backups set last_verified_at = ?, last_verify_ok = ?"
                + " where target = ? and id = ? and (last_verified_at is null or last_verified_at <= ?)";
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement(sql)) {
            p.setObject(1, Sql.time(v.at()));
            p.setBoolean(2, v.ok());
            p.setString(3, v.target());
            p.setString(4, v.backupId());
            p.setObject(5, Sql.time(v.at()));
            if (p.executeUpdate() == 0) {
                LOG.debug(
                        "verification of {}/{} at {} not recorded: backup unknown or a newer verification is",
                        v.target(),
                        v.backupId(),
                        v.at());
            }
        } catch (SQLException e) {
            throw failed("record the verification of " + v.target() + "/" + v.backupId(), e);
        }
    }

    /** Removes a pruned backup from the index; returns whether it was indexed. Run history is kept. */
    public boolean backupDeleted(String target, String id) {
        requireNonNull(target, "target");
        requireNonNull(id, "id");
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement("delete from backups where target = ? and id = ?")) {
            p.setString(1, target);
            p.setString(2, id);
            return p.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failed("remove backup " + target + "/" + id + " from the index", e);
        }
    }

    /** Whether the index holds no backup at all (a new machine, a lost disk), without reading the rows. */
    public boolean isEmpty() {
        try (Connection c = db.connect();
                PreparedStatement p = c.prepareStatement("select 1 from backups fetch first 1 rows only");
                ResultSet rs = p.executeQuery()) {
            return !rs.next();
        } catch (SQLException e) {
            throw failed("read backups", e);
        }
    }

    /** Every indexed backup of {@code targetOrNull} (all targets when null), newest first. */
    public List<BackupRow> backups(String targetOrNull) {
        return targetOrNull == null
                ? backupRows(NEWEST_FIRST)
                : backupRows("where target = ?" + NEWEST_FIRST, targetOrNull);
    }

    /** The newest backup of {@code target} whose newest verification matched: the one that counts. */
    public Optional<BackupRow> latestVerified(String target) {
        requireNonNull(target, "target");
        return backupRows("where target = ? and last_verify_ok = ?" + NEWEST_FIRST + " limit 1", target, true).stream()
                .findFirst();
    }

    /** The backup with this id, if indexed (ids are unique in practice; the newest match wins otherwise). */
    public Optional<BackupRow> backup(String id) {
        requireNonNull(id, "id");
        return backupRows("where id = ?" + NEWEST_FIRST + " limit 1", id).stream()
                .findFirst();
    }

    // ---- rebuild

    /**
     * Replaces the backups table with exactly what {@code store} holds, in one transaction; run
     * history is kept. Unreadable manifests and records are skipped and logged as warnings.
     * Returns the number of backups indexed.
     */
    public int rebuild(BackupStore store) {
        return rebuild(store, warning -> LOG.warn("catalog rebuild: {}", warning));
    }

    /** {@link #rebuild(BackupStore)}, handing each warning to {@code warnings} instead of the log. */
    public int rebuild(BackupStore store, Consumer<String> warnings) {
        List<StoredBackups.Found> found = new StoredBackups(store).scan(null, warnings);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement p = c.prepareStatement("delete from backups")) {
                    p.executeUpdate();
                }
                for (StoredBackups.Found f : found) {
                    insert(c, f.manifest(), f.verification());
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw failed("rebuild the catalog from " + store.describe(), e);
        }
        LOG.info("catalog rebuilt from {}: {} backups", store.describe(), found.size());
        return found.size();
    }

    @Override
    public void close() {
        db.close();
    }

    // ---- statements

    private static int update(Connection c, Manifest m) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(UPDATE_BACKUP)) {
            int i = setManifestColumns(p, 1, m);
            p.setString(i++, m.target());
            p.setString(i, m.id());
            return p.executeUpdate();
        }
    }

    private static void insert(Connection c, Manifest m, Verification v) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(INSERT_BACKUP)) {
            p.setString(1, m.target());
            p.setString(2, m.id());
            int i = setManifestColumns(p, 3, m);
            if (v == null) {
                p.setNull(i++, Types.TIMESTAMP_WITH_TIMEZONE);
                p.setNull(i, Types.BOOLEAN);
            } else {
                p.setObject(i++, Sql.time(v.at()));
                p.setBoolean(i, v.ok());
            }
            p.executeUpdate();
        }
    }

    /** Sets kind through manifest from parameter {@code i} on; returns the next parameter index. */
    private static int setManifestColumns(PreparedStatement p, int i, Manifest m) throws SQLException {
        p.setString(i++, m.kind());
        p.setObject(i++, Sql.time(m.startedAt()));
        p.setObject(i++, Sql.time(m.finishedAt()));
        p.setString(i++, m.trigger().type());
        p.setString(i++, m.trigger().detail());
        p.setString(i++, m.artifactKey());
        p.setLong(i++, m.storedBytes());
        p.setLong(i++, m.rawBytes());
        p.setString(i++, m.sha256());
        p.setString(i++, Json.text(m));
        return i;
    }

    private List<BackupRow> backupRows(String clause, Object... params) {
        String sql = "select " + BACKUP_COLUMNS + " from backups " + clause;
        try (Connection c = db.connect();
                PreparedStatement p = prepare(c, sql, params);
                ResultSet rs = p.executeQuery()) {
            List<BackupRow> rows = new ArrayList<>();
            while (rs.next()) {
                boolean ok = rs.getBoolean("last_verify_ok");
                rows.add(new BackupRow(
                        rs.getString("id"),
                        rs.getString("target"),
                        rs.getString("kind"),
                        Sql.instant(rs, "started_at"),
                        Sql.instant(rs, "finished_at"),
                        new Trigger(rs.getString("trigger_type"), rs.getString("trigger_detail")),
                        rs.getString("artifact_key"),
                        rs.getLong("stored_bytes"),
                        rs.getLong("raw_bytes"),
                        rs.getString("sha256"),
                        rs.getString("manifest"),
                        Sql.instant(rs, "last_verified_at"),
                        ok && !rs.wasNull()));
            }
            return rows;
        } catch (SQLException e) {
            throw failed("read backups", e);
        }
    }

    private List<RunRow> runs(String clause, Object... params) {
        String sql = "select " + RUN_COLUMNS + " from runs " + clause;
        try (Connection c = db.connect();
                PreparedStatement p = prepare(c, sql, params);
                ResultSet rs = p.executeQuery()) {
            List<RunRow> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(new RunRow(
                        rs.getLong("run_id"),
                        rs.getString("target"),
                        rs.getString("operation"),
                        new Trigger(rs.getString("trigger_type"), rs.getString("trigger_detail")),
                        Sql.instant(rs, "started_at"),
                        Sql.instant(rs, "finished_at"),
                        rs.getString("result"),
                        rs.getString("backup_id"),
                        rs.getString("error"),
                        rs.getString("stderr"),
                        rs.getString("detail")));
            }
            return rows;
        } catch (SQLException e) {
            throw failed("read runs", e);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement p = c.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                p.setObject(i + 1, params[i]);
            }
            return p;
        } catch (SQLException e) {
            p.close();
            throw e;
        }
    }

    private static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    private CatalogException failed(String what, SQLException e) {
        return new CatalogException("catalog at " + db.describe() + ": cannot " + what + ": " + e.getMessage(), e);
    }
}
