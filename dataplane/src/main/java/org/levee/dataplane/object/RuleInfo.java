package org.levee.dataplane.object;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.levee.dataplane.rules.Action;
import org.levee.dataplane.rules.Origin;
import org.levee.dataplane.rules.Rule;

/**
 * What an object records about one rule: enough to specialise it for a data center and to
 * report on it, without the filter code (that is in the program).
 *
 * @param id           the rule id
 * @param match        the match source as written, {@code field: text}
 * @param destinations destination prefixes
 * @param datacenters  data centers (empty: everywhere)
 * @param action       drop, pass or ratelimit
 * @param pps          rate for ratelimit, else 0
 * @param burst        burst for ratelimit, else 0
 * @param expires      expiry, if any
 * @param origin       manual or auto
 * @param comment      the comment
 */
public record RuleInfo(String id, String match, List<String> destinations, List<String> datacenters, String action,
                       long pps, long burst, Optional<Instant> expires, String origin, String comment) {
    public RuleInfo {
        Rule.requireValidId(id);
        destinations = List.copyOf(destinations);
        datacenters = List.copyOf(datacenters);
        // What an object's metadata may say is what the writer can write back: pps and burst only
        // for ratelimit (and then within the action's limits), the known actions and origins.
        switch (action) {
            case "ratelimit" -> new Action.RateLimit(pps, burst);
            case "drop", "pass" -> {
                if (pps != 0 || burst != 0) {
                    throw new IllegalArgumentException("pps " + pps + " and burst " + burst + " apply only to action"
                            + " ratelimit, not " + action);
                }
            }
            default -> throw new IllegalArgumentException("action '" + action + "' is not drop, pass or ratelimit");
        }
        if (!origin.equals(Origin.MANUAL.keyword()) && !origin.equals(Origin.AUTO.keyword())) {
            throw new IllegalArgumentException("origin '" + origin + "' is not manual or auto");
        }
    }

    /** {@code rule_<id>_enabled}. */
    public String enabledSymbol() {
        return Rule.enabledSymbol(id);
    }

    /** True when the rule applies in {@code datacenter} (null: none given) at {@code now}. */
    public boolean appliesIn(String datacenter, Instant now) {
        boolean here = datacenters.isEmpty() || (datacenter != null && datacenters.contains(datacenter));
        return here && expires.map(now::isBefore).orElse(true);
    }
}
