package org.levee.controller.rules;

import java.util.Objects;
import java.util.Optional;

/**
 * A rule source the leader left out of the rule set, and why.
 *
 * @param key the etcd key of the rule (or of the rule set, for a problem of the whole set)
 * @param rule the rule's id, when the key names one
 * @param problem what is wrong, naming the field ({@code filter: syntax error …}); several
 *     problems of one rule are joined with "; "
 */
public record Problem(String key, Optional<String> rule, String problem) {
    public Problem {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(problem, "problem");
    }

    @Override
    public String toString() {
        return key + ": " + problem;
    }
}
