package io.lifeboat.cli;

import io.lifeboat.domain.Durations;
import io.lifeboat.domain.RetentionPlanner;
import io.lifeboat.domain.Trigger;
import io.lifeboat.pipeline.BackupService;
import io.lifeboat.pipeline.PruneRefusedException;
import io.lifeboat.pipeline.PruneReport;
import io.lifeboat.pipeline.Pruner;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./lifeboat prune [--dry-run] [TARGET]}: applies each target's retention policy to storage.
 * {@code --dry-run} prints what would be kept and deleted, with the rule or reason, and changes
 * nothing. A real prune is refused (exit 1) while Safe Mode is on.
 */
@Command(
        name = "prune",
        description = "Delete the backups each target's retention policy no longer keeps, and old leftovers"
                + " of failed runs. Refused while Safe Mode is on.")
final class PruneCommand implements Callable<Integer> {

    @ParentCommand
    LifeboatCommand top;

    @Parameters(paramLabel = "TARGET", arity = "0..1", description = "one target (default: every target)")
    String target;

    @Option(
            names = "--dry-run",
            description = "print, per target, what would be kept and deleted and why; change nothing")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        try (Session s = top.session().openCatalogEarly()) {
            List<String> targets =
                    target == null ? new ArrayList<>(s.config().targets().keySet()) : List.of(target);
            if (target != null && s.config().target(target).isEmpty()) {
                throw new IllegalArgumentException("unknown target '" + target + "' (configured: "
                        + String.join(", ", s.config().targets().keySet()) + ")");
            }
            BackupService service = s.service();
            Pruner pruner = new Pruner(
                    s.config(), s.store(), s.catalog(), service.events(), service.locks(), Clock.systemUTC());
            PrintStream out = System.out;
            PrintStream err = System.err;
            Optional<String> refused = pruner.refusal();
            if (refused.isPresent() && !dryRun) {
                err.println("prune refused: " + refused.get() + ". Nothing was deleted.");
                return LifeboatCommand.FAILED;
            }
            if (refused.isPresent()) {
                err.println("note: " + refused.get() + "; this dry run only shows what a prune would do.");
            }
            boolean ok = true;
            int kept = 0, deleted = 0;
            long freed = 0;
            for (String t : targets) {
                PruneReport r;
                if (dryRun) {
                    r = pruner.plan(t);
                    printPlan(r, out);
                } else {
                    try {
                        r = pruner.prune(t, Trigger.manual("command line"));
                    } catch (PruneRefusedException e) {
                        err.println("prune refused: " + e.getMessage() + ". Stopped before " + t + ".");
                        return LifeboatCommand.FAILED;
                    }
                    printDone(r, out);
                }
                r.warnings().forEach(w -> err.println("warning: " + r.target() + ": " + w));
                r.errors().forEach(e -> err.println("error: " + r.target() + ": " + e));
                ok &= r.ok();
                kept += r.kept().size();
                deleted += r.deleted().size();
                freed += r.bytesFreed();
            }
            if (targets.size() > 1) {
                out.printf(
                        "total: %d kept, %d %s, %s %s%n",
                        kept,
                        deleted,
                        dryRun ? "to delete" : "deleted",
                        Sizes.bytes(freed),
                        dryRun ? "to free" : "freed");
            }
            return ok ? LifeboatCommand.OK : LifeboatCommand.FAILED;
        }
    }

    private static void printPlan(PruneReport r, PrintStream out) {
        out.printf(
                "%s: policy %s; leftovers go after %s (dry run: nothing is deleted)%n",
                r.target(), r.policy(), RetentionPlanner.format(r.grace()));
        if (r.rows().isEmpty()) {
            out.println("  (no backups)");
        } else {
            out.printf("  %-24s %8s  %-8s  %-6s  %s%n", "ID", "AGE", "VERIFIED", "ACTION", "RULE/REASON");
            Instant now = Instant.now();
            for (PruneReport.Row row : r.rows()) {
                out.printf(
                        "  %-24s %8s  %-8s  %-6s  %s%n",
                        row.id(),
                        Durations.format(Duration.between(row.time(), now)),
                        row.verified(),
                        row.keep() ? "KEEP" : "DELETE",
                        row.reason());
            }
        }
        out.printf(
                "%s: would keep %d, delete %d, free %s%n",
                r.target(), r.kept().size(), r.deleted().size(), Sizes.bytes(r.bytesFreed()));
    }

    private static void printDone(PruneReport r, PrintStream out) {
        for (PruneReport.Row row : r.deleted()) {
            if (row.leftover()) {
                out.printf(
                        "%s: deleted %s (%d object%s): %s%n",
                        r.target(), row.id(), row.objects(), row.objects() == 1 ? "" : "s", row.reason());
            } else {
                out.printf(
                        "%s: deleted %s (%s): %s%n",
                        r.target(), row.id(), Sizes.bytes(row.storedBytes()), row.reason());
            }
        }
        for (String key : r.abortedUploads()) {
            out.printf("%s: removed unfinished upload %s%n", r.target(), key);
        }
        out.printf(
                "%s: %d kept, %d deleted, %s freed%n",
                r.target(), r.kept().size(), r.deleted().size(), Sizes.bytes(r.bytesFreed()));
    }
}
