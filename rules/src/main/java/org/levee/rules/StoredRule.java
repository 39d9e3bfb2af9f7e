package org.levee.rules;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A rule as Levee keeps it, wherever it is kept — the agent's state file, the controller's
 * {@code PREFIX rules/ID} keys in etcd, the HTTP API's answers: the rule, when it was added, and
 * for automatic rules the detector's evidence. {@link StoredRuleCodec} reads and writes it.
 *
 * @param rule     the rule
 * @param created  when it was added
 * @param evidence why the detector made it (automatic rules); empty for manual rules
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
