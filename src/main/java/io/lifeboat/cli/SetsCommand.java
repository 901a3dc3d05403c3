package io.lifeboat.cli;

import io.lifeboat.Json;
import io.lifeboat.domain.RecoverySet;
import io.lifeboat.store.RecoverySets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code ./lifeboat sets [--json]} (also {@code list --sets}): the recovery sets in storage, newest first. */
@Command(
        name = "sets",
        description = "List the recovery sets (backup --all) in storage, newest first, with their members.")
final class SetsCommand implements Callable<Integer> {

    @ParentCommand
    LifeboatCommand top;

    @Option(names = "--json", description = "one JSON array, for scripts")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (Session s = top.session()) {
            return print(s, json);
        }
    }

    static int print(Session s, boolean json) throws Exception {
        List<RecoverySet> sets = RecoverySets.list(s.store(), w -> System.err.println("warning: " + w));
        Set<String> offsite = null;
        String unreachable = null;
        if (s.offsiteStore() != null) {
            try {
                offsite = new HashSet<>();
                for (RecoverySet o :
                        RecoverySets.list(s.offsiteStore(), w -> System.err.println("warning: off-site: " + w))) {
                    offsite.add(o.id());
                }
            } catch (Exception e) {
                unreachable = e.getMessage();
                offsite = null;
                System.err.println("warning: the off-site store is unreachable (" + unreachable + ")");
            }
        }
        if (json) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (RecoverySet set : sets) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("set", set);
                row.put("complete", set.complete());
                if (s.offsiteStore() != null) {
                    row.put("offsite", offsite == null ? "unknown" : offsite.contains(set.id()) ? "copied" : "pending");
                }
                rows.add(row);
            }
            System.out.println(Json.text(rows));
            return LifeboatCommand.OK;
        }
        if (sets.isEmpty()) {
            System.out.println(
                    "(no recovery sets in " + s.store().describe() + "; take one with ./lifeboat backup --all)");
            return LifeboatCommand.OK;
        }
        System.out.printf("%-24s %-21s %-14s %s%n", "SET", "CREATED", "MEMBERS", "OFFSITE");
        for (RecoverySet set : sets) {
            String off =
                    s.offsiteStore() == null ? "-" : offsite == null ? "?" : offsite.contains(set.id()) ? "yes" : "no";
            System.out.printf(
                    "%-24s %-21s %-14s %s%n",
                    set.id(),
                    set.createdAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    set.verifiedCount() + "/" + set.members().size() + (set.complete() ? " verified" : " FAILED"),
                    off);
            for (RecoverySet.Member m : set.members()) {
                System.out.printf("    %-20s %s%n", m.target(), m.ok() ? m.backupId() : "FAILED: " + m.error());
            }
        }
        return LifeboatCommand.OK;
    }
}
