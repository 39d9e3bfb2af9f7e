package org.levee.ebpf.asm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An assembled program: instructions with every jump resolved, the relocations still waiting
 * for a value, and the labels (name to slot) for disassembly and debugging.
 *
 * @param instructions the instructions; unresolved LD_IMM64s hold 0, unresolved guards their
 *                     disabled form (see {@link Relocation.Kind#GUARD})
 * @param relocations  LD_IMM64s that need a constant or map fd, and guards that need a constant, by slot
 * @param labels       label name to the slot it names
 */
public record AssembledProgram(
        List<Instruction> instructions, List<Relocation> relocations, Map<String, Integer> labels) {

    public AssembledProgram {
        instructions = List.copyOf(instructions);
        relocations = List.copyOf(relocations);
        labels = Map.copyOf(labels);
        int[] indexOfSlot = InstructionCodec.indexOfSlot(instructions);
        int slots = indexOfSlot.length - 1;
        java.util.BitSet relocated = new java.util.BitSet(slots);
        for (Relocation relocation : relocations) {
            int target = relocation.slot() >= 0 && relocation.slot() < slots ? indexOfSlot[relocation.slot()] : -1;
            if (relocation.kind() == Relocation.Kind.GUARD) {
                if (target < 0 || !Relocation.isGuardJump(instructions.get(target))) {
                    throw new AssemblyException(
                            relocation + ": no guard jump (if rX >= 0 goto +off, off >= 0) starts at that slot"
                                    + (target < 0 ? "" : ", it holds " + instructions.get(target)));
                }
            } else if (target < 0 || !instructions.get(target).isLdImm64()) {
                throw new AssemblyException(relocation + ": no ld_imm64 starts at that slot");
            }
            if (relocated.get(relocation.slot())) {
                throw new AssemblyException(relocation + ": the slot has two relocations");
            }
            relocated.set(relocation.slot());
        }
        labels.forEach((name, slot) -> {
            if (slot < 0 || slot > slots) {
                throw new AssemblyException(
                        "label '" + name + "' names slot " + slot + ", outside the program's " + slots + " slots");
            }
        });
    }

    /**
     * This program with only the labels {@code keep} accepts: labels are for reading (the
     * disassembly, an object's symbol table), and generated code can have a great many.
     */
    public AssembledProgram keepingLabels(Predicate<String> keep) {
        Map<String, Integer> kept = new LinkedHashMap<>();
        labels.forEach((name, slot) -> {
            if (keep.test(name)) {
                kept.put(name, slot);
            }
        });
        return new AssembledProgram(instructions, relocations, kept);
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
     * A copy with the given constants and map file descriptors written into their LD_IMM64s, each
     * guard of a given constant decided, and those relocations removed. A guard whose constant is
     * 0 keeps its jump over the code it guards; any other value makes it {@code goto +0}, or the
     * never-taken {@code if rX < 0 goto} of the same distance when nothing else reaches the code
     * it skips to (see {@link Relocation.Kind#GUARD}). Symbols
     * not given stay unresolved.
     *
     * @param constants values of {@link Relocation.Kind#CONSTANT} and {@link Relocation.Kind#GUARD} symbols
     * @param mapFds    file descriptors of {@link Relocation.Kind#MAP} symbols
     * @throws AssemblyException if a given name matches no relocation of its kind (a typo, or a
     *     map given as a constant)
     */
    public AssembledProgram resolve(Map<String, Long> constants, Map<String, Integer> mapFds) {
        return resolve(constants, mapFds, EnabledGuard.GOTO);
    }

    /**
     * What an enabled guard becomes (when the code it skips to is reached from elsewhere; else it
     * is the never-taken jump, see {@link #resolve(Map, Map)}).
     */
    public enum EnabledGuard {
        /**
         * {@code goto +0}: the verifier deletes it, so the translated program holds only what
         * runs. Each deletion moves the rest of the program, which is quadratic for large programs
         * with many guards (tens of thousands of slots and guards: seconds).
         */
        GOTO,
        /**
         * {@code gotol +0}: the verifier keeps it (its no-op pass takes only {@code goto +0}), and
         * the x86-64 JIT emits nothing for a jump to the next instruction: the same machine code
         * as {@link #GOTO}, without the deletions.
         */
        GOTOL
    }

    /** {@link #resolve(Map, Map)}, with enabled guards in the form {@code enabled}. */
    public AssembledProgram resolve(Map<String, Long> constants, Map<String, Integer> mapFds, EnabledGuard enabled) {
        List<String> unknown = new ArrayList<>();
        unknown.addAll(
                unreferenced(constants.keySet(), Set.of(Relocation.Kind.CONSTANT, Relocation.Kind.GUARD), "constant"));
        unknown.addAll(unreferenced(mapFds.keySet(), Set.of(Relocation.Kind.MAP), "map"));
        if (!unknown.isEmpty()) {
            throw new AssemblyException("no relocation refers to " + String.join(", ", unknown));
        }
        int[] indexOfSlot = InstructionCodec.indexOfSlot(instructions);
        List<Instruction> patched = new ArrayList<>(instructions);
        List<Relocation> left = new ArrayList<>();
        List<Integer> enabledGuards = new ArrayList<>();
        for (Relocation relocation : relocations) {
            int index = indexOfSlot[relocation.slot()];
            Instruction instruction = patched.get(index);
            Long value = switch (relocation.kind()) {
                case CONSTANT, GUARD -> constants.get(relocation.symbol());
                case MAP ->
                    mapFds.containsKey(relocation.symbol())
                            ? Integer.toUnsignedLong(mapFds.get(relocation.symbol()))
                            : null;
            };
            if (value == null) {
                left.add(relocation);
            } else {
                patched.set(
                        index,
                        switch (relocation.kind()) {
                            case MAP ->
                                instruction.withSrc(LoadSource.MAP_FD.value()).withImm(value);
                            case CONSTANT -> instruction.withImm(value);
                            case GUARD ->
                                value == 0
                                        ? instruction
                                        : enabled == EnabledGuard.GOTOL ? Instruction.gotol(0) : Instruction.ja(0);
                        });
                if (relocation.kind() == Relocation.Kind.GUARD && value != 0) {
                    enabledGuards.add(index);
                }
            }
        }
        keepSkippedCodeReachable(patched, enabledGuards);
        return new AssembledProgram(patched, left, labels);
    }

    /**
     * An enabled guard is {@code goto +0}, a no-op the verifier deletes, unless the code it skips
     * to is reached from nowhere else: the verifier's first check would refuse that code
     * ("unreachable insn"), so such a guard becomes the never-taken {@code if rX < 0 goto skip}
     * ({@link Relocation#enabledForm}), which keeps the edge and which the verifier deletes all
     * the same. Turning a guard adds edges, which may make more code reachable: repeated until
     * nothing changes.
     */
    private void keepSkippedCodeReachable(List<Instruction> patched, List<Integer> enabledGuards) {
        if (enabledGuards.isEmpty()) {
            return;
        }
        ControlFlow.Walk walk = new ControlFlow.Walk(patched);
        walk.from(0);
        // Each round settles every guard the walk has reached; the walk only grows, so a guard
        // is looked at once it is reached and then never again.
        List<Integer> pending = new ArrayList<>(enabledGuards);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Iterator<Integer> it = pending.iterator(); it.hasNext(); ) {
                int guard = it.next();
                if (!walk.reached(guard)) {
                    continue;
                }
                it.remove();
                Instruction original = instructions.get(guard);
                int skip = walk.indexAt(walk.slotOf(guard) + 1 + original.offset());
                if (skip >= 0 && !walk.reached(skip)) {
                    patched.set(guard, Relocation.enabledForm(original));
                    walk.from(skip);
                    changed = true;
                }
            }
        }
    }

    /** "what 'name'" for each of {@code names} that no relocation of {@code kinds} uses, sorted. */
    private List<String> unreferenced(Set<String> names, Set<Relocation.Kind> kinds, String what) {
        Set<String> referenced = new HashSet<>();
        relocations.stream().filter(r -> kinds.contains(r.kind())).forEach(r -> referenced.add(r.symbol()));
        return names.stream()
                .filter(name -> !referenced.contains(name))
                .sorted()
                .map(name -> what + " '" + name + "'")
                .toList();
    }
}
