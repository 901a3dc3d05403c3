package io.lifeboat.restore;

import io.lifeboat.config.TargetConfig;
import io.lifeboat.domain.TargetKind;
import io.lifeboat.domain.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
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

    /**
     * Whether {@link #restore} writes into live data rather than into a new place: the caller then
     * reads the whole stored object and checks its SHA-256 before it starts, because a mismatch found
     * at the end of the stream would come too late. The command kind pipes into the configured restore
     * command, so it does by default; a restorer that replaces a named instance says so too.
     */
    default boolean writesInPlace(RestoreRequest request) {
        return request.target().kind() == TargetKind.COMMAND;
    }

    /** Opens a backup's raw artifact from its start; closing the stream releases the stored object. */
    @FunctionalInterface
    interface RawOpener {
        InputStream open() throws IOException;
    }

    /**
     * Checks the request against the start of the backup before anything is created or recorded (e.g.
     * that a table named with {@code --table} is in the dump), for a clear error up front. Opens the
     * artifact only when it needs to, reads as little as it can, and changes nothing.
     *
     * @throws IllegalArgumentException when the request does not fit this backup
     */
    default void preflight(RestoreRequest request, RawOpener raw) throws IOException {}

    /**
     * What {@link #rollback} would do, one line per step; changes nothing.
     *
     * @throws IllegalArgumentException when there is nothing to roll back to, or the kind cannot
     */
    default List<String> rollbackPlan(TargetConfig target, Instant at) {
        throw new IllegalArgumentException(target.kind().configName() + " targets have no rollback");
    }

    /**
     * Undoes the last {@link #promote}: the data it replaced becomes live again, and what was live is
     * kept under another name. Returns what it did, for a person.
     */
    default String rollback(TargetConfig target, Instant at) throws RestoreFailedException {
        throw new RestoreFailedException(target.kind().configName() + " targets have no rollback");
    }
}
