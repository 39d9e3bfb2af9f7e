package org.levee.rules.fuzz;

/** How problems name a field or key ({@link org.levee.rules.YamlTrees#keyName}), as a regular expression. */
public final class KeyNames {
    private KeyNames() {}

    /** A plain word (which may hold colons), or a quoted JSON string (possessive: fuzzed names are long). */
    public static final String PATTERN = "([A-Za-z0-9_.:-]+|\"(?:[^\"\\\\]++|\\\\.)*+\")";
}
