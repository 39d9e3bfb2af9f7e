package org.levee.upstream;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.levee.rules.Rule;

/**
 * One live rule as the policy sees it.
 *
 * @param rule               the rule (expired or retired rules are simply not passed)
 * @param optIn              the mode asked for this rule ({@code --upstream}, the API's {@code "upstream"})
 * @param attackBitsPerSecond the attack's rate when the detector made the rule, if known
 */
public record UpstreamRequest(Rule rule, Optional<UpstreamMode> optIn, OptionalDouble attackBitsPerSecond) {
    public UpstreamRequest {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(optIn, "optIn");
        Objects.requireNonNull(attackBitsPerSecond, "attackBitsPerSecond");
    }

    /** A rule with no opt-in and no known attack rate. */
    public static UpstreamRequest of(Rule rule) {
        return new UpstreamRequest(rule, Optional.empty(), OptionalDouble.empty());
    }
}
