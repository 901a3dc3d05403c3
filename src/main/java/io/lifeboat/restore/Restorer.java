package io.lifeboat.restore;

import io.lifeboat.domain.Validation;
import java.io.InputStream;
import java.util.List;

/**
 * Puts one kind of backup back: the raw artifact (decrypted and decompressed: a pg_dump archive, an
 * RDB file, a tar, a command's output) goes to the place a {@link RestoreRequest} names. One
 * implementation per target kind. The caller ({@code RestoreService}) has resolved the backup, reads
 * the stored object, checks its SHA-256, records the run and writes the report; a restorer only knows
 * its own kind.
 */
public interface Restorer {

    /**
     * What {@link #restore} would do, for {@code --dry-run}: one line per step, naming what would be
     * created or replaced and every external command with its arguments (no secrets). Changes nothing.
     */
    List<String> plan(RestoreRequest request);

    /**
     * Restores {@code raw} into the request's destination, reading it to the end. The destination is
     * new (a new database, a scratch server, an empty folder) unless the request asks to replace; a
     * failure part-way leaves nothing behind that was not there before.
     */
    Restored restore(InputStream raw, RestoreRequest request) throws RestoreFailedException;

    /** Runs each check against the restored copy; one result per check, in order. Never throws for a failing check. */
    List<ValidationResult> validate(Restored restored, List<Validation> checks);

    /**
     * Makes a restored and validated copy the live data ({@code --replace}): e.g. renames a restored
     * database over the live one, keeping the old one as {@code <name>_pre_restore_<ts>}. Returns what
     * is now live and names what was kept in its description. Kinds that cannot do this say so.
     */
    default Restored promote(Restored restored, RestoreRequest request) throws RestoreFailedException {
        throw new RestoreFailedException(request.target().kind().configName()
                + " cannot replace live data; restore into a new place and switch over by hand");
    }

    /** Removes a scratch copy (after a drill, or when the stream turned out not to match its SHA-256). */
    void discard(Restored restored) throws RestoreFailedException;
}
