package io.lifeboat.cli;

import io.lifeboat.domain.RecoverySet;
import io.lifeboat.pipeline.RecoverySetService;
import java.io.IOException;
import java.time.Clock;

/** {@code ./lifeboat backup --all}: a recovery set; prints its id, exit 0 only when every member is verified. */
final class BackupAll {

    private BackupAll() {}

    static int run(Session s, String reason) throws Exception {
        RecoverySetService sets =
                new RecoverySetService(s.config(), s.service(), s.store(), s.events(), Clock.systemUTC());
        System.err.println("backing up " + s.config().targets().size() + " target(s) at once: "
                + String.join(", ", s.config().targets().keySet()));
        RecoverySetService.Outcome outcome;
        try {
            outcome = sets.backupAll(reason, m -> {
                synchronized (System.err) {
                    System.err.println(
                            m.ok()
                                    ? m.target() + ": verified backup " + m.backupId()
                                    : m.target() + ": backup FAILED: " + m.error());
                }
            });
        } catch (IOException e) {
            System.err.println("recovery set FAILED: could not write the set manifest: " + e.getMessage());
            return LifeboatCommand.FAILED;
        }
        RecoverySet set = outcome.set();
        System.err.println("recovery set " + set.id() + ": " + set.verifiedCount() + " of "
                + set.members().size() + " verified" + (set.complete() ? "" : " - INCOMPLETE") + ", stored in "
                + s.store().describe());
        if (outcome.offsiteError() != null) {
            System.err.println("recovery set " + set.id() + ": off-site copy of the set FAILED: "
                    + outcome.offsiteError() + " (copy it later with ./lifeboat copy --all-missing)");
        }
        System.out.println(set.id());
        return set.complete() ? LifeboatCommand.OK : LifeboatCommand.FAILED;
    }
}
