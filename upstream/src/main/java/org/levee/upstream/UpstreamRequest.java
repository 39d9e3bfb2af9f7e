package org.levee.upstream;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.levee.rules.Rule;
import org.levee.rules.StoredRule;
import org.levee.rules.UpstreamMode;

/**
 * One live rule as the policy sees it.
 *
 * @param rule               the rule (expired or retired rules are simply not passed)
 * @param optIn              the mode asked for this rule (its {@code upstream} field: {@code --upstream},
 *                           the API's {@code "upstream"}, a rule file's)
 * @param attackBitsPerSecond the attack's rate when the detector made the rule, if known
 */
public record UpstreamRequest(Rule rule, Optional<UpstreamMode> optIn, OptionalDouble attackBitsPerSecond) {
    public UpstreamRequest {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(optIn, "optIn");
        Objects.requireNonNull(attackBitsPerSecond, "attackBitsPerSecond");
    }

    /** A rule with its own request, if any, and no known attack rate. */
    public static UpstreamRequest of(Rule rule) {
        return new UpstreamRequest(rule, rule.upstream(), OptionalDouble.empty());
    }

    /** A stored rule: its own request, and for an automatic rule the attack's rate from its evidence. */
    public static UpstreamRequest of(StoredRule stored) {
        return new UpstreamRequest(
                stored.rule(),
                stored.rule().upstream(),
                stored.evidence().map(e -> OptionalDouble.of(e.bitsPerSecond())).orElse(OptionalDouble.empty()));
    }
}
