package io.lifeboat.pipeline;

/** A prune was refused before it touched anything (Safe Mode is on); the message says why and what to do. */
public final class PruneRefusedException extends Exception {

    public PruneRefusedException(String message) {
        super(message);
    }
}
