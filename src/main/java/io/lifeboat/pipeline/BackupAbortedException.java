package io.lifeboat.pipeline;

/**
 * A backup stopped because the process is ending: its partial object is removed and its run recorded
 * as failed, but it is not a failure of the target. A queued job that ends this way stays on the
 * queue and runs again after restart.
 */
public final class BackupAbortedException extends BackupFailedException {

    public BackupAbortedException(String message, Throwable cause) {
        super(message, "", cause);
    }
}
