package org.levee.agent.detect;

import java.time.Instant;
import java.util.Optional;
import org.levee.rules.AttackEvidence;

/**
 * An attack under way.
 *
 * @param destination the host or aggregate attacked
 * @param trafficClass its traffic class
 * @param detected when the detector declared it
 * @param ruleId the rule mitigating it, if any yet
 * @param evidence the latest evidence
 */
public record ActiveAttack(
        String destination, String trafficClass, Instant detected, Optional<String> ruleId, AttackEvidence evidence) {}
