package org.levee.rules;

import java.util.List;

/**
 * A rule the {@link RuleGuard} refused: it would cut off a protected endpoint or too much of the
 * legitimate traffic. A {@link RuleSetException}, so every adapter that reports bad rules reports
 * it the same way, with the guard's words.
 */
public final class RuleRefusedException extends RuleSetException {

    private final RuleGuard.Refusal refusal;

    public RuleRefusedException(String ruleId, RuleGuard.Refusal refusal, String advice) {
        super("rule " + ruleId, List.of(refusal.reason() + advice));
        this.refusal = refusal;
    }

    /** Why. */
    public RuleGuard.Refusal refusal() {
        return refusal;
    }
}
