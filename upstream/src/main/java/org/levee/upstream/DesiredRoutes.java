package org.levee.upstream;

import java.util.List;
import java.util.Set;

/**
 * What should be announced now, and why.
 *
 * @param routes    the routes, one per NLRI (when rules ask for the same FlowSpec match with
 *                  different actions, the strictest wins)
 * @param decisions for every rule that goes upstream, on what grounds, and its routes or the
 *                  reason it has none
 */
public record DesiredRoutes(Set<Route> routes, List<UpstreamDecision> decisions) {
    public DesiredRoutes {
        routes = Set.copyOf(routes);
        decisions = List.copyOf(decisions);
    }

    /** The translations of the rules that go upstream, in the order of the rules. */
    public List<Translation> translations() {
        return decisions.stream().map(UpstreamDecision::translation).toList();
    }

    /** The refusals among the translations. */
    public List<Translation.Refused> refusals() {
        return translations().stream()
                .filter(t -> t instanceof Translation.Refused)
                .map(t -> (Translation.Refused) t)
                .toList();
    }
}
