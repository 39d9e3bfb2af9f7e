package org.levee.ebpf.asm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Builds a program from instructions, symbolic labels and symbolic LD_IMM64 references.
 * Jumps name their target label; {@link #assemble()} turns labels into offsets, forward or
 * backward, and reports labels that are undefined, defined twice, or too far away for the
 * jump's offset field. LD_IMM64 loads of named constants and maps, and guards decided by named
 * constants, become {@link Relocation}s of the result, resolved later by
 * {@link AssembledProgram#resolve}.
 *
 * <p>A block may also be a template, built once and appended many times: an instruction's
 * immediate may be one of the block's {@linkplain #parameter parameters}, given a value each time
 * the block is {@linkplain #appendInstance appended as an instance}, which also renames the labels
 * it defines and the outside labels it jumps to.
 *
 * <p>Not thread-safe; one assembler builds one program. An assembler that is only appended
 * (never changed again) may be appended by several threads.
 */
public final class Assembler {

    /** How a pending jump stores its distance. */
    private enum Reach {
        /** The 16-bit offset field: conditional jumps, goto, may_goto. */
        OFFSET16,
        /** The 32-bit imm field: gotol and BPF-to-BPF calls. */
        IMM32
    }

    private record PendingJump(int instructionIndex, int slot, String target, Reach reach) {}

    /** The immediate of instruction {@code instructionIndex} is parameter {@code parameter}. */
    private record Parameter(int instructionIndex, int parameter) {}

    private final List<Instruction> instructions = new ArrayList<>();
    private final Map<String, Integer> labels = new LinkedHashMap<>();
    private final List<PendingJump> jumps = new ArrayList<>();
    private final List<Relocation> relocations = new ArrayList<>();
    private final List<Parameter> parameters = new ArrayList<>();
    private int slot;
    private int freshLabels;
    /** {@link #resolveLocalJumps} ran: no more labels. */
    private boolean sealed;

    /** An empty program. */
    public Assembler() {}

    /** Appends an instruction whose fields are final (no label, no symbol). */
    public Assembler emit(Instruction instruction) {
        Objects.requireNonNull(instruction, "instruction");
        instructions.add(instruction);
        slot += instruction.slots();
        return this;
    }

    /** Appends instructions in order. */
    public Assembler emit(List<Instruction> more) {
        more.forEach(this::emit);
        return this;
    }

    /** Appends instructions in order. */
    public Assembler emit(Instruction... more) {
        return emit(List.of(more));
    }

    /** Names the slot of the next instruction. Several labels may name one slot. */
    public Assembler label(String name) {
        defineLabel(name, slot);
        return this;
    }

    private void defineLabel(String name, int at) {
        if (sealed) {
            throw new IllegalStateException("label '" + name + "' defined after the local jumps were resolved");
        }
        requireName("label", name);
        Integer previous = labels.putIfAbsent(name, at);
        if (previous != null) {
            throw new AssemblyException(
                    "label '" + name + "' is defined twice: at slot " + previous + " and at slot " + at);
        }
    }

    /**
     * A label name not handed out before by this assembler, {@code hint#n}, for code generators
     * that need many labels (define it with {@link #label}). Avoid '#' in hand-written labels.
     */
    public String freshLabel(String hint) {
        requireName("label hint", hint);
        return hint + "#" + freshLabels++;
    }

    /**
     * Appends an assembled fragment as it is: its jumps are already resolved and relative, so
     * they stay valid; its labels are defined here as {@code labelPrefix + name}, its relocations
     * move with it.
     */
    public Assembler include(AssembledProgram fragment, String labelPrefix) {
        Objects.requireNonNull(labelPrefix, "labelPrefix");
        int base = slot;
        fragment.labels().entrySet().stream()
                .sorted(Map.Entry.comparingByValue())
                .forEach(label -> defineLabel(labelPrefix + label.getKey(), base + label.getValue()));
        for (Relocation relocation : fragment.relocations()) {
            relocations.add(new Relocation(base + relocation.slot(), relocation.symbol(), relocation.kind()));
        }
        return emit(fragment.instructions());
    }

    /**
     * Appends what {@code block} has built so far as if it had been written here: its labels,
     * its relocations, and its jumps, which are resolved when this assembler assembles, so they
     * may name labels that only this assembler defines. For code generators that build pieces
     * first and decide their order afterwards. {@code block} is left as it was.
     */
    public Assembler append(Assembler block) {
        Objects.requireNonNull(block, "block");
        if (block == this) {
            throw new IllegalArgumentException("an assembler cannot append itself");
        }
        int baseSlot = slot;
        int baseIndex = instructions.size();
        block.labels.forEach((name, at) -> defineLabel(name, baseSlot + at));
        for (PendingJump jump : block.jumps) {
            jumps.add(
                    new PendingJump(baseIndex + jump.instructionIndex, baseSlot + jump.slot, jump.target, jump.reach));
        }
        for (Relocation relocation : block.relocations) {
            relocations.add(new Relocation(baseSlot + relocation.slot(), relocation.symbol(), relocation.kind()));
        }
        for (Parameter parameter : block.parameters) {
            parameters.add(new Parameter(baseIndex + parameter.instructionIndex(), parameter.parameter()));
        }
        instructions.addAll(block.instructions);
        slot += block.slot;
        return this;
    }

    /**
     * Marks the immediate of the instruction just appended as parameter {@code parameter} of
     * this block: {@link #appendInstance} writes the parameter's value into it. The immediate it
     * holds until then is what {@link #assemble} keeps if the block is assembled as it is.
     *
     * @throws IllegalStateException when no instruction was appended yet
     */
    public Assembler parameter(int parameter) {
        if (instructions.isEmpty()) {
            throw new IllegalStateException("no instruction to take parameter " + parameter);
        }
        if (parameter < 0) {
            throw new IllegalArgumentException("parameter " + parameter + " is negative");
        }
        parameters.add(new Parameter(instructions.size() - 1, parameter));
        return this;
    }

    /**
     * Appends {@code template} as {@link #append} does, as one instance of it: every label the
     * template defines becomes {@code labelPrefix + name} (its own jumps follow), a jump to a
     * label it does not define goes to {@code outside.apply(name)}, and each instruction that
     * takes a {@linkplain #parameter parameter} gets {@code values[parameter]} as its immediate.
     * The template is left as it was, so it may be appended again, elsewhere or in another
     * program, with other names and values.
     *
     * @throws IllegalArgumentException when a parameter has no value in {@code values}
     */
    public Assembler appendInstance(
            Assembler template, String labelPrefix, UnaryOperator<String> outside, int[] values) {
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(labelPrefix, "labelPrefix");
        Objects.requireNonNull(outside, "outside");
        if (template == this) {
            throw new IllegalArgumentException("an assembler cannot append itself");
        }
        int baseSlot = slot;
        int baseIndex = instructions.size();
        template.labels.forEach((name, at) -> defineLabel(labelPrefix + name, baseSlot + at));
        for (PendingJump jump : template.jumps) {
            String target =
                    template.labels.containsKey(jump.target) ? labelPrefix + jump.target : outside.apply(jump.target);
            requireName("label", target);
            jumps.add(new PendingJump(baseIndex + jump.instructionIndex, baseSlot + jump.slot, target, jump.reach));
        }
        for (Relocation relocation : template.relocations) {
            relocations.add(new Relocation(baseSlot + relocation.slot(), relocation.symbol(), relocation.kind()));
        }
        instructions.addAll(template.instructions);
        for (Parameter parameter : template.parameters) {
            if (parameter.parameter() >= values.length) {
                throw new IllegalArgumentException(
                        "parameter " + parameter.parameter() + " has no value (" + values.length + " given)");
            }
            int at = baseIndex + parameter.instructionIndex();
            instructions.set(at, instructions.get(at).withImm(values[parameter.parameter()]));
        }
        slot += template.slot;
        return this;
    }

    /**
     * Resolves now every jump to a label this assembler defines, and forgets its labels: for a
     * template that is appended many times ({@link #appendInstance}), whose jumps within itself
     * are relative and stay valid wherever it goes, so that each instance costs its instructions
     * and its jumps to outside labels only. Does nothing (and returns false) when one of those
     * jumps does not fit its offset field: {@link #assemble} then reports it where it is placed.
     * No label may be defined afterwards.
     */
    public boolean resolveLocalJumps() {
        List<Instruction> resolved = new ArrayList<>(instructions);
        List<PendingJump> outside = new ArrayList<>();
        for (PendingJump jump : jumps) {
            Integer target = labels.get(jump.target);
            if (target == null) {
                outside.add(jump);
                continue;
            }
            int distance = target - (jump.slot + 1);
            if (target == slot
                    || jump.reach == Reach.OFFSET16 && (distance < Short.MIN_VALUE || distance > Short.MAX_VALUE)) {
                return false;
            }
            Instruction instruction = resolved.get(jump.instructionIndex);
            resolved.set(
                    jump.instructionIndex,
                    instruction.isCall() ? instruction.withImm(distance) : instruction.withJumpOffset(distance));
        }
        for (int i = 0; i < resolved.size(); i++) {
            instructions.set(i, resolved.get(i));
        }
        jumps.clear();
        jumps.addAll(outside);
        labels.clear();
        sealed = true;
        return true;
    }

    /** Whether some jump appended so far names {@code label} (defined or not). */
    public boolean jumpsTo(String label) {
        for (PendingJump jump : jumps) {
            if (jump.target.equals(label)) {
                return true;
            }
        }
        return false;
    }

    /** The slot the next instruction will occupy. */
    public int slot() {
        return slot;
    }

    // ---- jumps to labels -------------------------------------------------------------------

    /** {@code goto label} with a 16-bit offset. */
    public Assembler ja(String label) {
        return jumpTo(Instruction.ja(0), label, Reach.OFFSET16);
    }

    /** {@code gotol label}: unconditional jump with a 32-bit offset (cpu v4), for targets beyond ±32767 slots. */
    public Assembler gotol(String label) {
        return jumpTo(Instruction.gotol(0), label, Reach.IMM32);
    }

    /** {@code may_goto label}. */
    public Assembler mayGoto(String label) {
        return jumpTo(Instruction.mayGoto(0), label, Reach.OFFSET16);
    }

    /** {@code if dst op imm goto label} on 64 bits. */
    public Assembler jump(JumpOp op, Register dst, int imm, String label) {
        return jumpTo(Instruction.jump(op, dst, imm, 0), label, Reach.OFFSET16);
    }

    /** {@code if dst op src goto label} on 64 bits. */
    public Assembler jump(JumpOp op, Register dst, Register src, String label) {
        return jumpTo(Instruction.jump(op, dst, src, 0), label, Reach.OFFSET16);
    }

    /** {@code if w_dst op imm goto label} on the low 32 bits. */
    public Assembler jump32(JumpOp op, Register dst, int imm, String label) {
        return jumpTo(Instruction.jump32(op, dst, imm, 0), label, Reach.OFFSET16);
    }

    /** {@code if w_dst op w_src goto label} on the low 32 bits. */
    public Assembler jump32(JumpOp op, Register dst, Register src, String label) {
        return jumpTo(Instruction.jump32(op, dst, src, 0), label, Reach.OFFSET16);
    }

    public Assembler jeqImm(Register dst, int imm, String label) {
        return jump(JumpOp.JEQ, dst, imm, label);
    }

    public Assembler jeqReg(Register dst, Register src, String label) {
        return jump(JumpOp.JEQ, dst, src, label);
    }

    public Assembler jneImm(Register dst, int imm, String label) {
        return jump(JumpOp.JNE, dst, imm, label);
    }

    public Assembler jneReg(Register dst, Register src, String label) {
        return jump(JumpOp.JNE, dst, src, label);
    }

    public Assembler jgtImm(Register dst, int imm, String label) {
        return jump(JumpOp.JGT, dst, imm, label);
    }

    public Assembler jgtReg(Register dst, Register src, String label) {
        return jump(JumpOp.JGT, dst, src, label);
    }

    public Assembler jgeImm(Register dst, int imm, String label) {
        return jump(JumpOp.JGE, dst, imm, label);
    }

    public Assembler jgeReg(Register dst, Register src, String label) {
        return jump(JumpOp.JGE, dst, src, label);
    }

    public Assembler jltImm(Register dst, int imm, String label) {
        return jump(JumpOp.JLT, dst, imm, label);
    }

    public Assembler jltReg(Register dst, Register src, String label) {
        return jump(JumpOp.JLT, dst, src, label);
    }

    public Assembler jleImm(Register dst, int imm, String label) {
        return jump(JumpOp.JLE, dst, imm, label);
    }

    public Assembler jleReg(Register dst, Register src, String label) {
        return jump(JumpOp.JLE, dst, src, label);
    }

    public Assembler jsetImm(Register dst, int imm, String label) {
        return jump(JumpOp.JSET, dst, imm, label);
    }

    /** {@code call label}: a BPF-to-BPF call of the subprogram starting at {@code label}. */
    public Assembler callSubprogram(String label) {
        return jumpTo(Instruction.callSubprogram(0), label, Reach.IMM32);
    }

    private Assembler jumpTo(Instruction instruction, String label, Reach reach) {
        requireName("label", label);
        jumps.add(new PendingJump(instructions.size(), slot, label, reach));
        return emit(instruction);
    }

    // ---- guards -----------------------------------------------------------------------------

    /**
     * A guard decided by the constant {@code symbol} (a {@link Relocation.Kind#GUARD} relocation):
     * {@code if scalar >= 0 goto skipLabel} while the constant is 0, the never-taken
     * {@code if scalar < 0 goto skipLabel} otherwise, so the verifier deletes the guard, and with
     * a 0 also the code up to {@code skipLabel} that nothing else reaches.
     *
     * @param scalar    a register that holds a number (not a pointer) whenever the guard runs: the
     *                  verifier decides {@code >= 0} only for numbers
     * @param skipLabel where a disabled guard jumps; it must come after the guard
     */
    public Assembler enableGuard(Register scalar, String symbol, String skipLabel) {
        Objects.requireNonNull(scalar, "scalar");
        requireName("symbol", symbol);
        relocations.add(new Relocation(slot, symbol, Relocation.Kind.GUARD));
        return jump(JumpOp.JGE, scalar, 0, skipLabel);
    }

    // ---- symbolic 64-bit loads ---------------------------------------------------------------

    /** {@code dst = symbol}: an LD_IMM64 of a constant supplied later (a {@link Relocation.Kind#CONSTANT} relocation). */
    public Assembler ldImm64(Register dst, String symbol) {
        requireName("symbol", symbol);
        relocations.add(new Relocation(slot, symbol, Relocation.Kind.CONSTANT));
        return emit(Instruction.ldImm64(dst, 0));
    }

    /** {@code dst = map[name]}: a map reference whose fd is supplied at load time (a {@link Relocation.Kind#MAP} relocation). */
    public Assembler ldMap(Register dst, String map) {
        requireName("map", map);
        relocations.add(new Relocation(slot, map, Relocation.Kind.MAP));
        return emit(Instruction.ldMapFd(dst, 0));
    }

    /** {@code dst = map[fd]} for a map whose file descriptor is already known. */
    public Assembler ldMapFd(Register dst, int fd) {
        return emit(Instruction.ldMapFd(dst, fd));
    }

    /** {@code dst = imm64}, a known 64-bit constant. */
    public Assembler ldImm64(Register dst, long value) {
        return emit(Instruction.ldImm64(dst, value));
    }

    // ---- result ------------------------------------------------------------------------------

    /**
     * The program with every jump's distance filled in.
     *
     * @throws AssemblyException if a jump names an undefined label, a label marks the end of the
     *     program, or a 16-bit jump's distance does not fit (naming both labels and the distance)
     */
    public AssembledProgram assemble() {
        return assemble(name -> true);
    }

    /**
     * {@link #assemble()}, keeping only the labels {@code keepLabel} accepts (as
     * {@link AssembledProgram#keepingLabels} would, without making the program twice): generated
     * code has a great many labels, and most are of no use once the jumps are resolved.
     */
    public AssembledProgram assemble(java.util.function.Predicate<String> keepLabel) {
        List<Instruction> resolved = new ArrayList<>(instructions);
        for (PendingJump jump : jumps) {
            Integer target = labels.get(jump.target);
            if (target == null) {
                throw new AssemblyException(
                        "label '" + jump.target + "' is undefined (jump at slot " + jump.slot + ")");
            }
            if (target == slot) {
                throw new AssemblyException(
                        "label '" + jump.target + "' marks the end of the program: no instruction to jump to"
                                + " (jump at slot " + jump.slot + ")");
            }
            int distance = target - (jump.slot + 1);
            Instruction instruction = resolved.get(jump.instructionIndex);
            if (jump.reach == Reach.OFFSET16 && (distance < Short.MIN_VALUE || distance > Short.MAX_VALUE)) {
                throw new AssemblyException("jump from " + describe(jump.slot) + " to label '" + jump.target
                        + "' (slot " + target
                        + ") spans " + distance + " slots, outside the 16-bit offset range " + Short.MIN_VALUE + ".."
                        + Short.MAX_VALUE + (instruction.equals(Instruction.ja(0)) ? "; use gotol" : ""));
            }
            resolved.set(
                    jump.instructionIndex,
                    instruction.isCall() ? instruction.withImm(distance) : instruction.withJumpOffset(distance));
        }
        Map<String, Integer> kept = new LinkedHashMap<>();
        labels.forEach((name, at) -> {
            if (keepLabel.test(name)) {
                kept.put(name, at);
            }
        });
        return new AssembledProgram(resolved, relocations, kept);
    }

    /** "label 'x' + 12 (slot 40)", naming the closest label at or before {@code jumpSlot}. */
    private String describe(int jumpSlot) {
        String closest = null;
        int closestSlot = -1;
        for (Map.Entry<String, Integer> label : labels.entrySet()) {
            int at = label.getValue();
            if (at <= jumpSlot && at > closestSlot) {
                closest = label.getKey();
                closestSlot = at;
            }
        }
        if (closest == null) {
            return "the program start + " + jumpSlot + " (slot " + jumpSlot + ", no label before it)";
        }
        return "label '" + closest + "' + " + (jumpSlot - closestSlot) + " (slot " + jumpSlot + ")";
    }

    static void requireName(String what, String name) {
        if (name == null || name.isBlank()) {
            throw new AssemblyException(what + " name must not be " + (name == null ? "null" : "blank"));
        }
    }
}
