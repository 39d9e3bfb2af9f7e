package org.levee.agent.detect;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.levee.detector.Decision;
import org.levee.rules.AttackEvidence;

/**
 * The attacks under way, followed from the detector's decisions: detected → rule added (or not,
 * or refused by the rule guard, which the evidence's note then says) → retired/ended. Thread-safe: the detection thread writes, the API reads.
 */
public final class AttackTracker {
    private final Map<String, ActiveAttack> active = new LinkedHashMap<>();

    /** No attack under way yet. */
    public AttackTracker() {}

    /** Follows one decision; {@code ruleId} is the agent's id of the decision's rule, if any. */
    public synchronized void follow(Decision d, Optional<String> ruleId, Instant now) {
        String key = d.destination() + "/" + d.trafficClass();
        AttackEvidence evidence = d.attackEvidence();
        ActiveAttack current = active.get(key);
        switch (d.kind()) {
            case ATTACK_DETECTED ->
                active.put(
                        key,
                        new ActiveAttack(
                                evidence.destination(),
                                evidence.trafficClass(),
                                current == null ? now : current.detected(),
                                current == null ? Optional.empty() : current.ruleId(),
                                evidence));
            case RULE_ADDED, NO_RULE, RULE_REFUSED ->
                active.put(
                        key,
                        new ActiveAttack(
                                evidence.destination(),
                                evidence.trafficClass(),
                                current == null ? now : current.detected(),
                                ruleId.isPresent() ? ruleId : current == null ? Optional.empty() : current.ruleId(),
                                evidence));
            case RULE_RETIRED, ATTACK_ENDED -> active.remove(key);
            case RULE_WIDENED -> {} // the attack and its rule stay (and a node's rules apply everywhere already)
        }
    }

    public synchronized List<ActiveAttack> active() {
        return List.copyOf(active.values());
    }
}
