package io.lifeboat.cli;

import io.lifeboat.domain.CopyRecord;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.OffsiteState;
import io.lifeboat.domain.RecoverySet;
import io.lifeboat.domain.Trigger;
import io.lifeboat.pipeline.OffsiteCopier;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.store.OffsiteCopies;
import io.lifeboat.store.StoredBackups;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ./lifeboat copy ID|latest:TARGET|--all-missing}: puts verified backups off-site and verifies them there. */
@Command(
        name = "copy",
        description = "Copy verified backups to the off-site store (storage.offsite) and verify them there."
                + " REF is an id or latest:TARGET; --all-missing copies every verified backup (and recovery set)"
                + " the off-site store lacks. Exit 0 only when every copy is verified.")
final class CopyCommand implements Callable<Integer> {

    @ParentCommand
    LifeboatCommand top;

    @Parameters(paramLabel = "ID|latest:TARGET", arity = "0..1")
    String ref;

    @Option(names = "--all-missing", description = "copy every verified backup without a verified off-site copy")
    boolean allMissing;

    @Option(names = "--force", description = "copy REF again even if a verified copy is there")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if (allMissing == (ref != null)) {
            throw new IllegalArgumentException("give one backup (ID or latest:TARGET) or --all-missing");
        }
        if (allMissing && force) {
            throw new IllegalArgumentException("--force goes with one backup, not with --all-missing");
        }
        try (Session s = top.session()) {
            if (s.config().offsite() == null) {
                throw new IllegalArgumentException(
                        "no off-site store is configured: add storage.offsite to " + top.configFile());
            }
            OffsiteCopier copier = s.service().offsite().orElseThrow();
            return allMissing ? copyMissing(s, copier) : copyOne(s, copier);
        }
    }

    private int copyOne(Session s, OffsiteCopier copier) throws Exception {
        Manifest m = s.service().resolve(ref);
        StoredBackups.Found found = new StoredBackups(s.store())
                .scan(m.target()).stream()
                        .filter(f -> f.manifest().id().equals(m.id()))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("backup " + m.id() + " is gone"));
        if (!found.verified()) {
            System.err.println(m.id() + ": not verified on the primary store; only verified backups are copied"
                    + " (check it with ./lifeboat verify " + m.id() + ")");
            return LifeboatCommand.FAILED;
        }
        if (!force) {
            OffsiteCopies view = OffsiteCopies.scan(
                    s.store(), s.offsiteStore(), m.target(), w -> System.err.println("warning: " + w));
            if (view.unreachable().isEmpty() && view.status(m).state() == OffsiteState.COPIED) {
                System.out.println(m.id() + " " + m.target() + ": already copied and verified off-site ("
                        + view.status(m).detail() + "); --force copies it again");
                return LifeboatCommand.OK;
            }
        }
        return copy(s, copier, m) ? LifeboatCommand.OK : LifeboatCommand.FAILED;
    }

    private int copyMissing(Session s, OffsiteCopier copier) throws Exception {
        List<Manifest> missing;
        List<RecoverySet> sets;
        try {
            missing = copier.missing(null, w -> System.err.println("warning: " + w));
            sets = copier.missingSets(w -> System.err.println("warning: " + w));
        } catch (IOException e) {
            System.err.println("copy FAILED: " + e.getMessage());
            return LifeboatCommand.FAILED;
        }
        if (missing.isEmpty() && sets.isEmpty()) {
            System.err.println("nothing to copy: every verified backup has a verified copy in "
                    + copier.store().describe());
            return LifeboatCommand.OK;
        }
        int failed = 0;
        for (Manifest m : missing) {
            if (!copy(s, copier, m)) {
                failed++;
            }
        }
        for (RecoverySet set : sets) {
            try {
                copier.copySet(set);
                System.out.println("set " + set.id() + ": copied");
            } catch (IOException | RuntimeException e) {
                System.out.println("set " + set.id() + ": FAILED: " + e.getMessage());
                failed++;
            }
        }
        int total = missing.size() + sets.size();
        System.err.printf(
                "%d of %d copied and verified in %s%s%n",
                total - failed, total, copier.store().describe(), failed == 0 ? "" : "; " + failed + " FAILED");
        return failed == 0 ? LifeboatCommand.OK : LifeboatCommand.FAILED;
    }

    private static boolean copy(Session s, OffsiteCopier copier, Manifest m) {
        Progress progress = new Progress();
        CopyRecord r;
        try (ProgressDisplay display =
                new ProgressDisplay("copy " + m.id(), progress, System.err, System.console() != null)) {
            r = copier.copy(m, Trigger.manual("copy command"), progress);
        }
        if (r.ok()) {
            System.out.println(m.id() + " " + m.target() + ": copied and verified off-site ("
                    + Sizes.bytes(r.storedBytes()) + (r.reencrypted() ? ", re-encrypted as " + r.encryption() : "")
                    + ")");
            return true;
        }
        System.out.println(m.id() + " " + m.target() + ": FAILED: " + r.detail());
        return false;
    }
}
