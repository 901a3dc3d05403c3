package io.lifeboat.restore;

import static io.lifeboat.restore.PostgresFixture.TARGET;
import static io.lifeboat.restore.PostgresFixture.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.lifeboat.Json;
import io.lifeboat.catalog.RunRow;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.StorageLayout;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.restore.RestoreService.Options;
import io.lifeboat.restore.RestoreService.Outcome;
import io.lifeboat.restore.RestoreService.Plan;
import io.lifeboat.restore.RestoreService.RollbackOutcome;
import io.lifeboat.testsupport.Postgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores of real PostgreSQL backups through {@link RestoreService} and {@link PostgresRestorer}, on a
 * folder store: round trip row for row, swap and rollback, single tables, tampered objects, failing
 * validation, bad input and dry runs.
 */
class PostgresRestoreIT {

    static final String CHECKS =
            "{validate: [{sql: \"select count(*) from users\", min: 1}, {sql: \"select count(*) from orders\", min: 1000}]}";

    @TempDir
    Path dir;

    PostgresFixture fx;

    PostgresFixture fixture(String drill) throws Exception {
        fx = PostgresFixture.create(dir, "{type: filesystem, path: store}", drill);
        return fx;
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    static Options options(String into, boolean replace, String table) {
        return new Options(into, replace, table, null);
    }

    @Test
    void aBackupRestoresIntoANewDatabaseThatMatchesItRowForRow() throws Exception {
        fixture(CHECKS);
        Map<String, Object> original = snapshot(fx.database);
        Manifest m = fx.backup();
        fx.change();
        Map<String, Object> changed = snapshot(fx.database);
        assertThat(changed).isNotEqualTo(original);

        Progress progress = new Progress();
        Outcome o = fx.restores.restore("latest:" + TARGET, Options.defaults(), progress);

        assertThat(o.ok()).as(o.error()).isTrue();
        assertThat(o.location()).matches(fx.database + "_restore_\\d{14}");
        assertThat(snapshot(o.location())).isEqualTo(original);
        assertThat(snapshot(fx.database)).as("the live database is not touched").isEqualTo(changed);
        assertThat(progress.storedBytes()).isEqualTo(m.storedBytes());
        assertThat(progress.rawBytes()).isEqualTo(m.rawBytes());
        assertThat(o.report().validations()).hasSize(2).allMatch(ValidationResult::ok);
        assertThat(o.report().validations().get(0).value()).isEqualTo(2000L);
        assertThat(o.report().rto()).isPositive();

        // the incident record: in the store beside the backup, and as the run's detail
        assertThat(o.reportKey())
                .startsWith(m.target() + "/" + m.id() + "/reports/")
                .endsWith("-restore.md");
        String md = new String(fx.store.getBytes(o.reportKey()), StandardCharsets.UTF_8);
        assertThat(md)
                .startsWith("# Restore of app-db: OK")
                .contains(m.id())
                .contains(o.location())
                .contains("PASS `sql: select count(*) from orders >= 1000`: 3000");
        RunRow run = fx.catalog.lastRun(TARGET, "restore").orElseThrow();
        assertThat(run.result()).isEqualTo("succeeded");
        assertThat(run.backupId()).isEqualTo(m.id());
        JsonNode detail = Json.MAPPER.readTree(run.detail());
        assertThat(detail.get("reportKey").asText()).isEqualTo(o.reportKey());
        assertThat(detail.get("ok").asBoolean()).isTrue();
        assertThat(detail.get("validations")).hasSize(2);
        assertThat(detail.get("location").asText()).isEqualTo(o.location());
        assertThat(fx.events("restore.started")).hasSize(1);
        assertThat(fx.events("restore.finished")).singleElement().asString().contains(o.location());
        assertThat(fx.alerts()).isEmpty();
        assertThat(fx.restores.resolve("latest:" + TARGET).manifest().id()).isEqualTo(m.id());
    }

    @Test
    void replaceSwapsTheBackupInAndRollbackBringsTheChangedDataBack() throws Exception {
        fixture(CHECKS);
        Map<String, Object> original = snapshot(fx.database);
        fx.backup();
        fx.change();
        Map<String, Object> beforeRestore = snapshot(fx.database);

        Outcome o;
        try (Connection app = Postgres.connect(fx.database)) { // an application still connected to the live database
            o = fx.restores.restore("latest:" + TARGET, options(null, true, null), new Progress());
            assertThat(app.isValid(2))
                    .as("the swap ended the application's session")
                    .isFalse();
        }

        assertThat(o.ok()).as(o.error()).isTrue();
        assertThat(o.location()).isEqualTo(fx.database);
        assertThat(snapshot(fx.database)).as("live now holds the backup").isEqualTo(original);
        List<String> kept = fx.databases().stream()
                .filter(n -> n.matches(fx.database + "_pre_restore_\\d{14}"))
                .toList();
        assertThat(kept).hasSize(1);
        assertThat(o.kept()).contains(kept.get(0));
        assertThat(snapshot(kept.get(0))).as("the replaced data is kept").isEqualTo(beforeRestore);
        assertThat(fx.databases()).noneMatch(n -> n.contains("_restore_") && !n.contains("_pre_restore_"));
        assertThat(String.join("\n", fx.restores.rollbackPlan(TARGET))).contains(kept.get(0));

        RollbackOutcome back = fx.restores.rollback(TARGET, null);

        assertThat(back.ok()).as(back.error()).isTrue();
        assertThat(back.done()).contains(kept.get(0)).contains("_rolled_back_");
        assertThat(snapshot(fx.database)).as("as it was before the restore").isEqualTo(beforeRestore);
        String aside = fx.databases().stream()
                .filter(n -> n.matches(fx.database + "_rolled_back_\\d{14}"))
                .findFirst()
                .orElseThrow();
        assertThat(snapshot(aside)).isEqualTo(original);
        assertThat(fx.databases()).doesNotContain(kept.get(0));
        assertThat(fx.catalog.lastRun(TARGET, "rollback"))
                .hasValueSatisfying(r -> assertThat(r.result()).isEqualTo("succeeded"));
        assertThat(fx.events("rollback.finished")).hasSize(1);
        assertThat(allowConnections(fx.database)).isTrue();
        assertThat(allowConnections(aside)).isTrue();

        // nothing left to roll back to: refused, nothing recorded
        int runs = fx.catalog.recentRuns(100).size();
        assertThatThrownBy(() -> fx.restores.rollback(TARGET, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing to roll back to");
        assertThat(fx.catalog.recentRuns(100)).hasSize(runs);
    }

    @Test
    void aLiveDatabaseWhoseNameNeedsQuotingIsSwappedAndRolledBack() throws Exception {
        String name = "Lifeboat Odd-\"Name\" " + UUID.randomUUID().toString().substring(0, 8);
        fx = PostgresFixture.createOddlyNamed(dir, "{type: filesystem, path: store}", name);
        Map<String, Object> original = snapshot(name);
        fx.backup();
        fx.change();
        Map<String, Object> beforeRestore = snapshot(name);

        Outcome o = fx.restores.restore("latest:" + TARGET, options(null, true, null), new Progress());

        assertThat(o.ok()).as(o.error()).isTrue();
        assertThat(snapshot(name)).isEqualTo(original);
        assertThat(fx.databases()).anyMatch(n -> n.startsWith(name + "_pre_restore_"));
        assertThat(fx.restores.rollback(TARGET, null).ok()).isTrue();
        assertThat(snapshot(name)).isEqualTo(beforeRestore);
    }

    @Test
    void oneTableRestoresIntoANewDatabaseOrBesideTheOthersButNeverOverAnExistingOne() throws Exception {
        fixture(CHECKS);
        Map<String, Object> original = snapshot(fx.database);
        fx.backup();
        fx.change();

        Outcome o = fx.restores.restore("latest:" + TARGET, options(null, false, "orders"), new Progress());
        assertThat(o.ok()).as(o.error()).isTrue();
        assertThat(PostgresFixture.tables(o.location())).containsExactly("public.orders");
        assertThat(snapshot(o.location()).get("orders")).isEqualTo(original.get("orders"));

        // a table in another schema, named without it
        Outcome audit =
                fx.restores.restore("latest:" + TARGET, options(fx.database + "_t2", false, "events"), new Progress());
        assertThat(audit.ok()).as(audit.error()).isTrue();
        assertThat(PostgresFixture.tables(audit.location())).containsExactly("audit.events");

        // a quoted name, back into the live database it was dropped from
        String odd = "odd \"name\" x";
        Outcome back = fx.restores.restore("latest:" + TARGET, options(fx.database, false, odd), new Progress());
        assertThat(back.ok()).as(back.error()).isTrue();
        assertThat(back.location()).isEqualTo(fx.database);
        assertThat(snapshot(fx.database).get("odd")).isEqualTo(original.get("odd"));
        assertThat(snapshot(fx.database).get("orders"))
                .as("nothing else changed")
                .isNotEqualTo(original.get("orders"));

        // never over an existing table; the message says how to rename it
        List<String> before = fx.databases();
        assertThatThrownBy(() -> fx.restores.plan("latest:" + TARGET, options(fx.database, false, "users")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exists in database " + fx.database)
                .hasMessageContaining("RENAME TO");
        assertThatThrownBy(() -> fx.restores.plan("latest:" + TARGET, options(null, false, "no_such_table")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no such table")
                .hasMessageContaining("public.orders");
        assertThatThrownBy(() -> fx.restores.plan("latest:" + TARGET, options(null, true, "users")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--replace");
        assertThatThrownBy(() -> fx.restores.plan("latest:" + TARGET, options(null, false, "bad\nname")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control characters");
        assertThatThrownBy(() -> fx.restores.plan("latest:" + TARGET, options(null, false, "x".repeat(200))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("63 bytes");
        assertThat(fx.databases()).isEqualTo(before);
    }

    @Test
    void aChangedByteInTheStoredObjectStopsTheRestoreAndLeavesNoDatabaseBehind() throws Exception {
        fixture(CHECKS);
        Manifest m = fx.backup();
        fx.change();
        Map<String, Object> live = snapshot(fx.database);
        List<String> before = fx.databases();
        Path object = dir.resolve("store").resolve(m.artifactKey());
        byte[] bytes = Files.readAllBytes(object);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(object, bytes);

        for (boolean replace : new boolean[] {false, true}) {
            Outcome o = fx.restores.restore(m.id(), options(null, replace, null), new Progress());

            assertThat(o.ok()).isFalse();
            assertThat(o.error()).contains("sha256 mismatch").contains(m.sha256());
            assertThat(fx.databases()).as("no new database remains").isEqualTo(before);
            assertThat(snapshot(fx.database)).as("live is unchanged").isEqualTo(live);
            assertThat(o.report().ok()).isFalse();
            assertThat(new String(fx.store.getBytes(o.reportKey()), StandardCharsets.UTF_8))
                    .startsWith("# Restore of app-db: FAILED")
                    .contains("sha256 mismatch");
        }
        assertThat(fx.alerts())
                .hasSize(2)
                .allMatch(a -> a.contains("RestoreIntegrityFailed") && a.contains("\"critical\""));
        assertThat(fx.events("restore.failed")).hasSize(2).allMatch(e -> e.contains("\"step\":\"integrity\""));
        assertThat(fx.catalog.lastRun(TARGET, "restore")).hasValueSatisfying(r -> {
            assertThat(r.result()).isEqualTo("failed");
            assertThat(r.error()).contains("sha256 mismatch");
        });
    }

    @Test
    void aMismatchFoundOnlyAtTheEndOfTheStreamDropsTheFinishedCopy() throws Exception {
        fixture(CHECKS);
        Manifest m = fx.backup();
        // the manifest now promises other bytes: pg_restore succeeds on the object, the hash check at the end fails
        String other = m.sha256().replace(m.sha256().charAt(0), m.sha256().charAt(0) == 'a' ? 'b' : 'a');
        Manifest lying = new Manifest(
                m.formatVersion(),
                m.id(),
                m.target(),
                m.kind(),
                m.startedAt(),
                m.finishedAt(),
                m.trigger(),
                m.sourceTool(),
                m.sourceToolVersion(),
                m.artifactKey(),
                m.storedBytes(),
                m.rawBytes(),
                other,
                m.compression(),
                m.encryption(),
                m.restoreHint(),
                m.recipients());
        fx.store.putBytes(StorageLayout.manifestKey(m.target(), m.backupId()), Json.bytes(lying));
        List<String> before = fx.databases();

        Outcome o = fx.restores.restore(m.id(), options(null, true, null), new Progress());

        assertThat(o.ok()).isFalse();
        assertThat(o.error()).contains("sha256 mismatch").contains("was removed");
        assertThat(o.report().timeline()).anyMatch(s -> s.what().startsWith("restored: database"));
        assertThat(o.report().timeline()).anyMatch(s -> s.what().startsWith("discarded database"));
        assertThat(fx.databases()).isEqualTo(before);
        assertThat(fx.alerts()).singleElement().asString().contains("RestoreIntegrityFailed");
    }

    @Test
    void replaceKeepsTheDumpsOwnersSoARoleMissingOnTheServerFailsItCleanlyWhileAPlainRestoreWorks() throws Exception {
        fixture(CHECKS);
        String role = "lifeboat_owner_" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = Postgres.connect(fx.database);
                Statement s = c.createStatement()) {
            s.execute("create role " + role);
            s.execute("alter table orders owner to " + role);
        }
        Map<String, Object> original = snapshot(fx.database);
        fx.backup();
        try (Connection c = Postgres.connect(fx.database);
                Statement s = c.createStatement()) {
            s.execute("alter table orders owner to current_user");
            s.execute("drop role " + role); // the server the backup goes back to no longer has the owner
        }
        fx.change();
        Map<String, Object> live = snapshot(fx.database);
        List<String> before = fx.databases();

        Outcome replace = fx.restores.restore("latest:" + TARGET, options(null, true, null), new Progress());

        assertThat(replace.ok()).isFalse();
        assertThat(replace.error())
                .contains("pg_restore exited with code 1")
                .contains("role \"" + role + "\" does not exist")
                .contains("dropped")
                .doesNotContain("sha256 mismatch");
        assertThat(replace.stderr()).contains(role);
        assertThat(fx.databases()).isEqualTo(before);
        assertThat(snapshot(fx.database)).isEqualTo(live);
        assertThat(fx.alerts())
                .singleElement()
                .asString()
                .contains("RestoreFailed:app-db")
                .contains("warning");
        assertThat(fx.catalog.lastRun(TARGET, "restore"))
                .hasValueSatisfying(r -> assertThat(r.stderr()).contains(role));

        Outcome plain = fx.restores.restore("latest:" + TARGET, Options.defaults(), new Progress());

        assertThat(plain.ok()).as(plain.error()).isTrue();
        assertThat(snapshot(plain.location()))
                .as("--no-owner: restorable anywhere")
                .isEqualTo(original);
    }

    @Test
    void failingValidationKeepsTheCopyForInspectionAndLeavesTheLiveDatabaseAlone() throws Exception {
        fixture("{validate: [{sql: \"select count(*) from users\", min: 1}, {sql: \"select count(*) from orders\","
                + " min: 999999}, {sql: \"select 'text'\"}, {sql: \"select * from missing_table\"}]}");
        fx.backup();
        fx.change();
        Map<String, Object> live = snapshot(fx.database);

        Outcome o = fx.restores.restore("latest:" + TARGET, options(null, true, null), new Progress());

        assertThat(o.ok()).isFalse();
        assertThat(o.error()).contains("3 of 4 validation checks failed").contains("kept for inspection");
        assertThat(o.kept()).matches(fx.database + "_restore_\\d{14}");
        assertThat(PostgresFixture.exists(o.kept())).isTrue();
        assertThat(snapshot(fx.database)).isEqualTo(live);
        assertThat(fx.databases()).noneMatch(n -> n.contains("_pre_restore_"));
        assertThat(o.report().validations())
                .extracting(ValidationResult::ok)
                .containsExactly(true, false, false, false);
        assertThat(o.report().validations().get(1).detail()).isEqualTo("3000 is below the minimum 999999");
        assertThat(o.report().validations().get(2).detail()).contains("not a number");
        assertThat(o.report().validations().get(3).detail()).contains("missing_table");
        String md = new String(fx.store.getBytes(o.reportKey()), StandardCharsets.UTF_8);
        assertThat(md).contains("FAILED").contains("FAIL `sql: select count(*) from orders >= 999999`");
        assertThat(fx.alerts()).singleElement().asString().contains("RestoreValidationFailed");
    }

    @Test
    void badReferencesAndHostileNamesAreRefusedBeforeAnythingIsCreatedOrRecorded() throws Exception {
        fixture(CHECKS);
        Manifest m = fx.backup();
        List<String> before = fx.databases();

        assertThatThrownBy(() -> fx.restores.plan("20200101T000000Z-abcdef", Options.defaults()))
                .hasMessageContaining("no backup with id 20200101T000000Z-abcdef");
        assertThatThrownBy(() -> fx.restores.plan("../../etc/passwd", Options.defaults()))
                .hasMessageContaining("neither a backup id");
        assertThatThrownBy(() -> fx.restores.plan("latest:nope", Options.defaults()))
                .hasMessageContaining("unknown target 'nope'");
        for (String hostile : List.of(
                "x; drop database y",
                "x\"; drop database y; --",
                "it's",
                "UPPER",
                "a".repeat(200),
                "name\nwith newline",
                "postgres",
                "template1",
                fx.database)) {
            assertThatThrownBy(() -> fx.restores.plan(m.id(), options(hostile, false, null)))
                    .as(hostile)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--into")
                    .hasMessageNotContaining("\n");
        }
        String existing = fx.database + "_exists";
        try (Connection c = Postgres.connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("create database " + existing);
        }
        assertThatThrownBy(() -> fx.restores.plan(m.id(), options(existing, false, null)))
                .hasMessageContaining("exists already");
        PostgresFixture.drop(existing);

        // a newer backup that was never verified: latest: still takes the verified one, its id is refused.
        // Backup ids sort by their UTC second first: taken within the same second as m, the newer one's
        // random suffix could sort before m's, so wait for the next second.
        long second = java.time.Instant.now().getEpochSecond();
        while (java.time.Instant.now().getEpochSecond() == second) {
            Thread.sleep(20);
        }
        Manifest newer = fx.backup();
        for (String key : fx.store.list(StorageLayout.verificationPrefix(TARGET, newer.backupId()))) {
            fx.store.delete(key);
        }
        assertThat(fx.restores.resolve("latest:" + TARGET).manifest().id()).isEqualTo(m.id());
        assertThatThrownBy(() -> fx.restores.plan(newer.id(), Options.defaults()))
                .hasMessageContaining("was never verified")
                .hasMessageContaining("the newest verified backup of app-db is " + m.id());
        for (String key : fx.store.list(StorageLayout.verificationPrefix(TARGET, m.backupId()))) {
            fx.store.delete(key);
        }
        assertThatThrownBy(() -> fx.restores.plan("latest:" + TARGET, Options.defaults()))
                .hasMessageContaining("no verified backup of 'app-db'")
                .hasMessageContaining("./lifeboat verify " + newer.id());

        assertThat(fx.databases()).isEqualTo(before);
        assertThat(fx.catalog.runs(TARGET, "restore", 100)).isEmpty();
    }

    @Test
    void aPlanNamesTheBackupTheCommandsAndWhatIsReplacedAndChangesNothing() throws Exception {
        fixture(CHECKS);
        Manifest m = fx.backup();
        List<String> before = fx.databases();
        List<String> objects = fx.store.list("");
        int runs = fx.catalog.recentRuns(100).size();

        Plan plan = fx.restores.plan("latest:" + TARGET, options(null, true, null));

        assertThat(plan.manifest().id()).isEqualTo(m.id());
        assertThat(plan.backup().verified()).isTrue();
        String steps = String.join("\n", plan.steps());
        assertThat(steps)
                .containsPattern("create database " + fx.database + "_restore_\\d{14}")
                .contains("pg_restore --no-password --exit-on-error")
                .contains("--dbname " + fx.database + "_restore_")
                .contains("validate on ")
                .contains("select count(*) from orders >= 1000")
                .containsPattern("rename " + fx.database + " → " + fx.database + "_pre_restore_\\d{14}")
                .contains("--rollback app-db")
                .doesNotContain("PGPASSWORD");
        assertThat(fx.databases()).isEqualTo(before);
        assertThat(fx.store.list("")).isEqualTo(objects);
        assertThat(fx.catalog.recentRuns(100)).hasSize(runs);
        assertThat(fx.events("restore.started")).isEmpty();
    }

    private static boolean allowConnections(String database) throws SQLException {
        try (Connection c = Postgres.connect("postgres");
                var p = c.prepareStatement("select datallowconn from pg_database where datname = ?")) {
            p.setString(1, database);
            try (var rs = p.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
