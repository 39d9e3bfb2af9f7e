package org.levee.agent.detect;

import java.time.Instant;
import org.levee.rules.Rule;

/**
 * Names the detector's rules for this agent. The detector numbers its rules from 1 in every run,
 * so the agent prefixes a tag of its start time: rules kept from an earlier run never clash with
 * new ones.
 */
public final class AutoRules {
    private final String runTag;

    /** @param startedAt when this agent started; its seconds in base 36 tag the rule ids */
    public AutoRules(Instant startedAt) {
        this.runTag = Long.toString(startedAt.getEpochSecond(), 36);
    }

    /** The agent's id of detector rule {@code detectorId} ({@code auto-7} → {@code auto-t5k2x1-7}). */
    public String id(String detectorId) {
        String suffix = detectorId.startsWith("auto-") ? detectorId.substring("auto-".length()) : detectorId;
        return "auto-" + runTag + "-"
                + suffix.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }

    /** The detector's rule under the agent's id; everything else is as the detector made it. */
    public Rule toRule(Rule detectorRule) {
        return detectorRule.withId(id(detectorRule.id()));
    }
}
