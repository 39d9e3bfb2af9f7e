package org.levee.agent.rules;

/** The state file cannot be read: says which file, entry and field. */
public final class RuleStoreException extends RuntimeException {
    public RuleStoreException(String message) {
        super(message);
    }
}
