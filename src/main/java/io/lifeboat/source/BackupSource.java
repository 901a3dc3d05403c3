package io.lifeboat.source;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Produces one target's raw backup stream (a pg_dump archive, an RDB file, a tar, a command's
 * stdout). A source writes into the stream it is given as the bytes come, so nothing is held whole
 * in memory or staged on disk.
 */
public interface BackupSource {

    /**
     * Writes the whole raw backup to {@code out} and returns only when the producing tool has exited
     * successfully. Does not close {@code out}.
     *
     * @throws SourceFailedException when the tool exits non-zero or cannot connect; carries its stderr
     * @throws IOException when writing to {@code out} fails; the tool is stopped
     */
    void writeTo(OutputStream out) throws IOException, SourceFailedException;

    /** The tool that produces the stream, e.g. {@code pg_dump}. */
    String tool();

    /** The tool's version as it reports it, e.g. {@code pg_dump (PostgreSQL) 15.19}; "unknown" if it cannot tell. */
    String toolVersion();

    /**
     * One line telling a person how to restore the artifact with stock tools, given the artifact's
     * file name as downloaded (e.g. {@code data.dump.zst}).
     */
    String restoreHint(String artifactFileName);
}
