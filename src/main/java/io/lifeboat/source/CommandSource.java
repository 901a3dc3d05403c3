package io.lifeboat.source;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * Whatever a user-given command writes to stdout, e.g. a vector database's snapshot fetched with
 * curl. The command is run as a list of arguments with no shell, unless the user wrote one
 * ({@code ["sh", "-c", "…"]}). Its output is stored as it is; restoring it is the matching tool's job.
 */
public final class CommandSource implements BackupSource {

    private final ProcessStreamer streamer;

    public CommandSource(List<String> command) {
        requireNonNull(command, "command");
        if (command.isEmpty() || command.get(0) == null || command.get(0).isBlank()) {
            throw new IllegalArgumentException("command must name a program as its first element");
        }
        for (int i = 0; i < command.size(); i++) {
            requireNonNull(command.get(i), "command[" + i + "]");
        }
        this.streamer = new ProcessStreamer(command.get(0), command, Map.of());
    }

    @Override
    public void writeTo(OutputStream out) throws IOException, SourceFailedException {
        streamer.streamTo(out);
    }

    @Override
    public String tool() {
        return streamer.tool();
    }

    /** "unknown": there is no general way to ask an arbitrary command for its version. */
    @Override
    public String toolVersion() {
        return "unknown";
    }

    @Override
    public String restoreHint(String artifactFileName) {
        String raw = RestoreHints.rawName(artifactFileName);
        return RestoreHints.unpackTo(artifactFileName, raw) + " && feed " + raw + " (the raw stdout of " + tool()
                + ") to the tool that restores it";
    }

    @Override
    public String toString() {
        return "CommandSource[" + tool() + "]"; // not the arguments: they may hold a token
    }
}
