package org.levee.controller.rules;

import java.util.Comparator;
import org.levee.rules.Origin;
import org.levee.rules.StoredRule;

/**
 * The order of the rules in the compiled set (the first matching rule decides and counts):
 * manual rules before automatic ones — an operator's {@code pass} for a customer's traffic must
 * win over a drop the detector made — then by the time they were added, oldest first, then by id.
 * Every controller orders the same rules the same way, so the same sources give the same object.
 */
public final class RuleOrder {
    private RuleOrder() {}

    public static final Comparator<StoredRule> ORDER = Comparator.comparing(
                    (StoredRule r) -> r.rule().origin() == Origin.MANUAL ? 0 : 1)
            .thenComparing(StoredRule::created)
            .thenComparing(StoredRule::id);
}
