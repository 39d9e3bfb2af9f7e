package org.levee.agent.rules;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.levee.rules.Rule;

/**
 * A rule as the agent keeps it: the rule, when it was added, and for automatic rules the
 * detector's evidence.
 */
public record StoredRule(Rule rule, Instant created, Optional<AttackEvidence> evidence) {

    public StoredRule {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(evidence, "evidence");
    }

    public String id() {
        return rule.id();
    }

    /** True once the rule's expiry time has passed. */
    public boolean expiredAt(Instant now) {
        return rule.expiredAt(now);
    }
}
