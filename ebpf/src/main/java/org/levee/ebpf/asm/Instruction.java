package org.levee.ebpf.asm;

/**
 * One eBPF instruction: the fields of the kernel's {@code struct bpf_insn}. An LD_IMM64
 * ({@code opcode 0x18}) is one logical instruction occupying two 8-byte slots; its {@code imm}
 * holds the whole 64-bit value (the low half goes to the first slot, the high half to the second).
 *
 * <p>Fields are kept raw because some of them are not registers for some opcodes (the src field
 * of LD_IMM64 and CALL is a {@link LoadSource} or {@link CallKind}); {@link #dstRegister()} and
 * {@link #srcRegister()} give the typed view. The constructor accepts only valid instructions:
 * a defined opcode, registers r0–r10 where registers are used, zero in every reserved field.
 *
 * <p>Factories follow the operand order of the C macros in the kernel's filter.h: loads are
 * {@code (dst, base, offset)}, stores {@code (base, offset, value)}, jumps {@code (dst, operand, offset)}.
 *
 * @param opcode the 8-bit opcode: class, then size and mode or source and operation
 * @param dst    destination register field, 0–15 (0–10 where it is a register)
 * @param src    source register field, 0–15: a register, a pseudo source or a call kind
 * @param offset signed 16-bit offset
 * @param imm    signed 32-bit immediate, or the 64-bit value of an LD_IMM64
 */
public record Instruction(int opcode, int dst, int src, int offset, long imm) {

    /** The opcode of LD_IMM64, the one two-slot instruction. */
    public static final int LD_IMM64 = InstructionClass.LD.bits() | Mode.IMM.bits() | Size.DW.bits();

    public Instruction {
        String problem =
                InstructionRules.violation(opcode, dst, src, offset, imm).orElse(null);
        if (problem != null) {
            throw new IllegalArgumentException(
                    "invalid instruction " + fieldsToString(opcode, dst, src, offset, imm) + ": " + problem);
        }
    }

    // ---- typed views -----------------------------------------------------------------------

    public InstructionClass instructionClass() {
        return InstructionClass.of(opcode);
    }

    /** The dst field as a register (it is one in every valid instruction that uses it; else r0). */
    public Register dstRegister() {
        return Register.of(dst);
    }

    /**
     * The src field as a register.
     *
     * @throws IllegalStateException for LD_IMM64 and CALL, whose src field is not a register
     */
    public Register srcRegister() {
        if (isLdImm64() || isCall()) {
            throw new IllegalStateException("the src field of " + this + " is not a register");
        }
        return Register.of(src);
    }

    /** Number of 8-byte slots: 2 for LD_IMM64, else 1. */
    public int slots() {
        return isLdImm64() ? 2 : 1;
    }

    public boolean isLdImm64() {
        return opcode == LD_IMM64;
    }

    /** The meaning of an LD_IMM64's immediate. */
    public LoadSource loadSource() {
        if (!isLdImm64()) {
            throw new IllegalStateException(this + " is not ld_imm64");
        }
        return LoadSource.of(src).orElseThrow();
    }

    public boolean isCall() {
        return opcode == (InstructionClass.JMP.bits() | JumpOp.CALL.bits());
    }

    public boolean isExit() {
        return opcode == (InstructionClass.JMP.bits() | JumpOp.EXIT.bits());
    }

    /** What a call's immediate names. */
    public CallKind callKind() {
        if (!isCall()) {
            throw new IllegalStateException(this + " is not a call");
        }
        return CallKind.of(src).orElseThrow();
    }

    /** True for JMP/JMP32 instructions that jump within the program (all but CALL and EXIT). */
    public boolean isJump() {
        return instructionClass().isJump() && !isCall() && !isExit();
    }

    /** True for {@code gotol}, the JMP32 | JA whose 32-bit target offset is in imm. */
    public boolean isLongJump() {
        return opcode == (InstructionClass.JMP32.bits() | JumpOp.JA.bits());
    }

