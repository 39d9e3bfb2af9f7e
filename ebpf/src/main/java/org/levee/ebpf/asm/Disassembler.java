package org.levee.ebpf.asm;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Text in the format of the kernel's disassembler (kernel/bpf/disasm.c), which
 * {@code bpftool prog dump xlated} prints: {@code 1: (61) r2 = *(u32 *)(r1 +4)}. Each line starts
 * with the slot index; an LD_IMM64 takes two slots, so the next index skips one.
 *
 * <p>For an {@link AssembledProgram} it adds what the assembler knows: a {@code name:} line
 * before each labelled slot, {@code <name>} after jumps to a label, and the symbol of each
 * unresolved LD_IMM64 ({@code r1 = map[flows]}, {@code r2 = const[rule_7_enabled]}).
 */
public final class Disassembler {

    /** What the immediate of a BPF_PSEUDO_MAP_FD load is. */
    public enum MapReferences {
        /** A file descriptor: programs built in this process, before loading. Printed {@code map[fd:5]}. */
        FD,
        /** A map id: programs read back from the kernel (xlated), as bpftool prints them: {@code map[id:5]}. */
        ID
    }

    private final MapReferences mapReferences;

    /** A disassembler printing map loads as {@code mapReferences} says. */
    public Disassembler(MapReferences mapReferences) {
        this.mapReferences = mapReferences;
    }

    /** Disassembles programs built in this process (map immediates are fds). */
    public Disassembler() {
        this(MapReferences.FD);
    }

    /** Disassembles instructions read back from the kernel, whose map immediates are map ids. */
    public static Disassembler forKernelDump() {
        return new Disassembler(MapReferences.ID);
    }

    /** One line per instruction: {@code <slot>: <instruction>}. */
    public String disassemble(List<Instruction> instructions) {
        return disassemble(AssembledProgram.of(instructions));
    }

    /** One line per instruction, with label lines, jump target labels and relocation symbols. */
    public String disassemble(AssembledProgram program) {
        Map<Integer, TreeSet<String>> labelsBySlot = new TreeMap<>();
        program.labels()
                .forEach((name, slot) ->
                        labelsBySlot.computeIfAbsent(slot, s -> new TreeSet<>()).add(name));
        Map<Integer, Relocation> relocationBySlot = new HashMap<>();
        program.relocations().forEach(r -> relocationBySlot.put(r.slot(), r));

        StringBuilder text = new StringBuilder();
        int slot = 0;
        for (Instruction instruction : program.instructions()) {
            for (String label : labelsBySlot.getOrDefault(slot, new TreeSet<>())) {
                text.append(label).append(":\n");
            }
            text.append(slot).append(": ").append(format(instruction, relocationBySlot.get(slot)));
            Integer target = targetSlot(instruction, slot);
            if (target != null && labelsBySlot.containsKey(target)) {
                text.append(" <").append(labelsBySlot.get(target).first()).append('>');
            }
            Relocation relocation = relocationBySlot.get(slot);
            if (relocation != null && relocation.kind() == Relocation.Kind.GUARD) {
                text.append(" ; ").append(symbol(relocation));
            }
            text.append('\n');
            slot += instruction.slots();
        }
        for (String label : labelsBySlot.getOrDefault(slot, new TreeSet<>())) {
            text.append(label).append(":\n");
        }
        return text.toString();
    }

    /** The lines of {@link #disassemble(List)}, without the trailing newline. */
    public List<String> lines(List<Instruction> instructions) {
        return disassemble(instructions).lines().toList();
    }

    /** One instruction without slot index, e.g. {@code (b7) r0 = 2}. */
    public String format(Instruction instruction) {
        return format(instruction, null);
    }

    private static Integer targetSlot(Instruction instruction, int slot) {
        if (instruction.isJump()) {
            return slot + 1 + instruction.jumpOffset();
        }
        if (instruction.isCall() && instruction.callKind() == CallKind.SUBPROGRAM) {
            return slot + 1 + (int) instruction.imm();
        }
        return null;
    }

