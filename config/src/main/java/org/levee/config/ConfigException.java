package org.levee.config;

import java.util.List;

/** A configuration file that cannot be used: every problem, each naming its key path. */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(
                problems.size() == 1
                        ? source + ": " + problems.getFirst()
                        : source + ": " + problems.size() + " problems:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, each starting with the key path ({@code detector.cooldown: …}). */
    public List<String> problems() {
        return problems;
    }
}