    /** The jump distance in slots, relative to the next slot: imm for gotol, else offset. */
    public int jumpOffset() {
        if (!isJump()) {
            throw new IllegalStateException(this + " is not a jump");
        }
        return isLongJump() ? (int) imm : offset;
    }

    /** A copy with another jump distance, in imm for gotol and in offset otherwise. */
    public Instruction withJumpOffset(int distance) {
        if (!isJump()) {
            throw new IllegalStateException(this + " is not a jump");
        }
        return isLongJump()
                ? new Instruction(opcode, dst, src, 0, distance)
                : new Instruction(opcode, dst, src, distance, imm);
    }

    /** A copy with another immediate, e.g. an LD_IMM64 given its relocated value. */
    public Instruction withImm(long newImm) {
        return new Instruction(opcode, dst, src, offset, newImm);
    }

    /** A copy with another opcode and the same fields otherwise, e.g. a guard turned to its other form. */
    public Instruction withOpcode(int newOpcode) {
        return new Instruction(newOpcode, dst, src, offset, imm);
    }

    /** A copy with another src field, e.g. an LD_IMM64 given a pseudo source. */
    public Instruction withSrc(int newSrc) {
        return new Instruction(opcode, dst, newSrc, offset, imm);
    }

    @Override
    public String toString() {
        return fieldsToString(opcode, dst, src, offset, imm);
    }

    private static String fieldsToString(int opcode, int dst, int src, int offset, long imm) {
        return String.format("{op=0x%02x dst=%d src=%d off=%d imm=%d}", opcode, dst, src, offset, imm);
    }

    // ---- ALU -------------------------------------------------------------------------------

    /** {@code dst op= imm} on 64 bits (ALU64 | K). */
    public static Instruction alu64(AluOp op, Register dst, int imm) {
        return alu(InstructionClass.ALU64, op, dst, imm, 0);
    }

    /** {@code dst op= src} on 64 bits (ALU64 | X). */
    public static Instruction alu64(AluOp op, Register dst, Register src) {
        return aluReg(InstructionClass.ALU64, op, dst, src, 0);
    }

    /** {@code dst op= imm} on the low 32 bits, zeroing the high 32 (ALU | K). */
    public static Instruction alu32(AluOp op, Register dst, int imm) {
        return alu(InstructionClass.ALU, op, dst, imm, 0);
    }

    /** {@code dst op= src} on the low 32 bits, zeroing the high 32 (ALU | X). */
    public static Instruction alu32(AluOp op, Register dst, Register src) {
        return aluReg(InstructionClass.ALU, op, dst, src, 0);
    }

    private static Instruction alu(InstructionClass cls, AluOp op, Register dst, int imm, int offset) {
        return new Instruction(cls.bits() | Source.K.bits() | op.bits(), dst.number(), 0, offset, imm);
    }

    private static Instruction aluReg(InstructionClass cls, AluOp op, Register dst, Register src, int offset) {
        return new Instruction(cls.bits() | Source.X.bits() | op.bits(), dst.number(), src.number(), offset, 0);
    }

    public static Instruction mov64(Register dst, int imm) {
        return alu64(AluOp.MOV, dst, imm);
    }

    public static Instruction mov64(Register dst, Register src) {
        return alu64(AluOp.MOV, dst, src);
    }

    public static Instruction mov32(Register dst, int imm) {
        return alu32(AluOp.MOV, dst, imm);
    }

    public static Instruction mov32(Register dst, Register src) {
        return alu32(AluOp.MOV, dst, src);
    }

    public static Instruction add64(Register dst, int imm) {
        return alu64(AluOp.ADD, dst, imm);
    }

    public static Instruction add64(Register dst, Register src) {
        return alu64(AluOp.ADD, dst, src);
    }

    public static Instruction add32(Register dst, int imm) {
        return alu32(AluOp.ADD, dst, imm);
    }

    public static Instruction add32(Register dst, Register src) {
        return alu32(AluOp.ADD, dst, src);
    }

    public static Instruction sub64(Register dst, int imm) {
        return alu64(AluOp.SUB, dst, imm);
    }

