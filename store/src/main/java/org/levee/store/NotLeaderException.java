package org.levee.store;

/** A fenced write was refused: the writer is no longer (or not) the leader. Nothing was written. */
public final class NotLeaderException extends RuntimeException {
    public NotLeaderException(String message) {
        super(message);
    }
}
