package org.levee.rules;

/** Who wrote a rule. */
public enum Origin {
    /** An operator. */
    MANUAL,
    /** The detector. */
    AUTO;

    /** The word used in rule files. */
    public String keyword() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