    public static Instruction sub64(Register dst, Register src) {
        return alu64(AluOp.SUB, dst, src);
    }

    public static Instruction mul64(Register dst, int imm) {
        return alu64(AluOp.MUL, dst, imm);
    }

    public static Instruction mul64(Register dst, Register src) {
        return alu64(AluOp.MUL, dst, src);
    }

    public static Instruction div64(Register dst, int imm) {
        return alu64(AluOp.DIV, dst, imm);
    }

    public static Instruction div64(Register dst, Register src) {
        return alu64(AluOp.DIV, dst, src);
    }

    public static Instruction mod64(Register dst, int imm) {
        return alu64(AluOp.MOD, dst, imm);
    }

    public static Instruction mod64(Register dst, Register src) {
        return alu64(AluOp.MOD, dst, src);
    }

    public static Instruction or64(Register dst, int imm) {
        return alu64(AluOp.OR, dst, imm);
    }

    public static Instruction or64(Register dst, Register src) {
        return alu64(AluOp.OR, dst, src);
    }

    public static Instruction and64(Register dst, int imm) {
        return alu64(AluOp.AND, dst, imm);
    }

    public static Instruction and64(Register dst, Register src) {
        return alu64(AluOp.AND, dst, src);
    }

    public static Instruction and32(Register dst, int imm) {
        return alu32(AluOp.AND, dst, imm);
    }

    public static Instruction xor64(Register dst, int imm) {
        return alu64(AluOp.XOR, dst, imm);
    }

    public static Instruction xor64(Register dst, Register src) {
        return alu64(AluOp.XOR, dst, src);
    }

    public static Instruction lsh64(Register dst, int imm) {
        return alu64(AluOp.LSH, dst, imm);
    }

    public static Instruction lsh64(Register dst, Register src) {
        return alu64(AluOp.LSH, dst, src);
    }

    public static Instruction rsh64(Register dst, int imm) {
        return alu64(AluOp.RSH, dst, imm);
    }

    public static Instruction rsh64(Register dst, Register src) {
        return alu64(AluOp.RSH, dst, src);
    }

    public static Instruction rsh32(Register dst, int imm) {
        return alu32(AluOp.RSH, dst, imm);
    }

    public static Instruction arsh64(Register dst, int imm) {
        return alu64(AluOp.ARSH, dst, imm);
    }

    public static Instruction arsh64(Register dst, Register src) {
        return alu64(AluOp.ARSH, dst, src);
    }

    /** {@code dst = -dst} on 64 bits. */
    public static Instruction neg64(Register dst) {
        return alu64(AluOp.NEG, dst, 0);
    }

    /** {@code dst = -dst} on 32 bits. */
    public static Instruction neg32(Register dst) {
        return alu32(AluOp.NEG, dst, 0);
    }

    /** Signed division {@code dst s/= imm} on 64 bits (cpu v4: DIV with offset 1). */
    public static Instruction sdiv64(Register dst, int imm) {
        return alu(InstructionClass.ALU64, AluOp.DIV, dst, imm, 1);
    }

    /** Signed division {@code dst s/= src} on 64 bits (cpu v4). */
    public static Instruction sdiv64(Register dst, Register src) {
        return aluReg(InstructionClass.ALU64, AluOp.DIV, dst, src, 1);
    }

    /** Signed modulo {@code dst s%= imm} on 64 bits (cpu v4: MOD with offset 1). */
    public static Instruction smod64(Register dst, int imm) {
        return alu(InstructionClass.ALU64, AluOp.MOD, dst, imm, 1);
    }

    /** Signed modulo {@code dst s%= src} on 64 bits (cpu v4). */
    public static Instruction smod64(Register dst, Register src) {
        return aluReg(InstructionClass.ALU64, AluOp.MOD, dst, src, 1);
    }

    /** Signed division or modulo on 32 bits (cpu v4); {@code op} is DIV or MOD. */
    public static Instruction signed32(AluOp op, Register dst, Register src) {
        requireDivOrMod(op);
        return aluReg(InstructionClass.ALU, op, dst, src, 1);
    }

