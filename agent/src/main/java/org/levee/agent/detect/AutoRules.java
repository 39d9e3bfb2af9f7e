package org.levee.agent.detect;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.levee.rules.Action;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Rule;

/**
 * Turns the detector's rules into data-plane rules. The detector numbers its rules from 1 in
 * every run, so the agent prefixes a tag of its start time: rules kept from an earlier run never
 * clash with new ones.
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
        return "auto-" + runTag + "-" + suffix.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }

    /**
     * The data-plane rule of a detector rule: its classic BPF (which already tests the
     * destination), its data centers, drop or rate limit (burst: one second of the rate).
     */
    public Rule toRule(org.levee.detector.rule.Rule r) {
        Action action = switch (r.action()) {
            case DROP -> new Action.Drop();
            case RATELIMIT -> new Action.RateLimit(r.ratelimitPacketsPerSecond(), r.ratelimitPacketsPerSecond());
        };
        List<String> datacenters = r.datacenters().all() ? List.of() : List.copyOf(r.datacenters().names());
        String comment = r.trafficClass().name().toLowerCase(java.util.Locale.ROOT) + " attack on " + r.destination()
                + ": " + r.filter().description();
        return new Rule(id(r.id()), new Match.Cbpf(r.filter().program(), r.filter().description()), List.of(),
                datacenters, action, Optional.empty(), comment,
                r.origin() == org.levee.detector.rule.Origin.AUTO ? Origin.AUTO : Origin.MANUAL);
    }
}
