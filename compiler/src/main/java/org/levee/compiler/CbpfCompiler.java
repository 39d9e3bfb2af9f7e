package org.levee.compiler;

import java.util.BitSet;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfProgram;
import org.levee.compiler.flow.DeadCode;
import org.levee.compiler.flow.DeadWrites;
import org.levee.compiler.flow.Entry;
import org.levee.compiler.flow.Flow;
import org.levee.compiler.flow.Initialisation;
import org.levee.compiler.flow.JumpNormaliser;
import org.levee.compiler.flow.Op;
import org.levee.compiler.flow.PacketGuards;
import org.levee.compiler.flow.Rejections;
import org.levee.compiler.flow.ValueReuse;
import org.levee.compiler.flow.Values;
import org.levee.ebpf.asm.Assembler;

/**
 * The cBPF → eBPF compiler. {@link #compile} runs the passes (see docs/compiler.md):
 * <ol>
 *   <li>{@link JumpNormaliser}: absolute targets, jump threading, checks;
 *   <li>{@link ValueReuse}: drop recomputations, fold constants, decide tests whose outcome is
 *       known;
 *   <li>{@link DeadWrites}: drop writes nothing reads, when they cannot fail;
 *   <li>{@link DeadCode}: drop what never runs or never leads to a match, and loads whose guard
 *       no packet passes (2 to 4 repeat while they find something, at most four rounds);
 *   <li>the analyses of {@link Compilation}: zero-initialisation, division guards, packet guards,
 *       byte order;
 * </ol>
 * then {@link EbpfEmitter} or {@link CEmitter} writes the code. Semantics are those of
 * {@link org.levee.cbpf.CbpfInterpreter}, for packets of 14 to 65535 bytes with {@code len} the
 * packet's length (XDP's {@code data_end - data}).
 */
public final class CbpfCompiler {
    private CbpfCompiler() {}

    private static final int ROUNDS = 4;

    /**
     * Compiles {@code program}.
     *
     * @throws CbpfException naming the instruction, for a program the compiler cannot take
     *     (unknown opcode, a jump out of the program, no final return, an ancillary load)
     */
    public static Compilation compile(CbpfProgram program) {
        return compile(program.size(), JumpNormaliser.normalise(program), Entry.NONE, false);
    }

    /** Compiles {@code program} and appends it to {@code assembler}. */
    public static EbpfEmitter.Emitted compileInto(CbpfProgram program, Assembler assembler, FragmentLayout layout) {
        return EbpfEmitter.emit(compile(program), layout, assembler);
    }

    /**
     * Compiles a normalised flow for a fragment that starts in {@code entry}.
     *
     * @param sourceSize the size of the cBPF program(s) it came from, for the record
     * @param withExits  also split every rejection into its own exit and describe each
     *                   ({@link Compilation#exits}), for code that continues after the fragment
     */
    static Compilation compile(int sourceSize, Flow normalised, Entry entry, boolean withExits) {
        // cBPF starts A and X at 0: a filter that reads them before writing them cannot use
        // what an earlier fragment left there.
        BitSet readFirst = Initialisation.slotsToZero(normalised);
        if (readFirst.get(Values.A_SLOT)) {
            entry = entry.withoutA();
        }
        if (readFirst.get(Values.X_SLOT)) {
            entry = entry.withoutX();
        }
        Flow flow = DeadCode.apply(normalised);
        for (int round = 0; round < ROUNDS; round++) {
            Flow next = DeadCode.apply(failingGuards(DeadWrites.apply(ValueReuse.apply(flow, entry), entry), entry));
            if (next.equals(flow)) {
                break;
            }
            flow = next;
        }
        if (withExits) {
            flow = Rejections.split(flow);
        }
        Compilation compilation = Compilation.of(sourceSize, flow, entry, withExits);
        if (compilation.byteOrder().entryConflict()) {
            // A holds a raw load some use needs in host order: start without it.
            return compile(sourceSize, normalised, entry.withoutA(), withExits);
        }
        return compilation;
    }

    /** A load whose guard no packet passes (too large, or the entry's facts rule it out) becomes {@code ret #0}. */
    private static Flow failingGuards(Flow flow, Entry entry) {
        PacketGuards.Plan plan = PacketGuards.plan(flow, Values.analyse(flow, entry), entry);
        Flow result = flow;
        for (int i = 0; i < flow.size(); i++) {
            if (plan.guard()[i] == PacketGuards.FAILS) {
                result = result.with(i, Op.retK(0));
            }
        }
        return result;
    }
}
