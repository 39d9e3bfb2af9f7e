package org.levee.cbpf;

import java.util.List;
import java.util.Objects;

/**
 * A classic BPF program: an immutable sequence of instructions. Two programs are equal when
 * their instructions are. Construction does not validate: see {@link CbpfValidator}.
 *
 * @param instructions the instructions, in order (copied)
 */
public record CbpfProgram(List<CbpfInstruction> instructions) {

    public CbpfProgram {
        Objects.requireNonNull(instructions, "instructions");
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i) == null) {
                throw new IllegalArgumentException("instruction " + i + " is null");
            }
        }
        instructions = List.copyOf(instructions);
    }

    public static CbpfProgram of(CbpfInstruction... instructions) {
        return new CbpfProgram(java.util.Arrays.asList(instructions));
    }

    public int size() {
        return instructions.size();
    }

    public CbpfInstruction get(int index) {
        return instructions.get(index);
    }

    /** The tcpdump -ddd form: the count, then one {@code code jt jf k} line per instruction. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(size());
        for (CbpfInstruction instruction : instructions) {
            text.append('\n').append(instruction);
        }
        return text.toString();
    }
}