    /** Signed division or modulo by a constant on 32 bits (cpu v4); {@code op} is DIV or MOD. */
    public static Instruction signed32(AluOp op, Register dst, int imm) {
        requireDivOrMod(op);
        return alu(InstructionClass.ALU, op, dst, imm, 1);
    }

    private static void requireDivOrMod(AluOp op) {
        if (op != AluOp.DIV && op != AluOp.MOD) {
            throw new IllegalArgumentException("only DIV and MOD have signed variants, not " + op);
        }
    }

    /** {@code dst = (s8|s16|s32) src}: 64-bit move sign-extending the low {@code bits} (8, 16, 32) of src (cpu v4). */
    public static Instruction movsx64(Register dst, Register src, int bits) {
        return aluReg(InstructionClass.ALU64, AluOp.MOV, dst, src, bits);
    }

    /** {@code w_dst = (s8|s16) w_src}: 32-bit move sign-extending the low {@code bits} (8, 16) of src (cpu v4). */
    public static Instruction movsx32(Register dst, Register src, int bits) {
        return aluReg(InstructionClass.ALU, AluOp.MOV, dst, src, bits);
    }

    /**
     * {@code dst = addr_space_cast(src, toSpace, fromSpace)}: converts a pointer between the
     * kernel (0) and arena user (1) address spaces, for arena maps (cpu v4, kernel 6.9).
     */
    public static Instruction addrSpaceCast(Register dst, Register src, int toSpace, int fromSpace) {
        if (toSpace < 0 || toSpace > 0xffff || fromSpace < 0 || fromSpace > 0xffff) {
            throw new IllegalArgumentException("address spaces are 16-bit: to " + toSpace + ", from " + fromSpace);
        }
        return new Instruction(
                InstructionClass.ALU64.bits() | Source.X.bits() | AluOp.MOV.bits(),
                dst.number(),
                src.number(),
                InstructionRules.ADDR_SPACE_CAST,
                toSpace << 16 | fromSpace);
    }

    /** {@code dst = le16/le32/le64 dst}: convert from CPU to little-endian order, zero-extending (ALU | END | TO_LE). */
    public static Instruction toLittleEndian(Register dst, int bits) {
        return new Instruction(
                InstructionClass.ALU.bits() | Source.K.bits() | AluOp.END.bits(), dst.number(), 0, 0, bits);
    }

    /** {@code dst = be16/be32/be64 dst}: convert from CPU to big-endian order, zero-extending (ALU | END | TO_BE). */
    public static Instruction toBigEndian(Register dst, int bits) {
        return new Instruction(
                InstructionClass.ALU.bits() | Source.X.bits() | AluOp.END.bits(), dst.number(), 0, 0, bits);
    }

    /** {@code dst = bswap16/32/64 dst}: unconditional byte swap (cpu v4, ALU64 | END). */
    public static Instruction byteSwap(Register dst, int bits) {
        return new Instruction(InstructionClass.ALU64.bits() | AluOp.END.bits(), dst.number(), 0, 0, bits);
    }

    // ---- loads and stores ------------------------------------------------------------------

    /** {@code dst = imm64}: the two-slot 64-bit constant load. */
    public static Instruction ldImm64(Register dst, long value) {
        return ldImm64(dst, LoadSource.CONSTANT, value);
    }

    /** LD_IMM64 with a pseudo source: {@code value} is interpreted as {@code source} says. */
    public static Instruction ldImm64(Register dst, LoadSource source, long value) {
        return new Instruction(LD_IMM64, dst.number(), source.value(), 0, value);
    }

    /** {@code dst = map[fd]}: the address of the map with file descriptor {@code fd} (BPF_PSEUDO_MAP_FD). */
    public static Instruction ldMapFd(Register dst, int fd) {
        return ldImm64(dst, LoadSource.MAP_FD, Integer.toUnsignedLong(fd));
    }

