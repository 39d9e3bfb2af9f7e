package org.levee.dataplane.program;

/** How far one rule set goes, and why. */
public final class ProgramLimits {
    private ProgramLimits() {}

    /** Most rules in one set: the capacity of the per-rule maps. */
    public static final int MAX_RULES = 65_536;
    /**
     * Most programs in a tail-call chain. The kernel allows 33 tail calls per packet; the chain
     * uses at most 31 of them (the first program is entered, not tail-called) and the exit hook
     * needs one more.
     */
    public static final int MAX_CHAIN = 32;
    /**
     * Slots of rule code per program before the builder starts a new one: every rule jumps to
     * the exit blocks at the end of its program, and jump offsets are signed 16-bit.
     */
    public static final int MAX_RULE_SLOTS_PER_PROGRAM = 30_000;
    /**
     * Slots of an indexed program (see {@link org.levee.compiler.FilterIndex}) before the builder
     * starts a new one: its far jumps use {@code gotol}, so the bound is what the verifier takes
     * in reasonable time, not the 16-bit jump range.
     */
    public static final int MAX_INDEXED_SLOTS_PER_PROGRAM = 160_000;
    /** Default and largest number of packet bytes copied into a sample. */
    public static final int DEFAULT_SAMPLE_BYTES = 128;

    public static final int MAX_SAMPLE_BYTES = 256;
}