    private String format(Instruction insn, Relocation relocation) {
        String code = String.format("(%02x) ", insn.opcode());
        return code
                + switch (insn.instructionClass()) {
                    case ALU, ALU64 -> alu(insn);
                    case JMP, JMP32 -> jump(insn);
                    case LD -> ld(insn, relocation);
                    case LDX ->
                        String.format(
                                "r%d = *(%s *)(r%d %+d)",
                                insn.dst(),
                                Mode.of(insn.opcode()).orElseThrow() == Mode.MEMSX
                                        ? signedType(insn)
                                        : unsignedType(insn),
                                insn.src(),
                                insn.offset());
                    case ST ->
                        insn.opcode() == InstructionRules.NOSPEC
                                ? "nospec"
                                : String.format(
                                        "*(%s *)(r%d %+d) = %d",
                                        unsignedType(insn), insn.dst(), insn.offset(), insn.imm());
                    case STX -> stx(insn);
                };
    }

    private static String alu(Instruction insn) {
        boolean is64 = insn.instructionClass() == InstructionClass.ALU64;
        char width = is64 ? 'r' : 'w';
        AluOp op = AluOp.of(insn.opcode()).orElseThrow();
        if (op == AluOp.END) {
            if (is64) {
                return String.format("r%d = bswap%d r%d", insn.dst(), insn.imm(), insn.dst());
            }
            String order = Source.of(insn.opcode()) == Source.X ? "be" : "le";
            return String.format("r%d = %s%d r%d", insn.dst(), order, insn.imm(), insn.dst());
        }
        if (op == AluOp.NEG) {
            return String.format("%c%d = -%c%d", width, insn.dst(), width, insn.dst());
        }
        if (op == AluOp.MOV && is64 && Source.of(insn.opcode()) == Source.X) {
            if (insn.offset() == InstructionRules.ADDR_SPACE_CAST) {
                return String.format(
                        "r%d = addr_space_cast(r%d, %d, %d)",
                        insn.dst(), insn.src(), insn.imm() >>> 16 & 0xffff, insn.imm() & 0xffff);
            }
            if (insn.offset() == InstructionRules.PERCPU_ADDRESS) {
                return String.format("r%d = &(void __percpu *)(r%d)", insn.dst(), insn.src());
            }
        }
        boolean signed = (op == AluOp.DIV || op == AluOp.MOD) && insn.offset() == 1;
        String symbol = signed ? "s" + op.symbol() : op.symbol();
        if (Source.of(insn.opcode()) == Source.X) {
            String extension = op == AluOp.MOV && insn.offset() != 0 ? "(s" + insn.offset() + ")" : "";
            return String.format("%c%d %s %s%c%d", width, insn.dst(), symbol, extension, width, insn.src());
        }
        return String.format("%c%d %s %d", width, insn.dst(), symbol, insn.imm());
    }

    private static String jump(Instruction insn) {
        char width = insn.instructionClass() == InstructionClass.JMP32 ? 'w' : 'r';
        JumpOp op = JumpOp.of(insn.opcode()).orElseThrow();
        return switch (op) {
            case CALL ->
                switch (insn.callKind()) {
                    case HELPER ->
                        String.format(
                                "call %s#%d",
                                Helper.of((int) insn.imm())
                                        .filter(h -> h != Helper.UNSPEC)
                                        .map(Helper::kernelName)
                                        .orElse("unknown"),
                                insn.imm());
                    case SUBPROGRAM -> String.format("call pc%+d", insn.imm());
                    case KFUNC -> String.format("call kernel-function#%d", insn.imm());
                };
            case EXIT -> "exit";
            case JA ->
                insn.isLongJump()
                        ? String.format("gotol pc%+d", insn.imm())
                        : String.format("goto pc%+d", insn.offset());
            case JCOND -> String.format("may_goto pc%+d", insn.offset());
            default ->
                Source.of(insn.opcode()) == Source.X
                        ? String.format(
                                "if %c%d %s %c%d goto pc%+d",
                                width, insn.dst(), op.comparison(), width, insn.src(), insn.offset())
                        : String.format(
                                "if %c%d %s 0x%x goto pc%+d",
                                width, insn.dst(), op.comparison(), (int) insn.imm(), insn.offset());
        };
    }

