package org.levee.rules;

/** Who wrote a rule. The detector retires only its own. */
public enum Origin {
    /** An operator. */
    MANUAL,
    /** The detector: a fingerprint of an attack. */
    AUTO;

    /** The word used in rule files. */
    public String keyword() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
