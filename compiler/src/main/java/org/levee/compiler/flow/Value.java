package org.levee.compiler.flow;

/**
 * What a register or scratch word holds, as an expression over the packet: two equal values are
 * equal on every packet. The packet never changes while a filter runs, so a load is a pure
 * function of its offset.
 */
public sealed interface Value {

    /** A constant (unsigned 32-bit in an int). */
    record Const(int k) implements Value {}

    /** The packet length. */
    record Len() implements Value {}

    /** A big-endian packet load of {@code width} bytes at absolute offset {@code offset}. */
    record Load(int width, long offset) implements Value {}

    /** A big-endian packet load of {@code width} bytes at offset {@code x + k} (no wrap-around). */
    record IndirectLoad(int width, int k, Value x) implements Value {}

    /** {@code a op b} for a cBPF ALU operation. */
    record Alu(int op, Value a, Value b) implements Value {}

    /**
     * A value this analysis cannot name: what meets at a join from different paths, numbered by
     * the instruction and the slot (0 = A, 1 = X, 2.. = M[]), so it is equal only to itself.
     */
    record Unknown(int instruction, int slot) implements Value {}
}
