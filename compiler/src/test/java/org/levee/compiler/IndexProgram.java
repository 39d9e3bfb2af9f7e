package org.levee.compiler;

import static org.levee.ebpf.asm.Instruction.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.asm.Size;

/**
 * A {@link FilterIndex} in an XDP program of its own, embedded as the data plane embeds rules:
 * each filter behind a guard decided by {@code filter_<i>_enabled}, each group guard by
 * {@code group_<g>_<from>_<to>} (1 when a filter of those buckets is enabled), the filters cut
 * into sections (each starting knowing nothing, as a program of a tail-call chain would), the
 * sections' bodies after the program's exit; the program returns 1 + the index of the filter
 * that matched, 0 when none did.
 */
final class IndexProgram {
    private IndexProgram() {}

    private static final Register LENGTH = Register.R9;
    private static final Register CONTEXT = Register.R6;
    private static final Register BEST = Register.R8;
    private static final int BEST_OFFSET = -FragmentLayout.SCRATCH_BYTES - 4;

    /** The program and the groups its guards name. */
    record Built(AssembledProgram program, List<FilterIndex.Group> groups, int sections) {}

    static String groupSymbol(int group, int from, int to) {
        return "group_" + group + "_" + from + "_" + to;
    }

    /** Sections of at most {@code sectionFilters} filters, each within {@code restBudget} and {@code totalBudget} slots. */
    static Built of(FilterIndex index, int sectionFilters, int restBudget, int totalBudget) {
        Assembler asm = new Assembler();
        Assembler bodies = new Assembler();
        // the data plane's registers: packet r2/r3, A r4, X r5, pointer r0, temp r1; context r6
        FragmentLayout layout = new FragmentLayout(
                Register.R2,
                Register.R3,
                Register.R4,
                Register.R5,
                Register.R0,
                Register.R1,
                -FragmentLayout.SCRATCH_BYTES,
                "",
                "",
                "",
                null);
        asm.emit(mov64(CONTEXT, Register.R1));
        asm.emit(ldx(Size.W, layout.packetStart(), CONTEXT, 0), ldx(Size.W, layout.packetEnd(), CONTEXT, 4));
        asm.emit(mov64(LENGTH, layout.packetEnd()), sub64(LENGTH, layout.packetStart()));
        List<FilterIndex.Group> groups = new ArrayList<>();
        int next = 0;
        int sections = 0;
        while (next < index.size()) {
            int offset = groups.size();
            String prefix = "s" + sections + "_";
            FilterIndex.Section section = index.section(
                    next, new FilterIndex.Layout(layout, BEST, BEST_OFFSET, prefix), new FilterIndex.Code() {
                        @Override
                        public void guard(Assembler block, int filter, String skipLabel) {
                            block.enableGuard(LENGTH, ChainProgram.symbol(filter), skipLabel);
                        }

                        @Override
                        public void groupGuard(Assembler block, int group, int from, int to, String skipLabel) {
                            block.enableGuard(LENGTH, groupSymbol(offset + group, from, to), skipLabel);
                        }

                        @Override
                        public void hit(Assembler block, int filter, String label) {
                            block.label(label).emit(mov64(Register.R0, filter + 1), exit());
                        }

                        @Override
                        public int hitSlots(int filter) {
                            return 2;
                        }

                        @Override
                        public void packetPointers(Assembler block) {
                            block.emit(
                                    ldx(Size.W, layout.packetStart(), CONTEXT, 0),
                                    ldx(Size.W, layout.packetEnd(), CONTEXT, 4));
                        }
                    });
            while (section.nextFilter() < index.size()
                    && section.filters() < sectionFilters
                    && (section.filters() == 0 || section.fits(restBudget, totalBudget))) {
                section.add();
            }
            section.emit(asm, bodies);
            groups.addAll(section.groups());
            next = section.nextFilter();
            sections++;
        }
        asm.emit(mov64(Register.R0, 0), exit());
        asm.append(bodies);
        return new Built(asm.assemble(), groups, sections);
    }

    /**
     * The constants of {@code program}'s guards that enable exactly the filters in {@code enabled}:
     * a group guard is 1 when a filter of its buckets is enabled.
     */
    static Map<String, Long> enabling(AssembledProgram program, BitSet enabled, List<FilterIndex.Group> groups) {
        Map<String, Long> constants = new HashMap<>();
        Map<Integer, int[]> before = new HashMap<>();
        for (String symbol : program.unresolvedSymbols()) {
            if (symbol.startsWith("filter_")) {
                constants.put(symbol, enabled.get(Integer.parseInt(symbol.split("_")[1])) ? 1L : 0L);
                continue;
            }
            String[] parts = symbol.split("_");
            int group = Integer.parseInt(parts[1]);
            int from = Integer.parseInt(parts[2]);
            int to = Integer.parseInt(parts[3]);
            int[] count = before.computeIfAbsent(group, g -> {
                List<List<Integer>> buckets = groups.get(g).buckets();
                int[] c = new int[buckets.size() + 1];
                for (int b = 0; b < buckets.size(); b++) {
                    c[b + 1] = c[b] + (buckets.get(b).stream().anyMatch(enabled::get) ? 1 : 0);
                }
                return c;
            });
            constants.put(symbol, count[to] - count[from] > 0 ? 1L : 0L);
        }
        return constants;
    }
}
