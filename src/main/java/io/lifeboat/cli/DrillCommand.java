package io.lifeboat.cli;

import io.lifeboat.Json;
import io.lifeboat.domain.Durations;
import io.lifeboat.domain.Trigger;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.restore.DrillService;
import io.lifeboat.restore.IncidentReport;
import io.lifeboat.restore.ValidationResult;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./lifeboat drill TARGET}: restores the latest verified backup into a scratch place, checks it,
 * validates it, drops it, and says how long it took. Exit 0 when it passed (also when slower than
 * {@code drill.rto}: that is printed as SLOW and alerted), 1 when it failed, 2 for an unknown target.
 */
@Command(
        name = "drill",
        description = "Restore drill: restore the latest verified backup of TARGET into a scratch place, validate it,"
                + " measure the RTO, drop it. Exit 0 only when it passed.")
final class DrillCommand implements Callable<Integer> {

    @ParentCommand
    LifeboatCommand top;

    @Parameters(paramLabel = "TARGET")
    String target;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why, recorded with the run")
    String reason;

    @Option(names = "--json", description = "the drill's report as JSON, for scripts")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (Session s = top.session().openCatalogEarly()) {
            if (s.config().target(target).isEmpty()) {
                throw new IllegalArgumentException("unknown target '" + target + "' (configured: "
                        + String.join(", ", s.config().targets().keySet()) + ")");
            }
            DrillService drills = new DrillService(s.config(), s.store(), s.catalog(), s.events(), Clock.systemUTC());
            Progress progress = new Progress();
            DrillService.Outcome outcome;
            try (ProgressDisplay display =
                    new ProgressDisplay("drill " + target, progress, System.err, System.console() != null)) {
                outcome = drills.drill(target, Trigger.manual(reason == null ? "command line" : reason), progress);
            }
            if (json) {
                var detail = outcome.report().toDetail();
                detail.put("verdict", outcome.verdict());
                detail.put("report", outcome.reportKey());
                System.out.println(Json.text(detail));
            } else {
                print(outcome, System.out);
            }
            return outcome.ok() ? LifeboatCommand.OK : LifeboatCommand.FAILED;
        }
    }

    static void print(DrillService.Outcome outcome, PrintStream out) {
        IncidentReport r = outcome.report();
        StringBuilder line = new StringBuilder(r.target()).append(": drill ").append(outcome.verdict());
        if (r.backupId() != null) {
            line.append(": backup ").append(r.backupId());
            if (r.backupTakenAt() != null) {
                line.append(" (taken ")
                        .append(Durations.format(Duration.between(r.backupTakenAt(), r.startedAt())))
                        .append(" before)");
            }
        }
        if (r.ok()) {
            line.append(" restored into a scratch place and validated in ").append(DrillService.formatRto(r.rto()));
            if (r.rtoObjective() != null) {
                line.append(r.slowerThanObjective() ? ", OVER the RTO objective of " : ", within the RTO objective of ")
                        .append(Durations.format(r.rtoObjective()));
            }
        } else {
            line.append(": ").append(r.error());
        }
        out.println(line);
        for (ValidationResult v : r.validations()) {
            out.println("  " + (v.ok() ? "PASS " : "FAIL ") + v.check().describe() + ": " + v.detail());
        }
        if (r.ok() && r.error() != null) {
            out.println("  warning: " + r.error());
        }
        if (outcome.reportKey() != null) {
            out.println("report: " + outcome.reportKey());
        }
    }
}
