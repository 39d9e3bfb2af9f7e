package org.levee.dataplane.object;

/** A file that is not a usable rule-set object, with what is wrong and where. */
public final class RuleSetObjectException extends RuntimeException {
    public RuleSetObjectException(String message) {
        super(message);
    }

    public RuleSetObjectException(String message, Throwable cause) {
        super(message, cause);
    }
}
