package org.levee.rules;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An ordered list of rules with unique ids; the first matching rule decides.
 *
 * @param version a name for this revision of the rules (the file's {@code version:}, or a digest of its content)
 * @param rules   the rules in order
 */
public record RuleSet(String version, List<Rule> rules) {

    public RuleSet {
        Objects.requireNonNull(version, "version");
        rules = List.copyOf(rules);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            if (!ids.add(rules.get(i).id())) {
                throw new IllegalArgumentException(
                        "rules[" + i + "]: id '" + rules.get(i).id() + "' is used by an earlier rule");
            }
        }
    }

    public int size() {
        return rules.size();
    }
}
