package org.levee.detector.rule;

/** Who made a rule. The detector retires only its own. */
public enum Origin {
    AUTO,
    MANUAL
}