    /** {@code dst = &map[fd].value + offset}: an address inside an array map's value (BPF_PSEUDO_MAP_VALUE). */
    public static Instruction ldMapValue(Register dst, int fd, int offset) {
        return ldImm64(dst, LoadSource.MAP_VALUE, ((long) offset << 32) | Integer.toUnsignedLong(fd));
    }

    /** Legacy {@code r0 = ntoh(*(size *)(skb + imm))} (LD | ABS). */
    public static Instruction ldAbs(Size size, int imm) {
        return new Instruction(InstructionClass.LD.bits() | Mode.ABS.bits() | size.bits(), 0, 0, 0, imm);
    }

    /** Legacy {@code r0 = ntoh(*(size *)(skb + src + imm))} (LD | IND). */
    public static Instruction ldInd(Size size, Register src, int imm) {
        return new Instruction(InstructionClass.LD.bits() | Mode.IND.bits() | size.bits(), 0, src.number(), 0, imm);
    }

    /** {@code dst = *(size *)(base + offset)}, zero-extending. */
    public static Instruction ldx(Size size, Register dst, Register base, int offset) {
        return new Instruction(
                InstructionClass.LDX.bits() | Mode.MEM.bits() | size.bits(), dst.number(), base.number(), offset, 0);
    }

    /** {@code dst = *(s8|s16|s32 *)(base + offset)}, sign-extending (cpu v4, MEMSX; not DW). */
    public static Instruction ldxSigned(Size size, Register dst, Register base, int offset) {
        return new Instruction(
                InstructionClass.LDX.bits() | Mode.MEMSX.bits() | size.bits(), dst.number(), base.number(), offset, 0);
    }

    public static Instruction ldxB(Register dst, Register base, int offset) {
        return ldx(Size.B, dst, base, offset);
    }

    public static Instruction ldxH(Register dst, Register base, int offset) {
        return ldx(Size.H, dst, base, offset);
    }

    public static Instruction ldxW(Register dst, Register base, int offset) {
        return ldx(Size.W, dst, base, offset);
    }

    public static Instruction ldxDW(Register dst, Register base, int offset) {
        return ldx(Size.DW, dst, base, offset);
    }

    /** {@code *(size *)(base + offset) = imm} (ST | MEM). */
    public static Instruction st(Size size, Register base, int offset, int imm) {
        return new Instruction(
                InstructionClass.ST.bits() | Mode.MEM.bits() | size.bits(), base.number(), 0, offset, imm);
    }

    /** {@code *(size *)(base + offset) = src} (STX | MEM). */
    public static Instruction stx(Size size, Register base, int offset, Register src) {
        return new Instruction(
                InstructionClass.STX.bits() | Mode.MEM.bits() | size.bits(), base.number(), src.number(), offset, 0);
    }

    public static Instruction stxB(Register base, int offset, Register src) {
        return stx(Size.B, base, offset, src);
    }

    public static Instruction stxH(Register base, int offset, Register src) {
        return stx(Size.H, base, offset, src);
    }

    public static Instruction stxW(Register base, int offset, Register src) {
        return stx(Size.W, base, offset, src);
    }

    public static Instruction stxDW(Register base, int offset, Register src) {
        return stx(Size.DW, base, offset, src);
    }

    /**
     * An atomic operation on {@code *(size *)(base + offset)} with operand {@code src} (STX | ATOMIC).
     * Fetching variants put the old value in src; CMPXCHG compares with r0 and puts the old value there.
     */
    public static Instruction atomic(AtomicOp op, Size size, Register base, int offset, Register src) {
        return new Instruction(
                InstructionClass.STX.bits() | Mode.ATOMIC.bits() | size.bits(),
                base.number(),
                src.number(),
                offset,
                op.imm());
    }

    /** {@code lock *(size *)(base + offset) += src}, size W or DW. */
    public static Instruction atomicAdd(Size size, Register base, int offset, Register src) {
        return atomic(AtomicOp.ADD, size, base, offset, src);
    }

