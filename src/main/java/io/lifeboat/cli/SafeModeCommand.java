package io.lifeboat.cli;

import io.lifeboat.Json;
import io.lifeboat.catalog.Catalog.SafeModeChange;
import io.lifeboat.safemode.SafeModeService;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ./lifeboat safe-mode [status|enter --reason R|resume]}: Safe Mode from the Lifeboat host. A
 * local shell user is trusted to resume (no token); every change is audited as {@code cli:<user>}.
 * Works with or without the daemon (the state is in the catalog).
 */
@Command(
        name = "safe-mode",
        description = "Show Safe Mode and its history (status), turn it on (enter --reason TEXT) or off (resume)."
                + " While on, nothing is restored or pruned automatically.")
final class SafeModeCommand implements Callable<Integer> {

    @ParentCommand
    LifeboatCommand top;

    @Parameters(paramLabel = "status|enter|resume", arity = "0..1", defaultValue = "status")
    String action;

    @Option(names = "--reason", paramLabel = "TEXT", description = "why, recorded in the audit trail")
    String reason;

    @Option(names = "--json", description = "status as JSON, for scripts")
    boolean json;

    @Option(names = "--history", paramLabel = "N", description = "changes to show with status (default 10)")
    int history = 10;

    @Override
    public Integer call() throws Exception {
        if (!List.of("status", "enter", "resume").contains(action)) {
            throw new IllegalArgumentException("unknown action '" + action + "': use status, enter or resume");
        }
        try (Session s = top.session()) {
            SafeModeService safeMode = new SafeModeService(
                    s.catalog(),
                    s.events(),
                    s.eventSink(),
                    s.config().safeMode().resumeToken(),
                    Clock.systemUTC());
            String actor = "cli:" + System.getProperty("user.name", "unknown");
            switch (action) {
                case "enter" -> {
                    System.out.println(safeMode.enter(reason, actor).message());
                    return LifeboatCommand.OK;
                }
                case "resume" -> {
                    System.out.println(safeMode.resumeLocal(actor, reason).message());
                    return LifeboatCommand.OK;
                }
                default -> {
                    List<SafeModeChange> changes = safeMode.history(Math.max(1, history));
                    boolean on = !changes.isEmpty() && changes.get(0).on();
                    if (json) {
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("on", on);
                        out.put(
                                "history",
                                changes.stream().map(SafeModeCommand::json).toList());
                        System.out.println(Json.text(out));
                        return LifeboatCommand.OK;
                    }
                    System.out.println(line(changes.isEmpty() ? null : changes.get(0)));
                    for (SafeModeChange c : changes) {
                        System.out.printf(
                                "  %s %-3s by %s: %s%n", c.at(), c.on() ? "ON" : "OFF", c.actor(), c.reason());
                    }
                    return LifeboatCommand.OK;
                }
            }
        }
    }

    /** One line for status pages: {@code Safe Mode: ON since … by …: reason}. */
    static String line(SafeModeChange last) {
        if (last == null) {
            return "Safe Mode: OFF (never changed)";
        }
        return "Safe Mode: " + (last.on() ? "ON" : "OFF") + " since " + last.at() + " by " + last.actor() + ": "
                + last.reason();
    }

    static Map<String, Object> json(SafeModeChange c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("on", c.on());
        m.put("at", c.at().toString());
        m.put("actor", c.actor());
        m.put("reason", c.reason());
        return m;
    }
}
