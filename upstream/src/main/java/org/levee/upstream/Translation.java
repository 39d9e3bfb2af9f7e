package org.levee.upstream;

import java.util.List;

/** What became of one rule asked to go upstream: routes, or the reason it cannot. */
public sealed interface Translation {

    String ruleId();

    /**
     * The rule's routes.
     *
     * @param notes what the operator should know (a rate derived from a packet size, a documented
     *              widening that was configured)
     */
    record Translated(String ruleId, List<? extends Route> routes, List<String> notes) implements Translation {
        public Translated {
            routes = List.copyOf(routes);
            notes = List.copyOf(notes);
        }
    }

    /** Nothing is announced for the rule, because {@code reason}. */
    record Refused(String ruleId, String reason) implements Translation {}
}
