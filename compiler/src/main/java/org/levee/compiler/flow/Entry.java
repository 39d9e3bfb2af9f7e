package org.levee.compiler.flow;

import java.util.Objects;

/**
 * What holds when a fragment starts because of code that ran before it on the same packet (an
 * earlier filter of a {@link org.levee.compiler.FilterChain}): what is known about the packet,
 * and what the fragment's registers already hold, in a form the kernel's verifier also knows.
 * The compiler then leaves out tests whose outcome is known, loads whose value is already in its
 * register, and guards already proved.
 *
 * @param facts        outcomes of tests, failed guards
 * @param a            the value the A register holds (definite), or null
 * @param aRawWidth    0 when A holds {@code a} as cBPF does, or 2 or 4 when it holds the raw,
 *                     network-order load of that width (see {@link ByteOrder}); 0 without {@code a}
 * @param x            the value the X register holds (definite), or null
 * @param packetBytes  bytes from the packet start proved present (the verifier knows it of the
 *                     packet-start register)
 * @param pointerBytes with {@code x}: the pointer register holds {@code start + x + pointerBytes},
 *                     proved within the packet; 0 when it holds nothing of use
 */
public record Entry(Knowledge facts, Value a, int aRawWidth, Value x, int packetBytes, int pointerBytes) {

    /** Nothing known, registers unknown: a fragment on its own. */
    public static final Entry NONE = new Entry(Knowledge.NOTHING, null, 0, null, 0, 0);

    public Entry {
        Objects.requireNonNull(facts, "facts");
        if (a != null && !a.isDefinite() || x != null && !x.isDefinite()) {
            throw new IllegalArgumentException("register values must be definite: " + a + ", " + x);
        }
        if (aRawWidth != 0 && (a == null || aRawWidth != 2 && aRawWidth != 4)) {
            throw new IllegalArgumentException("raw width " + aRawWidth + " for A = " + a);
        }
        if (packetBytes < 0 || pointerBytes < 0 || pointerBytes > 0 && x == null) {
            throw new IllegalArgumentException("proved bytes " + packetBytes + "/" + pointerBytes + " with X = " + x);
        }
    }

    /** Only the facts: what survives code that may have changed every register. */
    public static Entry of(Knowledge facts) {
        return new Entry(facts, null, 0, null, 0, 0);
    }

    public Entry withoutA() {
        return new Entry(facts, null, 0, x, packetBytes, pointerBytes);
    }

    public Entry withoutX() {
        return new Entry(facts, a, aRawWidth, null, packetBytes, 0);
    }

    /**
     * Whether code compiled for this entry may run where {@code other} holds: it assumes nothing
     * {@code other} does not guarantee.
     */
    public boolean isImpliedBy(Entry other) {
        return facts.isImpliedBy(other.facts)
                && (a == null || a.equals(other.a) && aRawWidth == other.aRawWidth)
                && (x == null || x.equals(other.x))
                && packetBytes <= other.packetBytes
                && (pointerBytes == 0 || pointerBytes == other.pointerBytes && x.equals(other.x));
    }

    /** How much this assumes: to give the copies that leave out the most the first share of a budget. */
    public int weight() {
        return facts.size() + (a == null ? 0 : 1) + (x == null ? 0 : 1) + (pointerBytes > 0 ? 1 : 0);
    }

    /**
     * What both this and {@code other} guarantee: the entry of code that both may reach — the
     * facts both know, the registers that hold the same value in both, the fewer proved bytes.
     */
    public Entry meet(Entry other) {
        boolean sameA = a != null && a.equals(other.a) && aRawWidth == other.aRawWidth;
        boolean sameX = x != null && x.equals(other.x);
        return new Entry(
                facts.intersect(other.facts),
                sameA ? a : null,
                sameA ? aRawWidth : 0,
                sameX ? x : null,
                Math.min(packetBytes, other.packetBytes),
                sameX && pointerBytes == other.pointerBytes ? pointerBytes : 0);
    }
}
