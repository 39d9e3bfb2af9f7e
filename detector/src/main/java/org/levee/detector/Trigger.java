package org.levee.detector;

/** Why an attack was declared. */
public enum Trigger {
    /** A configured threshold was crossed. */
    THRESHOLD,
    /** The rate reached a multiple of the destination's baseline (and the floor). */
    BASELINE
}
