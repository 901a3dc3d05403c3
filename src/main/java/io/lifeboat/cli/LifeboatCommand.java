package io.lifeboat.cli;

import io.lifeboat.Json;
import io.lifeboat.config.ConfigException;
import io.lifeboat.domain.Durations;
import io.lifeboat.domain.Manifest;
import io.lifeboat.domain.Trigger;
import io.lifeboat.domain.Verification;
import io.lifeboat.pipeline.BackupFailedException;
import io.lifeboat.pipeline.Progress;
import io.lifeboat.store.StoredBackups;
import io.lifeboat.store.StoredBackups.Found;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** The command line: {@code ./lifeboat run|backup|list|verify|status|catalog rebuild}. Each works without the daemon. */
@Command(
        name = "lifeboat",
        mixinStandardHelpOptions = true,
        version = "lifeboat 0.1.0",
        description = "Verified backups, restore drills and alerts for self-hosted stacks.",
        subcommands = {
            LifeboatCommand.Run.class,
            LifeboatCommand.Backup.class,
            LifeboatCommand.ListBackups.class,
            LifeboatCommand.Verify.class,
            RestoreCommand.class,
            LifeboatCommand.Status.class,
            DrillCommand.class,
            LifeboatCommand.CatalogCmd.class,
            CopyCommand.class,
            SetsCommand.class,
            PruneCommand.class,
            SafeModeCommand.class,
            WarmUp.class
        })
public final class LifeboatCommand {

