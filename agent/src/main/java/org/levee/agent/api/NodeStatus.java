package org.levee.agent.api;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.levee.agent.config.Sampling;
import org.levee.agent.detect.ActiveAttack;
import org.levee.dataplane.AttachedProgram;
import org.levee.dataplane.Counters;
import org.levee.rules.StoredRule;

/**
 * What {@code GET /status} shows, gathered in one moment by the node.
 *
 * @param attachment     where the program runs and which program it is
 * @param ruleSetVersion the version of the rules applied now
 * @param datacenter     the node's data center ("" for none)
 * @param node           the node's name
 * @param started        when the node started
 * @param sampleRate     N of "1 in N" now
 * @param sampling       how N is chosen
 * @param counters       the data plane's counters
 * @param samplesRead    samples read from the ring buffer since the start
 * @param rules          the rules in force
 * @param attacks        the attacks under way
 */
public record NodeStatus(
        AttachedProgram attachment,
        String ruleSetVersion,
        String datacenter,
        String node,
        Instant started,
        int sampleRate,
        Sampling sampling,
        Counters counters,
        long samplesRead,
        List<StoredRule> rules,
        List<ActiveAttack> attacks) {
    public NodeStatus {
        Objects.requireNonNull(attachment, "attachment");
        rules = List.copyOf(rules);
        attacks = List.copyOf(attacks);
    }
}
