package org.levee.dataplane.object;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.levee.rules.Action;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;

/**
 * What an object records about one rule: the rule without its match source, whose code is in the
 * program; the source is kept as text for people. Enough to specialise the rule for a data
 * center and to report on it.
 *
 * @param id           the rule id
 * @param match        the match source as written, {@code field: text}
 * @param destinations destination prefixes
 * @param datacenters  data centers (empty: everywhere)
 * @param action       what a match does
 * @param expires      expiry, if any
 * @param origin       who wrote the rule
 * @param comment      the comment
 */
public record RuleInfo(
        String id,
        String match,
        List<Prefix> destinations,
        List<String> datacenters,
        Action action,
        Optional<Instant> expires,
        Origin origin,
        String comment) {
    public RuleInfo {
        Rule.requireValidId(id);
        destinations = List.copyOf(destinations);
        datacenters = List.copyOf(datacenters);
    }

    /** The view of {@code rule}. */
    public static RuleInfo of(Rule rule) {
        String match = switch (rule.match()) {
            case Match.Filter f -> f.expression();
            case Match.Cbpf c -> c.bytecode();
            case Match.Dns d -> String.join(" ", d.patterns()) + (d.ignoreCase() ? " (ignoring case)" : "");
            case Match.P0f p -> p.signature();
        };
        return new RuleInfo(
                rule.id(),
                rule.match().field() + ": " + match,
                rule.destinations(),
                rule.datacenters(),
                rule.action(),
                rule.expires(),
                rule.origin(),
                rule.comment());
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
