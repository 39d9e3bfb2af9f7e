package org.levee.testing.fuzz;

import java.util.List;
import java.util.regex.Pattern;

/**
 * What a problem of a configuration file must start with: where the YAML is broken (line and
 * column), or the key path of the value that is wrong ({@code detector.host_thresholds.udp.pps: …},
 * {@code upstream.neighbours[0].peer_as: …}, {@code sflow_agents."a b": …}). A key that is not a
 * plain word is quoted as JSON quotes strings; the patterns are possessive where fuzzed keys are long.
 */
public final class KeyPaths {
    private KeyPaths() {}

    /** One key: a plain word (dots and colons allowed: addresses are keys), or a quoted string. */
    public static final String KEY = "([A-Za-z0-9_.:-]+|\"(?:[^\"\\\\]++|\\\\.)*+\")";

    /** One problem, as config loaders write them. */
    public static final Pattern PROBLEM = Pattern.compile(
            "(not valid YAML at line \\d+, column \\d+: \\S" + "|\\(top level\\): \\S|" + KEY + "(\\[\\d+\\])?(\\."
                    + KEY + "(\\[\\d+\\])?)*: \\S)",
            Pattern.DOTALL);

    /**
     * Throws an AssertionError naming the problems that do not start with their place; returns
     * {@code error} otherwise, for the caller to rethrow.
     */
    public static <E extends RuntimeException> E requirePlaced(E error, List<String> problems) {
        List<String> unplaced =
                problems.stream().filter(p -> !PROBLEM.matcher(p).lookingAt()).toList();
        if (problems.isEmpty() || !unplaced.isEmpty()) {
            throw new AssertionError("problems that do not say where: " + unplaced, error);
        }
        return error;
    }
}
