package io.lifeboat.cli;

import io.lifeboat.domain.Durations;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.RecoverySet;
import io.lifeboat.domain.Trigger;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.restore.RestoreService;
import io.lifeboat.restore.RestoreService.Options;
import io.lifeboat.restore.RestoreService.Outcome;
import io.lifeboat.restore.RestoreService.Plan;
import io.lifeboat.restore.RestoreService.RollbackOutcome;
import io.lifeboat.store.RecoverySets;
import java.io.Console;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./lifeboat restore ID|latest:TARGET [--into NAME] [--dry-run] [--replace] [--yes] [--table NAME]}
 * and {@code ./lifeboat restore --rollback TARGET}. Replacing live data (and rolling back) asks for the
 * target's name on a terminal, and needs {@code --yes} without one (PRODUCT.md rule 7). Exit codes: 0
 * restored (and validated), 1 the restore failed (integrity, tool, validation), 2 bad usage or not
 * confirmed.
 */
@Command(
        name = "restore",
        mixinStandardHelpOptions = true,
        description = {
            "Restore a verified backup into a NEW place (a new database), check its SHA-256 in the same pass, run the"
                    + " target's validation checks on it, and only then, with --replace, swap it in for the live data"
                    + " (kept as <db>_pre_restore_<ts>).",
            "ID|latest:TARGET: a backup id, or the newest verified backup of TARGET."
        },
        footer = {
            "",
            "Examples:",
            "  restore latest:app-db --dry-run      show the plan, change nothing",
            "  restore latest:app-db                into app_restore_<ts>, validated",
            "  restore latest:app-db --replace      ... then swap it in (asks first)",
            "  restore latest:app-db --table users  one table, into a new database",
            "  restore --rollback app-db            undo the last --replace",
            "  restore set:20261123T020000Z-1a2b3c  every member of a recovery set, each into a new place"
        })