    /** Exit codes: 0 success, 1 the work failed (backup, verification), 2 bad usage or config. */
    static final int OK = 0, FAILED = 1, USAGE = 2;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description =
                    "lifeboat.yaml to use (default: $LIFEBOAT_CONFIG, else config/lifeboat.yaml under $LIFEBOAT_HOME)")
    Path config;

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new LifeboatCommand());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException) {
                commandLine.getErr().println(e.getMessage());
                return USAGE;
            }
            if (e instanceof IllegalArgumentException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return USAGE;
            }
            commandLine.getErr().println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return FAILED;
        });
        return cli.execute(args);
    }

    Path configFile() {
        if (config != null) {
            return config;
        }
        String env = System.getenv("LIFEBOAT_CONFIG");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return home().resolve("config/lifeboat.yaml");
    }

    /**
     * Where {@code routes/} and {@code config/} are: {@code $LIFEBOAT_HOME} (the launcher sets it),
     * else the checkout the running jar was built in ({@code <home>/target/lifeboat.jar}), else the
     * working directory.
     */
    static Path home() {
        String home = System.getenv("LIFEBOAT_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        try {
            Path jar = Path.of(LifeboatCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path checkout = jar.getParent() == null ? null : jar.getParent().getParent();
            if (checkout != null && java.nio.file.Files.isDirectory(checkout.resolve("routes"))) {
                return checkout;
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // fall back to the working directory
        }
        return Path.of(".");
    }

    Session session() {
        return new Session(configFile());
    }

    @Command(
            name = "run",
            description = "Run the daemon: schedules, events, the embedded broker when no MQTT broker is configured.")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        LifeboatCommand top;

        @Override
        public Integer call() throws Exception {
            var config = io.lifeboat.config.ConfigLoader.load(top.configFile(), System.getenv());
            return Daemon.run(config, home());
        }
    }

    @Command(
            name = "backup",
            description = "Take, store and verify one backup of TARGET; prints its id. Exit 0 only when verified."
                    + " --all backs up every target at once as a recovery set and prints the set id.")
    static final class Backup implements Callable<Integer> {
        @ParentCommand
        LifeboatCommand top;

        @Parameters(paramLabel = "TARGET", arity = "0..1")
        String target;

        @Option(names = "--all", description = "every target at once, as one recovery set (sets/<set-id>/set.json)")
        boolean all;

        @Option(names = "--reason", paramLabel = "TEXT", description = "why, recorded in the manifest")
        String reason;

        @Override
        public Integer call() throws Exception {
            if (all == (target != null)) {
                throw new IllegalArgumentException("give a TARGET or --all");
            }
            try (Session s = top.session().openCatalogEarly()) {
                if (all) {
                    return BackupAll.run(s, reason);
                }
                Progress progress = new Progress();
                PrintStream err = System.err;
                try (ProgressDisplay display = new ProgressDisplay(target, progress, err, System.console() != null)) {
                    Manifest m = s.service()
                            .backup(target, Trigger.manual(reason == null ? "command line" : reason), progress);
                    display.close();
                    err.printf(
                            "%s: verified backup %s, %s stored (%s raw) in %s%n",
                            target,
                            m.id(),
                            Sizes.bytes(m.storedBytes()),
                            Sizes.bytes(m.rawBytes()),
                            Durations.format(Duration.between(m.startedAt(), Instant.now())));
                    OffsiteView.reportCopy(s, m);
                    System.out.println(m.id());
                    return OK;
                } catch (BackupFailedException e) {
                    err.println(target + ": backup FAILED: " + e.getMessage());
                    if (!e.stderr().isBlank()) {
                        err.println(e.stderr().strip());
                    }
                    return FAILED;
                }
            }
        }
    }

    @Command(name = "list", description = "List the backups in storage, newest first.")
    static final class ListBackups implements Callable<Integer> {
        @ParentCommand
        LifeboatCommand top;

        @Parameters(paramLabel = "TARGET", arity = "0..1")
        String target;

        @Option(names = "--json", description = "one JSON array, for scripts")
        boolean json;

        @Option(names = "--sets", description = "list the recovery sets instead (as ./lifeboat sets)")
        boolean sets;

        @Override
        public Integer call() throws Exception {
            try (Session s = top.session()) {
                if (sets) {
                    return SetsCommand.print(s, json);
                }
                List<Found> backups = new StoredBackups(s.store()).scan(target); // storage only: no catalog needed
                var offsite = OffsiteView.scan(s, target); // null without storage.offsite
                if (json) {
                    System.out.println(Json.text(JsonViews.list(backups, offsite)));
                    return OK;
                }
                System.out.printf(
                        "%-24s %-20s %-9s %10s %10s %-10s %-8s %s%n",
                        "ID", "TARGET", "KIND", "STORED", "RAW", "VERIFIED", "OFFSITE", "TRIGGER");
                Instant now = Instant.now();
                for (Found b : backups) {
                    Manifest m = b.manifest();
                    String verified = b.lastVerification()
                            .map(v -> v.ok() ? "yes" : "FAILED")
                            .orElse("no");
                    System.out.printf(
                            "%-24s %-20s %-9s %10s %10s %-10s %-8s %s (%s ago)%n",
                            m.id(),
                            m.target(),
                            m.kind(),
                            Sizes.bytes(m.storedBytes()),
                            Sizes.bytes(m.rawBytes()),
                            verified,
                            OffsiteView.label(offsite, m),
                            m.trigger().type()
                                    + (m.trigger().detail().isBlank()
                                            ? ""
                                            : ": " + m.trigger().detail()),
                            Durations.format(Duration.between(m.finishedAt(), now)));
                }
                if (backups.isEmpty()) {
                    System.out.println("(no backups" + (target == null ? "" : " of " + target) + " in "
                            + s.store().describe() + ")");
                }
                return OK;
            }
        }
    }

    @Command(
            name = "verify",
            description = "Read a stored backup back and check its SHA-256. REF is an id or latest:TARGET.")
    static final class Verify implements Callable<Integer> {
        @ParentCommand
        LifeboatCommand top;

        @Parameters(paramLabel = "ID|latest:TARGET")
        String ref;

        @Override
        public Integer call() throws Exception {
            try (Session s = top.session()) {
                Manifest m = s.service().resolve(ref);
                Progress progress = new Progress();
                Verification v;
                try (ProgressDisplay display =
                        new ProgressDisplay("verify " + m.id(), progress, System.err, System.console() != null)) {
                    v = s.service().verify(m, progress);
                }
                if (v.ok()) {
                    System.out.println(m.id() + ": OK (" + v.detail() + ", " + Sizes.bytes(v.bytes()) + ")");
                    return OK;
                }
                System.out.println(m.id() + ": FAILED: " + v.detail());
                return FAILED;
            }
        }
    }

    @Command(
            name = "status",
            description = "Each target's last verified backup, its age against the RPO, and the last run.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        LifeboatCommand top;

        @Option(names = "--json", description = "JSON, for scripts")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (Session s = top.session()) {
                List<Map<String, Object>> states = JsonViews.states(s.config(), s.service());
                OffsiteView.addToStates(s, states); // newest off-site copy and lag, from storage
                var safeMode = s.catalog().safeMode().orElse(null);
                if (json) {
                    System.out.println(Json.text(
                            JsonViews.status(states, safeMode, s.catalog().recentRuns(JsonViews.RECENT_RUNS), null)));
                    return OK;
                }
                System.out.println(SafeModeCommand.line(safeMode));
                System.out.printf(
                        "%-20s %-24s %8s %8s %-9s %-10s %s%n",
                        "TARGET", "LAST VERIFIED", "AGE", "RPO", "RPO STATE", "LAST RUN", "NEXT RUN");
                for (Map<String, Object> st : states) {
                    System.out.printf(
                            "%-20s %-24s %8s %8s %-9s %-10s %s%n",
                            st.get("target"),
                            st.getOrDefault("lastVerifiedId", "-") == null ? "-" : st.get("lastVerifiedId"),
                            st.getOrDefault("age", "-"),
                            st.getOrDefault("rpo", "-"),
                            st.get("rpoState"),
                            st.getOrDefault("lastRunResult", "-"),
                            st.getOrDefault("nextRun", "-"));
                    if (st.get("lastRunError") != null) {
                        System.out.println("    last error: " + st.get("lastRunError"));
                    }
                    OffsiteView.printStatusLine(st);
                    for (String[] line :
                            new String[][] {{"lastDrill", "last drill"}, {"lastRestore", "last restore"}}) {
                        if (st.get(line[0]) instanceof Map<?, ?> run) {
                            System.out.println("    " + line[1] + ": " + run.get("result") + " at " + run.get("at")
                                    + (run.get("rto") == null ? "" : ", RTO " + run.get("rto"))
                                    + (run.get("backupId") == null ? "" : ", backup " + run.get("backupId"))
                                    + (run.get("error") == null ? "" : ": " + run.get("error")));
                        }
                    }
                }
                return OK;
            }
        }
    }

    @Command(
            name = "catalog",
            description = "Manage the catalog (the index of backups and history of runs).",
            subcommands = CatalogCmd.Rebuild.class)
    static final class CatalogCmd {
        @ParentCommand
        LifeboatCommand top;

        @Command(
                name = "rebuild",
                description = "Re-index every backup from the manifests in storage; run history is kept.")
        static final class Rebuild implements Callable<Integer> {
            @ParentCommand
            CatalogCmd catalog;

            @Override
            public Integer call() throws Exception {
                try (Session s = catalog.top.session()) {
                    int n = s.catalog().rebuild(s.store());
                    System.out.println("catalog rebuilt: " + n + " backup(s) indexed from "
                            + s.store().describe());
                    return OK;
                }
            }
        }
    }
}
