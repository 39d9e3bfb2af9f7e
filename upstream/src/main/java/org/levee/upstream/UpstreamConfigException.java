package org.levee.upstream;

import java.util.List;

/** An {@code upstream:} section that cannot be used: every problem, one line each, naming its key path. */
public final class UpstreamConfigException extends RuntimeException {
    private final List<String> problems;

    public UpstreamConfigException(String source, List<String> problems) {
        super(
                problems.size() == 1
                        ? source + ": " + problems.getFirst()
                        : source + ": " + problems.size() + " problems:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, each starting with the key path ({@code upstream.neighbours[0].peer_as: …}). */
    public List<String> problems() {
        return problems;
    }
}