    /** {@code src = atomic_fetch_add((size *)(base + offset), src)}, size W or DW. */
    public static Instruction atomicFetchAdd(Size size, Register base, int offset, Register src) {
        return atomic(AtomicOp.FETCH_ADD, size, base, offset, src);
    }

    /** {@code src = atomic_xchg((size *)(base + offset), src)}, size W or DW. */
    public static Instruction atomicXchg(Size size, Register base, int offset, Register src) {
        return atomic(AtomicOp.XCHG, size, base, offset, src);
    }

    /** {@code r0 = atomic_cmpxchg((size *)(base + offset), r0, src)}, size W or DW. */
    public static Instruction atomicCmpxchg(Size size, Register base, int offset, Register src) {
        return atomic(AtomicOp.CMPXCHG, size, base, offset, src);
    }

    /** {@code dst = load_acquire((size *)(base + offset))} (kernel 6.15): note the base is in the src field. */
    public static Instruction loadAcquire(Size size, Register dst, Register base, int offset) {
        return new Instruction(
                InstructionClass.STX.bits() | Mode.ATOMIC.bits() | size.bits(),
                dst.number(),
                base.number(),
                offset,
                AtomicOp.LOAD_ACQUIRE.imm());
    }

    /** {@code store_release((size *)(base + offset), src)} (kernel 6.15). */
    public static Instruction storeRelease(Size size, Register base, int offset, Register src) {
        return atomic(AtomicOp.STORE_RELEASE, size, base, offset, src);
    }

    // ---- jumps, calls, exit ----------------------------------------------------------------

    /** {@code if dst op imm goto pc+offset} on 64 bits. */
    public static Instruction jump(JumpOp op, Register dst, int imm, int offset) {
        return conditional(InstructionClass.JMP, op, dst, imm, offset);
    }

    /** {@code if dst op src goto pc+offset} on 64 bits. */
    public static Instruction jump(JumpOp op, Register dst, Register src, int offset) {
        return conditional(InstructionClass.JMP, op, dst, src, offset);
    }

    /** {@code if w_dst op imm goto pc+offset}: compares the low 32 bits (JMP32). */
    public static Instruction jump32(JumpOp op, Register dst, int imm, int offset) {
        return conditional(InstructionClass.JMP32, op, dst, imm, offset);
    }

    /** {@code if w_dst op w_src goto pc+offset}: compares the low 32 bits (JMP32). */
    public static Instruction jump32(JumpOp op, Register dst, Register src, int offset) {
        return conditional(InstructionClass.JMP32, op, dst, src, offset);
    }

    private static Instruction conditional(InstructionClass cls, JumpOp op, Register dst, int imm, int offset) {
        requireConditional(op);
        return new Instruction(cls.bits() | Source.K.bits() | op.bits(), dst.number(), 0, offset, imm);
    }

    private static Instruction conditional(InstructionClass cls, JumpOp op, Register dst, Register src, int offset) {
        requireConditional(op);
        return new Instruction(cls.bits() | Source.X.bits() | op.bits(), dst.number(), src.number(), offset, 0);
    }

    private static void requireConditional(JumpOp op) {
        if (!op.isConditional()) {
            throw new IllegalArgumentException(op + " is not a conditional jump");
        }
    }

    public static Instruction jeqImm(Register dst, int imm, int offset) {
        return jump(JumpOp.JEQ, dst, imm, offset);
    }

    public static Instruction jeqReg(Register dst, Register src, int offset) {
        return jump(JumpOp.JEQ, dst, src, offset);
    }

    public static Instruction jneImm(Register dst, int imm, int offset) {
        return jump(JumpOp.JNE, dst, imm, offset);
    }

    public static Instruction jneReg(Register dst, Register src, int offset) {
        return jump(JumpOp.JNE, dst, src, offset);
    }

    public static Instruction jgtImm(Register dst, int imm, int offset) {
        return jump(JumpOp.JGT, dst, imm, offset);
    }

    public static Instruction jgtReg(Register dst, Register src, int offset) {
        return jump(JumpOp.JGT, dst, src, offset);
    }

