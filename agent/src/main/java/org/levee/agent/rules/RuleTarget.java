package org.levee.agent.rules;

import org.levee.dataplane.DataPlane;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;

/**
 * Where a {@link RuleBook}'s rules take effect: the data plane's main program on a single node
 * ({@link #of}), the second rules stage on an edge of the fleet (its local rules, beside the
 * fleet's rule set).
 */
public interface RuleTarget {

    /** The filters rules are compiled with: a rule compiled through them to check it is not compiled again when applied. */
    RuleFilters filters();

    /**
     * Makes {@code rules}, specialised for {@code datacenter}, the rules in force, atomically:
     * afterwards the new rules act, or on failure the old ones still do.
     */
    void apply(RuleSet rules, String datacenter);

    /** The main program of {@code dataPlane}: these rules are all the node's rules. */
    static RuleTarget of(DataPlane dataPlane) {
        return new RuleTarget() {
            @Override
            public RuleFilters filters() {
                return dataPlane.filters();
            }

            @Override
            public void apply(RuleSet rules, String datacenter) {
                dataPlane.apply(rules, datacenter);
            }
        };
    }
}
