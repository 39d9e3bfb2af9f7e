package org.levee.ebpf.asm;

import java.util.Optional;

/**
 * Which field combinations are eBPF instructions, after the instruction-set specification and the
 * kernel's checks of reserved fields (kernel/bpf/verifier.c, do_check and check_*): an
 * instruction is valid when its opcode is defined, its register fields name r0–r10 where they are
 * used, and every field it does not use is zero.
 *
 * <p>Two kernel-internal forms are valid too, because programs read back from the kernel
 * (xlated) contain them: the speculation barrier {@code nospec} and the per-CPU address move.
 * The verifier rejects both from user space.
 */
final class InstructionRules {
    private InstructionRules() {}

    private static final int LD_IMM64 = InstructionClass.LD.bits() | Mode.IMM.bits() | Size.DW.bits();

    /** ST | 0xc0: the kernel's speculation barrier, inserted by the verifier, seen only in xlated dumps. */
    static final int NOSPEC = InstructionClass.ST.bits() | 0xc0;

    /** MOV offset of {@code addr_space_cast} (ALU64 | MOV | X, arena pointers, kernel 6.9). */
    static final int ADDR_SPACE_CAST = 1;

    /** MOV offset of the kernel's per-CPU address move (ALU64 | MOV | X), seen only in xlated dumps of inlined helpers. */
    static final int PERCPU_ADDRESS = -1;

