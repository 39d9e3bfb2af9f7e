package org.levee.compiler;

import static org.levee.ebpf.asm.Instruction.*;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.asm.Size;

/**
 * A {@link FilterChain} in an XDP program of its own, embedded as the data plane embeds rules:
 * each filter behind a guard decided by {@code filter_<i>_enabled}, the chain cut into segments
 * of about {@code segmentSlots} slots (each starting knowing nothing, as a tail-called program
 * would), and the program returns 1 + the index of the filter that matched, 0 when none did.
 */
final class ChainProgram {
    private ChainProgram() {}

    private static final Register LENGTH = Register.R9;

    static String symbol(int filter) {
        return "filter_" + filter + "_enabled";
    }

    static AssembledProgram of(FilterChain chain, int segmentSlots) {
        Assembler asm = new Assembler();
        FragmentLayout layout = FragmentLayout.standard("", "", "");
        asm.emit(ldx(Size.W, layout.packetStart(), Register.R1, 0), ldx(Size.W, layout.packetEnd(), Register.R1, 4));
        asm.emit(mov64(LENGTH, layout.packetEnd()), sub64(LENGTH, layout.packetStart()));
        BitSet matches = new BitSet();
        int next = 0;
        for (int s = 0; next < chain.size(); s++) {
            FilterChain.Segment segment = chain.segment(
                    next,
                    layout.withLabels("s" + s + "_", "", "", null),
                    (block, i, skip) -> block.enableGuard(LENGTH, symbol(i), skip),
                    i -> "hit" + i,
                    "end" + s);
            while (segment.nextFilter() < chain.size() && (segment.filters() == 0 || segment.slots() < segmentSlots)) {
                segment.add();
            }
            for (int i = next; i < segment.nextFilter(); i++) {
                if (segment.reachesMatch(i)) {
                    matches.set(i);
                }
            }
            next = segment.nextFilter();
            segment.emitTo(asm);
            asm.label("end" + s);
        }
        asm.emit(mov64(Register.R0, 0), exit());
        for (int i = matches.nextSetBit(0); i >= 0; i = matches.nextSetBit(i + 1)) {
            asm.label("hit" + i).emit(mov64(Register.R0, i + 1), exit());
        }
        return asm.assemble();
    }

    /** The constants that enable exactly the filters in {@code enabled}. */
    static Map<String, Long> enabling(int filters, BitSet enabled) {
        Map<String, Long> constants = new HashMap<>();
        for (int i = 0; i < filters; i++) {
            constants.put(symbol(i), enabled.get(i) ? 1L : 0L);
        }
        return constants;
    }
}
