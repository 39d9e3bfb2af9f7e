package org.levee.upstream;

import java.util.List;
import java.util.Set;

/**
 * What should be announced now, and why.
 *
 * @param routes       the routes, one per NLRI (when rules ask for the same FlowSpec match with
 *                     different actions, the strictest wins)
 * @param translations for every rule that goes upstream, its routes or the reason it cannot
 */
public record DesiredRoutes(Set<Route> routes, List<Translation> translations) {
    public DesiredRoutes {
        routes = Set.copyOf(routes);
        translations = List.copyOf(translations);
    }

    /** The refusals among the translations. */
    public List<Translation.Refused> refusals() {
        return translations.stream().filter(t -> t instanceof Translation.Refused)
                .map(t -> (Translation.Refused) t).toList();
    }
}
