package org.levee.agent.rules;

/** A rule with this id exists already. */
public final class DuplicateRuleException extends RuntimeException {
    private final String id;

    public DuplicateRuleException(String id) {
        super("id: a rule with id '" + id + "' exists already");
        this.id = id;
    }

    public String id() {
        return id;
    }
}
