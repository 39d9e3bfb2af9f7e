package org.levee.ebpf.asm;

/**
 * The eleven eBPF registers. R0 holds return values, R1–R5 arguments (clobbered by calls),
 * R6–R9 are callee-saved, R10 is the read-only frame pointer.
 */
public enum Register {
    R0,
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
    R8,
    R9,
    R10;

    private static final Register[] BY_NUMBER = values();

    /** The register's number as encoded in an instruction's 4-bit register fields. */
    public int number() {
        return ordinal();
    }

    /** The register numbered {@code number} (0–10). */
    public static Register of(int number) {
        if (number < 0 || number >= BY_NUMBER.length) {
            throw new IllegalArgumentException("register number " + number + " is not r0..r10");
        }
        return BY_NUMBER[number];
    }

    @Override
    public String toString() {
        return "r" + ordinal();
    }
}