    public static Instruction jgeImm(Register dst, int imm, int offset) {
        return jump(JumpOp.JGE, dst, imm, offset);
    }

    public static Instruction jgeReg(Register dst, Register src, int offset) {
        return jump(JumpOp.JGE, dst, src, offset);
    }

    public static Instruction jltImm(Register dst, int imm, int offset) {
        return jump(JumpOp.JLT, dst, imm, offset);
    }

    public static Instruction jltReg(Register dst, Register src, int offset) {
        return jump(JumpOp.JLT, dst, src, offset);
    }

    public static Instruction jleImm(Register dst, int imm, int offset) {
        return jump(JumpOp.JLE, dst, imm, offset);
    }

    public static Instruction jleReg(Register dst, Register src, int offset) {
        return jump(JumpOp.JLE, dst, src, offset);
    }

    public static Instruction jsetImm(Register dst, int imm, int offset) {
        return jump(JumpOp.JSET, dst, imm, offset);
    }

    public static Instruction jsetReg(Register dst, Register src, int offset) {
        return jump(JumpOp.JSET, dst, src, offset);
    }

    public static Instruction jsgtImm(Register dst, int imm, int offset) {
        return jump(JumpOp.JSGT, dst, imm, offset);
    }

    public static Instruction jsgeImm(Register dst, int imm, int offset) {
        return jump(JumpOp.JSGE, dst, imm, offset);
    }

    public static Instruction jsltImm(Register dst, int imm, int offset) {
        return jump(JumpOp.JSLT, dst, imm, offset);
    }

    public static Instruction jsleImm(Register dst, int imm, int offset) {
        return jump(JumpOp.JSLE, dst, imm, offset);
    }

    /** {@code goto pc+offset}: unconditional jump with a 16-bit offset (JMP | JA). */
    public static Instruction ja(int offset) {
        return new Instruction(InstructionClass.JMP.bits() | JumpOp.JA.bits(), 0, 0, offset, 0);
    }

    /** {@code gotol pc+offset}: unconditional jump with a 32-bit offset in imm (cpu v4, JMP32 | JA). */
    public static Instruction gotol(int offset) {
        return new Instruction(InstructionClass.JMP32.bits() | JumpOp.JA.bits(), 0, 0, 0, offset);
    }

    /** {@code may_goto pc+offset}: jumps once the kernel's loop budget is spent (JMP | JCOND, kernel 6.9). */
    public static Instruction mayGoto(int offset) {
        return new Instruction(InstructionClass.JMP.bits() | JumpOp.JCOND.bits(), 0, 0, offset, 0);
    }

    /** {@code call helper}. */
    public static Instruction call(Helper helper) {
        return callHelper(helper.id());
    }

    /** {@code call} the helper with id {@code helperId} (for helpers this enum may not know). */
    public static Instruction callHelper(int helperId) {
        return new Instruction(
                InstructionClass.JMP.bits() | JumpOp.CALL.bits(), 0, CallKind.HELPER.value(), 0, helperId);
    }

    /** {@code call pc+offset}: a BPF-to-BPF call of the subprogram starting {@code offset} slots after the next. */
    public static Instruction callSubprogram(int offset) {
        return new Instruction(
                InstructionClass.JMP.bits() | JumpOp.CALL.bits(), 0, CallKind.SUBPROGRAM.value(), 0, offset);
    }

    /** {@code call} the kernel function with BTF id {@code btfId}; {@code btfFdIndex} 0 means vmlinux BTF. */
    public static Instruction callKfunc(int btfId, int btfFdIndex) {
        return new Instruction(
                InstructionClass.JMP.bits() | JumpOp.CALL.bits(), 0, CallKind.KFUNC.value(), btfFdIndex, btfId);
    }

    /** {@code exit}: return r0. */
    public static Instruction exit() {
        return new Instruction(InstructionClass.JMP.bits() | JumpOp.EXIT.bits(), 0, 0, 0, 0);
    }
}
