package org.levee.rules;

import java.util.List;

/**
 * A rule set that cannot be used, with every problem found, each naming the rule and field
 * ({@code rules[3] (id memcached-amp): action: unknown value "dorp"}).
 */
public class RuleSetException extends RuntimeException {
    private final List<String> problems;

    public RuleSetException(String source, List<String> problems) {
        super(message(source, problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, in file order. */
    public List<String> problems() {
        return problems;
    }

    private static String message(String source, List<String> problems) {
        if (problems.size() == 1) {
            return source + ": " + problems.getFirst();
        }
        return source + ": " + problems.size() + " problems:\n  " + String.join("\n  ", problems);
    }
}