final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    LifeboatCommand top;

    @Parameters(
            paramLabel = "ID|latest:TARGET|set:ID",
            arity = "0..1",
            description = "the backup to restore, or every member of a recovery set (see ./lifeboat sets)")
    String ref;

    @Option(
            names = "--into",
            paramLabel = "NAME",
            description = "where to restore: a new database name (a-z, 0-9, _); default <database>_restore_<ts>")
    String into;

    @Option(
            names = "--dry-run",
            description = "print the plan (backup, what is created and replaced, commands); change nothing")
    boolean dryRun;

    @Option(
            names = "--replace",
            description =
                    "after the restored copy passed validation, swap it in for the live data (needs confirmation)")
    boolean replace;

    @Option(names = "--yes", description = "confirm --replace or --rollback without asking (needed without a terminal)")
    boolean yes;

    @Option(
            names = "--table",
            paramLabel = "NAME",
            description = "postgres: restore only this table ([schema.]name), into a new database or, with --into,"
                    + " into an existing one that has no table of that name")
    String table;

    @Option(
            names = "--rollback",
            paramLabel = "TARGET",
            description = "undo the last --replace of TARGET: the data it replaced becomes live again")
    String rollback;

    @Override
    public Integer call() throws Exception {
        if (rollback != null) {
            if (ref != null || into != null || table != null || replace) {
                throw new IllegalArgumentException("--rollback TARGET takes no backup, --into, --table or --replace");
            }
            return rollback();
        }
        if (ref == null) {
            throw new IllegalArgumentException("restore needs ID|latest:TARGET|set:ID (or --rollback TARGET)");
        }
        if (ref.startsWith("set:")) {
            return restoreSet(ref.substring("set:".length()));
        }
        PrintStream err = System.err;
        // the catalog opens while the store is read and the restore planned; a dry run never opens it
        try (Session s = dryRun ? top.session() : top.session().openCatalogEarly()) {
            RestoreService service = s.restoreService();
            Plan plan = service.plan(ref, new Options(into, replace, table, Trigger.manual("command line")));
            if (dryRun) {
                printPlan(plan, System.out);
                System.out.println("dry run: nothing was changed");
                return LifeboatCommand.OK;
            }
            printPlan(plan, err);
            if (replace
                    && !confirmed(
                            plan.target().name(),
                            "This replaces the live data of " + plan.target().name()
                                    + " once the restored copy passes validation (the current data is kept).")) {
                return LifeboatCommand.USAGE;
            }
            Progress progress = new Progress();
            Manifest m = plan.manifest();
            Outcome outcome;
            try (ProgressDisplay display =
                    new ProgressDisplay(p -> progressLine(m, p), progress, err, System.console() != null)) {
                outcome = service.restore(plan, progress);
            }
            return report(outcome, err);
        }
    }

    /**
     * {@code restore set:ID}: every member of a recovery set, one after another, each as a restore of
     * its own backup. All plans are worked out (and printed) before anything is restored; members whose
     * backup failed when the set was taken are named and make the exit code 1.
     */
    private int restoreSet(String setId) throws Exception {
        if (into != null || table != null) {
            throw new IllegalArgumentException("restore set:ID takes no --into or --table: each member goes to its own"
                    + " new place (restore one member by its backup id for that)");
        }
        PrintStream err = System.err;
        PrintStream out = dryRun ? System.out : err;
        try (Session s = top.session()) {
            RecoverySet set = RecoverySets.readSet(s.store(), setId);
            RestoreService service = s.restoreService();
            Trigger trigger = Trigger.manual("recovery set " + setId);
            List<Plan> plans = new ArrayList<>();
            for (RecoverySet.Member member : set.members()) {
                if (member.ok()) {
                    plans.add(service.plan(member.backupId(), new Options(null, replace, null, trigger)));
                }
            }
            out.println("Recovery set " + set.id() + " (taken " + set.createdAt() + "): " + plans.size() + " of "
                    + set.members().size() + " member(s) to restore");
            List<String> missing = new ArrayList<>();
            for (RecoverySet.Member member : set.members()) {
                if (!member.ok()) {
                    missing.add(member.target());
                    out.println("  " + member.target() + ": no backup in this set (" + member.error() + ")");
                }
            }
            for (Plan plan : plans) {
                printPlan(plan, out);
            }
            if (dryRun) {
                System.out.println("dry run: nothing was changed");
                return LifeboatCommand.OK;
            }
            if (replace
                    && !confirmed(
                            set.id(),
                            "This replaces the live data of " + plans.size() + " target(s) once each restored copy"
                                    + " passes validation (the current data is kept).")) {
                return LifeboatCommand.USAGE;
            }
            boolean allOk = missing.isEmpty();
            for (Plan plan : plans) {
                Progress progress = new Progress();
                Manifest m = plan.manifest();
                Outcome outcome;
                try (ProgressDisplay display =
                        new ProgressDisplay(p -> progressLine(m, p), progress, err, System.console() != null)) {
                    outcome = service.restore(plan, progress);
                }
                allOk &= report(outcome, err) == LifeboatCommand.OK;
            }
            err.println("recovery set " + set.id() + ": "
                    + (allOk
                            ? "every member restored"
                            : "NOT every member restored"
                                    + (missing.isEmpty()
                                            ? ""
                                            : " (no backup in the set for " + String.join(", ", missing) + ")")));
            return allOk ? LifeboatCommand.OK : LifeboatCommand.FAILED;
        }
    }

    private int report(Outcome o, PrintStream err) {
        if (o.ok()) {
            String validated = table != null
                    ? "validation skipped for a single table"
                    : o.report().validations().isEmpty()
                            ? "no validation checks configured"
                            : "validated: " + o.report().validations().size() + " checks passed";
            err.println(o.report().target() + ": restored backup " + o.report().backupId() + " into " + o.location()
                    + " in " + seconds(o.report().rto()) + " (" + validated + ")");
            if (o.kept() != null) {
                err.println(o.kept());
            }
            if (o.reportKey() != null) {
                err.println("report: " + o.reportKey());
            }
            System.out.println(o.location());
            return LifeboatCommand.OK;
        }
        err.println(o.report().target() + ": restore FAILED: " + o.error());
        if (o.stderr() != null && !o.stderr().isBlank()) {
            err.println(o.stderr().strip());
        }
        if (o.reportKey() != null) {
            err.println("report: " + o.reportKey());
        }
        return LifeboatCommand.FAILED;
    }

    private int rollback() throws Exception {
        try (Session s = top.session()) {
            RestoreService service = s.restoreService();
            List<String> steps = service.rollbackPlan(rollback);
            PrintStream out = dryRun ? System.out : System.err;
            out.println("Rollback of " + rollback + (dryRun ? " (dry run: nothing will be changed)" : "") + ":");
            for (int i = 0; i < steps.size(); i++) {
                out.println("  " + (i + 1) + ". " + steps.get(i));
            }
            if (dryRun) {
                System.out.println("dry run: nothing was changed");
                return LifeboatCommand.OK;
            }
            if (!confirmed(
                    rollback,
                    "This swaps the live data of " + rollback + " back to the copy kept by the last"
                            + " restore --replace (what is live now is kept).")) {
                return LifeboatCommand.USAGE;
            }
            RollbackOutcome o = service.rollback(rollback, Trigger.manual("command line"));
            if (o.ok()) {
                System.err.println(rollback + ": rolled back: " + o.done());
                return LifeboatCommand.OK;
            }
            System.err.println(rollback + ": rollback FAILED: " + o.error());
            return LifeboatCommand.FAILED;
        }
    }

    /** Rule 7: the target's name typed on a terminal, or {@code --yes} when there is none. */
    private boolean confirmed(String target, String what) {
        if (yes) {
            return true;
        }
        Console console = System.console();
        if (console == null) {
            System.err.println("error: " + what + " Add --yes to confirm: there is no terminal to ask on.");
            return false;
        }
        String answer = console.readLine("%s%nType the target name (%s) to confirm: ", what, target);
        if (answer == null || !target.equals(answer.strip())) {
            System.err.println("not confirmed: nothing was changed");
            return false;
        }
        return true;
    }

    static void printPlan(Plan plan, PrintStream out) {
        Manifest m = plan.manifest();
        Instant now = Instant.now();
        out.println("Restore of " + m.target() + " (" + m.kind() + ")");
        out.println("  backup:   " + m.id() + ", taken " + m.finishedAt() + " ("
                + Durations.format(Duration.between(m.finishedAt(), now)) + " ago)");
        out.println("  size:     " + Sizes.bytes(m.storedBytes()) + " stored, " + Sizes.bytes(m.rawBytes()) + " raw"
                + (m.encrypted() ? ", encrypted (" + m.encryption() + ")" : ""));
        plan.backup()
                .lastVerification()
                .ifPresent(v -> out.println("  verified: " + v.at() + " ("
                        + Durations.format(Duration.between(v.at(), now)) + " ago): " + v.detail()));
        out.println("  steps:");
        List<String> steps = plan.steps();
        for (int i = 0; i < steps.size(); i++) {
            out.println("    " + (i + 1) + ". " + steps.get(i));
        }
    }

    private static String seconds(Duration d) {
        return d.toSeconds() >= 60
                ? Durations.format(d)
                : String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    static String progressLine(Manifest m, Progress p) {
        String id = "restore " + m.id();
        if (p.storedBytes() == 0 && p.verifiedBytes() > 0) {
            return id + ": verifying first, " + Sizes.bytes(p.verifiedBytes()) + " of " + Sizes.bytes(m.storedBytes())
                    + " read";
        }
        long percent = m.storedBytes() == 0 ? 100 : p.storedBytes() * 100 / m.storedBytes();
        return id + ": " + Sizes.bytes(p.storedBytes()) + " of " + Sizes.bytes(m.storedBytes()) + " downloaded ("
                + percent + "%), " + Sizes.bytes(p.rawBytes()) + " restored, "
                + Sizes.rate(p.rawBytes(), p.elapsedSeconds());
    }
}