    private String ld(Instruction insn, Relocation relocation) {
        Mode mode = Mode.of(insn.opcode()).orElseThrow();
        return switch (mode) {
            case ABS -> String.format("r0 = *(%s *)skb[%d]", unsignedType(insn), insn.imm());
            case IND -> String.format("r0 = *(%s *)skb[r%d + %d]", unsignedType(insn), insn.src(), insn.imm());
            default ->
                String.format("r%d = %s", insn.dst(), relocation != null ? symbol(relocation) : immediate64(insn));
        };
    }

    private static String symbol(Relocation relocation) {
        return switch (relocation.kind()) {
            case MAP -> "map[" + relocation.symbol() + "]";
            case CONSTANT -> "const[" + relocation.symbol() + "]";
            case GUARD -> "guard[" + relocation.symbol() + "]";
        };
    }

    private String immediate64(Instruction insn) {
        long low = insn.imm() & 0xffff_ffffL;
        long high = insn.imm() >>> 32;
        String kind = mapReferences == MapReferences.ID ? "id" : "fd";
        return switch (insn.loadSource()) {
            case MAP_FD -> String.format("map[%s:%d]", kind, low);
            case MAP_VALUE -> String.format("map[%s:%d][0]+%d", kind, low, high);
            case MAP_IDX -> String.format("map[idx:%d]", low);
            case MAP_IDX_VALUE -> String.format("map[idx:%d]+%d", low, high);
            case FUNC -> String.format("subprog[%+d]", (int) low);
            case CONSTANT, BTF_ID -> String.format("0x%x", insn.imm());
        };
    }

    private static String stx(Instruction insn) {
        String type = unsignedType(insn);
        if (Mode.of(insn.opcode()).orElseThrow() == Mode.MEM) {
            return String.format("*(%s *)(r%d %+d) = r%d", type, insn.dst(), insn.offset(), insn.src());
        }
        AtomicOp op = AtomicOp.of((int) insn.imm()).orElseThrow();
        String bits = Size.of(insn.opcode()) == Size.DW ? "64" : "";
        return switch (op) {
            case ADD, OR, AND, XOR ->
                String.format(
                        "lock *(%s *)(r%d %+d) %s r%d", type, insn.dst(), insn.offset(), op.lockSymbol(), insn.src());
            case FETCH_ADD, FETCH_OR, FETCH_AND, FETCH_XOR, XCHG ->
                String.format(
                        "r%d = atomic%s_%s((%s *)(r%d %+d), r%d)",
                        insn.src(),
                        bits,
                        op.fetches() && op != AtomicOp.XCHG ? "fetch_" + op.mnemonic() : op.mnemonic(),
                        type,
                        insn.dst(),
                        insn.offset(),
                        insn.src());
            case CMPXCHG ->
                String.format(
                        "r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, r%d)",
                        bits, type, insn.dst(), insn.offset(), insn.src());
            case LOAD_ACQUIRE ->
                String.format("r%d = load_acquire((%s *)(r%d %+d))", insn.dst(), type, insn.src(), insn.offset());
            case STORE_RELEASE ->
                String.format("store_release((%s *)(r%d %+d), r%d)", type, insn.dst(), insn.offset(), insn.src());
        };
    }

    private static String unsignedType(Instruction insn) {
        return "u" + Size.of(insn.opcode()).bytes() * 8;
    }

    private static String signedType(Instruction insn) {
        return "s" + Size.of(insn.opcode()).bytes() * 8;
    }
}