    /** Why the fields are not a valid instruction, or empty if they are. */
    static Optional<String> violation(int opcode, int dst, int src, int offset, long imm) {
        if (opcode < 0 || opcode > 0xff) {
            return Optional.of("opcode " + opcode + " is not a byte");
        }
        if (dst < 0 || dst > 0xf || src < 0 || src > 0xf) {
            return Optional.of("register fields are 4 bits: dst " + dst + ", src " + src);
        }
        if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
            return Optional.of("offset " + offset + " does not fit in 16 bits");
        }
        if (opcode != LD_IMM64 && (imm < Integer.MIN_VALUE || imm > Integer.MAX_VALUE)) {
            return Optional.of(String.format("immediate 0x%x does not fit in 32 bits (only ld_imm64 has 64)", imm));
        }
        String problem = switch (InstructionClass.of(opcode)) {
            case LD -> ld(opcode, dst, src, offset, imm);
            case LDX -> ldx(opcode, dst, src, imm);
            case ST -> st(opcode, dst, src, offset, imm);
            case STX -> stx(opcode, dst, src, imm);
            case ALU, ALU64 -> alu(opcode, dst, src, offset, (int) imm);
            case JMP, JMP32 -> jump(opcode, dst, src, offset, (int) imm);
        };
        return Optional.ofNullable(problem).map(p -> String.format("opcode 0x%02x: %s", opcode, p));
    }

    private static String ld(int opcode, int dst, int src, int offset, long imm) {
        Optional<Mode> mode = Mode.of(opcode);
        Size size = Size.of(opcode);
        if (mode.isEmpty()) {
            return "undefined mode";
        }
        return switch (mode.get()) {
            case IMM ->
                size != Size.DW
                        ? "LD | IMM is defined only with size DW (ld_imm64)"
                        : LoadSource.of(src).isEmpty()
                                ? "src " + src + " is not a pseudo source of ld_imm64 (0-6)"
                                : firstOf(register("dst", dst), zero("offset", offset), pseudoHighHalf(src, imm));
            case ABS ->
                size == Size.DW
                        ? "LD | ABS is not defined with size DW"
                        : firstOf(zero("dst", dst), zero("src", src), zero("offset", offset));
            case IND ->
                size == Size.DW
                        ? "LD | IND is not defined with size DW"
                        : firstOf(zero("dst", dst), register("src", src), zero("offset", offset));
            default -> "mode " + mode.get() + " is not defined for class LD";
        };
    }

    /** A map fd or fd_array index is 32 bits: the kernel rejects a non-zero high half. */
    private static String pseudoHighHalf(int src, long imm) {
        boolean fdOnly = src == LoadSource.MAP_FD.value() || src == LoadSource.MAP_IDX.value();
        return fdOnly && imm >>> 32 != 0
                ? "the high 32 bits of a map fd or index load must be 0, are " + (imm >>> 32)
                : null;
    }

    private static String ldx(int opcode, int dst, int src, long imm) {
        Optional<Mode> mode = Mode.of(opcode);
        if (mode.equals(Optional.of(Mode.MEMSX)) && Size.of(opcode) == Size.DW) {
            return "LDX | MEMSX is not defined with size DW";
        }
        if (!mode.equals(Optional.of(Mode.MEM)) && !mode.equals(Optional.of(Mode.MEMSX))) {
            return "class LDX has only modes MEM and MEMSX";
        }
        return firstOf(register("dst", dst), register("src", src), zero("imm", imm));
    }

    private static String st(int opcode, int dst, int src, int offset, long imm) {
        if (opcode == NOSPEC) {
            return firstOf(zero("dst", dst), zero("src", src), zero("offset", offset), zero("imm", imm));
        }
        if (!Mode.of(opcode).equals(Optional.of(Mode.MEM))) {
            return "class ST has only mode MEM";
        }
        return firstOf(register("dst", dst), zero("src", src));
    }

    private static String stx(int opcode, int dst, int src, long imm) {
        Optional<Mode> mode = Mode.of(opcode);
        if (mode.equals(Optional.of(Mode.MEM))) {
            return firstOf(register("dst", dst), register("src", src), zero("imm", imm));
        }
        if (!mode.equals(Optional.of(Mode.ATOMIC))) {
            return "class STX has only modes MEM and ATOMIC";
        }
        Optional<AtomicOp> op = AtomicOp.of((int) imm);
        if (op.isEmpty()) {
            return String.format("imm 0x%x is not an atomic operation", imm);
        }
        Size size = Size.of(opcode);
        if (op.get().isReadModifyWrite() && size != Size.W && size != Size.DW) {
            return "atomic " + op.get() + " is defined only for sizes W and DW";
        }
        return firstOf(register("dst", dst), register("src", src));
    }

    private static String alu(int opcode, int dst, int src, int offset, int imm) {
        Optional<AluOp> maybeOp = AluOp.of(opcode);
        if (maybeOp.isEmpty()) {
            return "undefined ALU operation";
        }
        AluOp op = maybeOp.get();
        boolean is64 = InstructionClass.of(opcode) == InstructionClass.ALU64;
        Source source = Source.of(opcode);
        String dstProblem = register("dst", dst);
        if (op == AluOp.END) {
            if (is64 && source == Source.X) {
                return "ALU64 | END is defined only with source K (bswap)";
            }
            if (imm != 16 && imm != 32 && imm != 64) {
                return "byte swap width " + imm + " is not 16, 32 or 64";
            }
            return firstOf(dstProblem, zero("src", src), zero("offset", offset));
        }
        if (op == AluOp.NEG) {
            if (source == Source.X) {
                return "NEG is defined only with source K";
            }
            return firstOf(dstProblem, zero("src", src), zero("offset", offset), zero("imm", imm));
        }
        String offsetProblem = switch (op) {
            case DIV, MOD ->
                offset == 0 || offset == 1
                        ? null
                        : "offset " + offset + " of DIV/MOD is not 0 (unsigned) or 1 (signed)";
            case MOV -> {
                if (source == Source.K || offset == 0) {
                    yield zero("offset", offset);
                }
                if (is64 && offset == ADDR_SPACE_CAST) {
                    // imm = to << 16 | from; the kernel converts only between spaces 0 and 1.
                    yield imm == 1 || imm == 1 << 16
                            ? null
                            : String.format(
                                    "addr_space_cast imm 0x%x is not 0x1 (0 from 1) or 0x10000 (1 from 0)", imm);
                }
                if (is64 && offset == PERCPU_ADDRESS) {
                    yield null;
                }
                boolean widthOk = offset == 8 || offset == 16 || (is64 && offset == 32);
                yield widthOk ? null : "offset " + offset + " of MOVSX is not " + (is64 ? "8, 16 or 32" : "8 or 16");
            }
            default -> zero("offset", offset);
        };
        if (source == Source.K) {
            return firstOf(dstProblem, zero("src", src), offsetProblem);
        }
        // addr_space_cast carries the address spaces in imm; every other register operation has imm 0.
        boolean immUsed = op == AluOp.MOV && is64 && offset == ADDR_SPACE_CAST;
        return firstOf(dstProblem, register("src", src), offsetProblem, immUsed ? null : zero("imm", imm));
    }

    private static String jump(int opcode, int dst, int src, int offset, int imm) {
        Optional<JumpOp> maybeOp = JumpOp.of(opcode);
        if (maybeOp.isEmpty()) {
            return "undefined jump operation";
        }
        JumpOp op = maybeOp.get();
        boolean is32 = InstructionClass.of(opcode) == InstructionClass.JMP32;
        Source source = Source.of(opcode);
        if (op.isConditional()) {
            return source == Source.K
                    ? firstOf(register("dst", dst), zero("src", src))
                    : firstOf(register("dst", dst), register("src", src), zero("imm", imm));
        }
        if (source == Source.X) {
            return op + " is defined only with source K";
        }
        return switch (op) {
            case JA ->
                is32
                        ? firstOf(zero("dst", dst), zero("src", src), zero("offset (gotol jumps by imm)", offset))
                        : firstOf(zero("dst", dst), zero("src", src), zero("imm (goto jumps by offset)", imm));
            case CALL -> {
                if (is32) {
                    yield "CALL is not defined in class JMP32";
                }
                Optional<CallKind> kind = CallKind.of(src);
                if (kind.isEmpty()) {
                    yield "src " + src + " is not a call kind (0 helper, 1 subprogram, 2 kfunc)";
                }
                yield firstOf(zero("dst", dst), kind.get() == CallKind.KFUNC ? null : zero("offset", offset));
            }
            case EXIT ->
                is32
                        ? "EXIT is not defined in class JMP32"
                        : firstOf(zero("dst", dst), zero("src", src), zero("offset", offset), zero("imm", imm));
            case JCOND ->
                is32
                        ? "JCOND is not defined in class JMP32"
                        : src != 0
                                ? "src " + src + " is not a JCOND condition (0 may_goto)"
                                : firstOf(zero("dst", dst), zero("imm", imm));
            default -> throw new AssertionError(op);
        };
    }

    private static String register(String field, int number) {
        return number <= Register.R10.number() ? null : field + " " + number + " is not a register r0..r10";
    }

    private static String zero(String field, long value) {
        return value == 0 ? null : field + " must be 0 (reserved), is " + value;
    }

    private static String firstOf(String... problems) {
        for (String problem : problems) {
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }
}
