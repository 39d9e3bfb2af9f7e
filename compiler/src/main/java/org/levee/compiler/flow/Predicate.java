package org.levee.compiler.flow;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.Objects;
import org.levee.compiler.flow.Value.Const;

/**
 * The condition of a conditional jump as a statement about the packet: {@code a op b} with
 * {@code op} one of cBPF's {@code JEQ}, {@code JGT}, {@code JGE} (unsigned) and {@code JSET}. Two
 * equal predicates have the same outcome on a packet wherever they are evaluated, when their
 * values are {@linkplain Value#isDefinite definite}: that is what lets one filter's tests decide
 * another's ({@link Knowledge}).
 */
public record Predicate(int op, Value a, Value b) {

    public Predicate {
        if (op != JEQ && op != JGT && op != JGE && op != JSET) {
            throw new IllegalArgumentException("not a comparison: 0x" + Integer.toHexString(op));
        }
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
    }

    /** The condition of conditional jump {@code jump} in state {@code in} (see {@link Values#before}). */
    public static Predicate of(Op jump, Value[] in) {
        if (!jump.isConditional()) {
            throw new IllegalArgumentException("not a conditional jump: " + jump);
        }
        Value operand = jump.src() == X ? in[Values.X_SLOT] : new Const(jump.k());
        return new Predicate(jump.op(), in[Values.A_SLOT], operand);
    }

    /** True when both sides are functions of the packet alone. */
    public boolean isDefinite() {
        return a.isDefinite() && b.isDefinite();
    }

    /** The outcome when both sides are constants, else null. */
    public Boolean evaluate() {
        if (a instanceof Const ca && b instanceof Const cb) {
            return outcome(ca.k(), cb.k());
        }
        return null;
    }

    /** The outcome for {@code a = value}, with {@code b} a constant; null when {@code b} is not one. */
    Boolean evaluateWith(int value) {
        return b instanceof Const cb ? outcome(value, cb.k()) : null;
    }

    private boolean outcome(int x, int y) {
        return switch (op) {
            case JEQ -> x == y;
            case JGT -> Integer.compareUnsigned(x, y) > 0;
            case JGE -> Integer.compareUnsigned(x, y) >= 0;
            default -> (x & y) != 0;
        };
    }
}
