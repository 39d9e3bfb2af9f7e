package org.levee.compiler;

import static org.levee.cbpf.CbpfInstruction.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.levee.compiler.flow.Entry;
import org.levee.compiler.flow.Flow;
import org.levee.compiler.flow.MatchPaths;
import org.levee.compiler.flow.Op;
import org.levee.compiler.flow.Predicate;
import org.levee.compiler.flow.Value;
import org.levee.compiler.flow.ValueCode;
import org.levee.ebpf.asm.Assembler;

/**
 * The start of an index class ({@link FilterIndex}): the tests every filter of the class makes
 * on the way to a match, then the key loaded into A — written as a classic BPF filter of its own
 * and compiled like any other, so it gets the compiler's packet guards and byte order. A packet
 * that fails a test, or whose key is larger than every key of the class, goes to the miss label;
 * the others leave through one exit ({@link #tree}) with the key in A, in host byte order, and
 * with what the tests proved.
 *
 * <p>The filter ends in {@code jgt #max}: "larger" is a match (a miss for the index), and "not
 * larger" a rejection whose exit the compiler describes ({@link Exit}): that describes the state
 * the search tree and the buckets start in. A comparison also makes the compiler keep the key in
 * host order, which the tree's ordered comparisons need.
 */
final class Prelude {
    private final Compilation compilation;
    private final Exit tree;

    private Prelude(Compilation compilation, Exit tree) {
        this.compilation = compilation;
        this.tree = tree;
    }

    /**
     * The prelude that tests {@code facts} in order, then loads {@code key}; empty when the
     * compiler did not leave exactly one way to the tree with the key in A.
     *
     * @param max the largest key of the class (unsigned)
     */
    static Optional<Prelude> of(Value key, List<MatchPaths.Test> facts, int max) {
        List<Op> ops = new ArrayList<>();
        List<Integer> failing = new ArrayList<>(); // jumps whose one side fails, to patch
        for (MatchPaths.Test test : facts) {
            Predicate p = test.predicate();
            ValueCode.toA(p.a(), ops);
            failing.add(ops.size());
            ops.add(new Op(
                    JMP | p.op() | K, ((Value.Const) p.b()).k(), test.outcome() ? 0 : 1, test.outcome() ? 1 : 0));
        }
        ValueCode.toA(key, ops);
        int treeAt = ops.size() + 1;
        int matchAt = treeAt + 1;
        int failAt = matchAt + 1;
        ops.add(new Op(JMP | JGT | K, max, matchAt, treeAt));
        ops.add(Op.retK(0)); // the tree
        ops.add(Op.retK(1)); // larger than every key: no bucket
        ops.add(Op.retK(0)); // a test failed
        for (int at : failing) {
            Op jump = ops.get(at);
            // 1 marks the failing side, 0 the next instruction
            ops.set(
                    at,
                    new Op(jump.code(), jump.k(), jump.jt() == 1 ? failAt : at + 1, jump.jf() == 1 ? failAt : at + 1));
        }
        Compilation c = CbpfCompiler.compile(ops.size(), new Flow(ops), Entry.NONE, true);
        Exit tree = null;
        for (Exit exit : c.exits()) {
            if (exit.kind() == Exit.Kind.REJECT && key.equals(exit.state().a())) {
                if (tree != null || exit.state().aRawWidth() != 0) {
                    return Optional.empty();
                }
                tree = exit;
            }
        }
        return tree == null ? Optional.empty() : Optional.of(new Prelude(c, tree));
    }

    /** What holds where the tree starts: the tests passed, the key in A, the proved packet bytes. */
    Entry tree() {
        return tree.state();
    }

    /**
     * Appends the prelude; the caller defines {@code missLabel} right after it and {@code treeLabel}
     * somewhere after that.
     */
    EbpfEmitter.Emitted emit(
            Assembler block, FragmentLayout layout, String prefix, String treeLabel, String missLabel) {
        return EbpfEmitter.emit(
                compilation,
                layout.withLabels(prefix, missLabel, missLabel, missLabel),
                block,
                exit -> exit == tree ? treeLabel : missLabel);
    }
}
