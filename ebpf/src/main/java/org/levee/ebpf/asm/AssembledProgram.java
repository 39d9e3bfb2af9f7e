package org.levee.ebpf.asm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An assembled program: instructions with every jump resolved, the LD_IMM64 relocations still
 * waiting for a value, and the labels (name to slot) for disassembly and debugging.
 *
 * @param instructions the instructions; unresolved LD_IMM64s hold 0
 * @param relocations  LD_IMM64s that need a constant or map fd, by slot
 * @param labels       label name to the slot it names
 */
public record AssembledProgram(List<Instruction> instructions, List<Relocation> relocations, Map<String, Integer> labels) {

    public AssembledProgram {
        instructions = List.copyOf(instructions);
        relocations = List.copyOf(relocations);
        labels = Map.copyOf(labels);
        int slots = InstructionCodec.slotCount(instructions);
        Map<Integer, Instruction> bySlot = bySlot(instructions);
        Set<Integer> relocated = new HashSet<>();
        for (Relocation relocation : relocations) {
            Instruction target = bySlot.get(relocation.slot());
            if (target == null || !target.isLdImm64()) {
                throw new AssemblyException(relocation + ": no ld_imm64 starts at that slot");
            }
            if (!relocated.add(relocation.slot())) {
                throw new AssemblyException(relocation + ": the slot has two relocations");
            }
        }
        labels.forEach((name, slot) -> {
            if (slot < 0 || slot > slots) {
                throw new AssemblyException("label '" + name + "' names slot " + slot + ", outside the program's " + slots + " slots");
            }
        });
    }

    /** A program without labels or relocations. */
    public static AssembledProgram of(List<Instruction> instructions) {
        return new AssembledProgram(instructions, List.of(), Map.of());
    }

    /** Number of 8-byte slots (the instruction count the kernel sees). */
    public int slotCount() {
        return InstructionCodec.slotCount(instructions);
    }

    /** True when no relocation is left: the program can be encoded and loaded. */
    public boolean isResolved() {
        return relocations.isEmpty();
    }

    /** The symbols still to be resolved, in order of first use. */
    public List<String> unresolvedSymbols() {
        return relocations.stream().map(Relocation::symbol).distinct().toList();
    }

    /**
     * The kernel's encoding of the program.
     *
     * @throws AssemblyException if relocations are left, naming each
     */
    public byte[] encode() {
        requireResolved();
        return InstructionCodec.encode(instructions);
    }

    /** The kernel's encoding, one slot per element; see {@link InstructionCodec}. */
    public long[] encodeToLongs() {
        requireResolved();
        return InstructionCodec.encodeToLongs(instructions);
    }

    private void requireResolved() {
        if (!relocations.isEmpty()) {
            throw new AssemblyException("cannot encode a program with unresolved relocations: " + relocations);
        }
    }

    /**
     * A copy with the given constants and map file descriptors written into their LD_IMM64s and
     * those relocations removed. Symbols not given stay unresolved.
     *
     * @param constants values of {@link Relocation.Kind#CONSTANT} symbols
     * @param mapFds    file descriptors of {@link Relocation.Kind#MAP} symbols
     * @throws AssemblyException if a given name matches no relocation of its kind (a typo, or a
     *     map given as a constant)
     */
    public AssembledProgram resolve(Map<String, Long> constants, Map<String, Integer> mapFds) {
        Set<String> unused = new HashSet<>();
        constants.keySet().forEach(name -> unused.add("constant '" + name + "'"));
        mapFds.keySet().forEach(name -> unused.add("map '" + name + "'"));
        Map<Integer, Integer> indexBySlot = indexBySlot(instructions);
        List<Instruction> patched = new ArrayList<>(instructions);
        List<Relocation> left = new ArrayList<>();
        for (Relocation relocation : relocations) {
            int index = indexBySlot.get(relocation.slot());
            Instruction instruction = patched.get(index);
            switch (relocation.kind()) {
                case CONSTANT -> {
                    Long value = constants.get(relocation.symbol());
                    if (value == null) {
                        left.add(relocation);
                    } else {
                        patched.set(index, instruction.withImm(value));
                        unused.remove("constant '" + relocation.symbol() + "'");
                    }
                }
                case MAP -> {
                    Integer fd = mapFds.get(relocation.symbol());
                    if (fd == null) {
                        left.add(relocation);
                    } else {
                        patched.set(index, instruction.withSrc(LoadSource.MAP_FD.value()).withImm(Integer.toUnsignedLong(fd)));
                        unused.remove("map '" + relocation.symbol() + "'");
                    }
                }
            }
        }
        if (!unused.isEmpty()) {
            throw new AssemblyException("no relocation refers to " + String.join(", ", unused.stream().sorted().toList()));
        }
        return new AssembledProgram(patched, left, labels);
    }

    /** The instruction starting at each slot (the second slot of an LD_IMM64 has none). */
    static Map<Integer, Instruction> bySlot(List<Instruction> instructions) {
        Map<Integer, Instruction> bySlot = new TreeMap<>();
        int slot = 0;
        for (Instruction instruction : instructions) {
            bySlot.put(slot, instruction);
            slot += instruction.slots();
        }
        return bySlot;
    }

    private static Map<Integer, Integer> indexBySlot(List<Instruction> instructions) {
        Map<Integer, Integer> indexBySlot = new TreeMap<>();
        int slot = 0;
        for (int i = 0; i < instructions.size(); i++) {
            indexBySlot.put(slot, i);
            slot += instructions.get(i).slots();
        }
        return indexBySlot;
    }
}
