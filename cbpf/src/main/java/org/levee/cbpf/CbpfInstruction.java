package org.levee.cbpf;

/**
 * One classic BPF instruction, {@code struct sock_filter} of Linux's {@code <linux/filter.h>}:
 * a 16-bit opcode, two 8-bit conditional jump offsets and a 32-bit constant.
 *
 * <p>{@code k} is stored as a Java {@code int} but is an unsigned 32-bit value everywhere it
 * matters (offsets, comparisons, division). Jump offsets are relative to the next instruction.
 *
 * <p>The constants below are the opcode fields of {@code <linux/bpf_common.h>} and
 * {@code <linux/filter.h>}; an opcode is {@code class | size | mode} for loads,
 * {@code ALU | op | source} for arithmetic, {@code JMP | op | source} for jumps and
 * {@code RET | rval} for returns. The factory methods build every instruction the kernel accepts.
 *
 * @param code the opcode, 0..0xffff
 * @param jt   the jump offset when a conditional jump is taken, 0..255
 * @param jf   the jump offset when it is not, 0..255
 * @param k    the constant (unsigned 32-bit)
 */
public record CbpfInstruction(int code, int jt, int jf, int k) {

    // Instruction classes (the low 3 bits).
    public static final int LD = 0x00;
    public static final int LDX = 0x01;
    public static final int ST = 0x02;
    public static final int STX = 0x03;
    public static final int ALU = 0x04;
    public static final int JMP = 0x05;
    public static final int RET = 0x06;
    public static final int MISC = 0x07;

    // Load sizes.
    public static final int W = 0x00;
    public static final int H = 0x08;
    public static final int B = 0x10;

    // Load modes.
    public static final int IMM = 0x00;
    public static final int ABS = 0x20;
    public static final int IND = 0x40;
    public static final int MEM = 0x60;
    public static final int LEN = 0x80;
    public static final int MSH = 0xa0;

    // ALU operations.
    public static final int ADD = 0x00;
    public static final int SUB = 0x10;
    public static final int MUL = 0x20;
    public static final int DIV = 0x30;
    public static final int OR = 0x40;
    public static final int AND = 0x50;
    public static final int LSH = 0x60;
    public static final int RSH = 0x70;
    public static final int NEG = 0x80;
    public static final int MOD = 0x90;
    public static final int XOR = 0xa0;

    // Jump operations.
    public static final int JA = 0x00;
    public static final int JEQ = 0x10;
    public static final int JGT = 0x20;
    public static final int JGE = 0x30;
    public static final int JSET = 0x40;

    // Operand sources: K (the constant) or X for ALU and jumps; K or A for RET.
    public static final int K = 0x00;
    public static final int X = 0x08;
    public static final int A = 0x10;

    // MISC operations.
    public static final int TAX = 0x00;
    public static final int TXA = 0x80;

    /** Scratch memory words M[0..15] ({@code BPF_MEMWORDS}). */
    public static final int MEMORY_WORDS = 16;

    public CbpfInstruction {
        if (code < 0 || code > 0xffff) {
            throw new IllegalArgumentException("code must be 0..65535 (16 bits), got " + code);
        }
        if (jt < 0 || jt > 0xff) {
            throw new IllegalArgumentException("jt must be 0..255 (8 bits), got " + jt);
        }
        if (jf < 0 || jf > 0xff) {
            throw new IllegalArgumentException("jf must be 0..255 (8 bits), got " + jf);
        }
    }

    // ---- Decoding the opcode ----

    /** The class: one of LD, LDX, ST, STX, ALU, JMP, RET, MISC. */
    public int opClass() {
        return code & 0x07;
    }

    /** The load size (W, H or B) of a load. */
    public int opSize() {
        return code & 0x18;
    }

    /** The addressing mode (IMM, ABS, IND, MEM, LEN, MSH) of a load. */
    public int opMode() {
        return code & 0xe0;
    }

    /** The ALU or jump operation (e.g. ADD, JEQ). */
    public int op() {
        return code & 0xf0;
    }

    /** The operand source of an ALU operation or jump: K or X. */
    public int src() {
        return code & 0x08;
    }

    /** What a RET returns: K or A. */
    public int rval() {
        return code & 0x18;
    }

    /** The MISC operation: TAX or TXA. */
    public int miscOp() {
        return code & 0xf8;
    }

    /** {@code k} as the unsigned 32-bit value it is. */
    public long unsignedK() {
        return Integer.toUnsignedLong(k);
    }

    public boolean isReturn() {
        return opClass() == RET;
    }

    public boolean isJump() {
        return opClass() == JMP;
    }

    /** A JEQ, JGT, JGE or JSET (anything in the JMP class but JA). */
    public boolean isConditionalJump() {
        return opClass() == JMP && op() != JA;
    }

    // ---- Loads into A ----

    /** {@code ld [k]}: A = 32-bit big-endian word at packet offset k. */
    public static CbpfInstruction ldAbsW(int k) {
        return stmt(LD | W | ABS, k);
    }

    /** {@code ldh [k]}: A = 16-bit big-endian half word at packet offset k. */
    public static CbpfInstruction ldAbsH(int k) {
        return stmt(LD | H | ABS, k);
    }

    /** {@code ldb [k]}: A = byte at packet offset k. */
    public static CbpfInstruction ldAbsB(int k) {
        return stmt(LD | B | ABS, k);
    }

    /** {@code ld [x + k]}. */
    public static CbpfInstruction ldIndW(int k) {
        return stmt(LD | W | IND, k);
    }

    /** {@code ldh [x + k]}. */
    public static CbpfInstruction ldIndH(int k) {
        return stmt(LD | H | IND, k);
    }

    /** {@code ldb [x + k]}. */
    public static CbpfInstruction ldIndB(int k) {
        return stmt(LD | B | IND, k);
    }

    /** {@code ld #k}: A = k. */
    public static CbpfInstruction ldImm(int k) {
        return stmt(LD | W | IMM, k);
    }

    /** {@code ld #len}: A = the packet's length on the wire. */
    public static CbpfInstruction ldLen() {
        return stmt(LD | W | LEN, 0);
    }

    /** {@code ld M[i]}: A = scratch word i. */
    public static CbpfInstruction ldMem(int i) {
        return stmt(LD | W | MEM, i);
    }

    // ---- Loads into X ----

    /** {@code ldx #k}: X = k. */
    public static CbpfInstruction ldxImm(int k) {
        return stmt(LDX | W | IMM, k);
    }

    /** {@code ldx #len}: X = the packet's length on the wire. */
    public static CbpfInstruction ldxLen() {
        return stmt(LDX | W | LEN, 0);
    }

    /** {@code ldx M[i]}: X = scratch word i. */
    public static CbpfInstruction ldxMem(int i) {
        return stmt(LDX | W | MEM, i);
    }

    /** {@code ldxb 4*([k]&0xf)}: X = the IPv4 header length whose first byte is at offset k. */
    public static CbpfInstruction ldxMsh(int k) {
        return stmt(LDX | B | MSH, k);
    }

    // ---- Stores ----

    /** {@code st M[i]}: scratch word i = A. */
    public static CbpfInstruction st(int i) {
        return stmt(ST, i);
    }

    /** {@code stx M[i]}: scratch word i = X. */
    public static CbpfInstruction stx(int i) {
        return stmt(STX, i);
    }

    // ---- ALU ----

    /** {@code <op> #k}: A = A op k, for op one of ADD SUB MUL DIV OR AND LSH RSH MOD XOR. */
    public static CbpfInstruction aluK(int op, int k) {
        return stmt(ALU | op | K, k);
    }

    /** {@code <op> x}: A = A op X, for op one of ADD SUB MUL DIV OR AND LSH RSH MOD XOR. */
    public static CbpfInstruction aluX(int op) {
        return stmt(ALU | op | X, 0);
    }

    /** {@code neg}: A = -A. */
    public static CbpfInstruction neg() {
        return stmt(ALU | NEG, 0);
    }

    public static CbpfInstruction addK(int k) {
        return aluK(ADD, k);
    }

    public static CbpfInstruction subK(int k) {
        return aluK(SUB, k);
    }

    public static CbpfInstruction mulK(int k) {
        return aluK(MUL, k);
    }

    public static CbpfInstruction divK(int k) {
        return aluK(DIV, k);
    }

    public static CbpfInstruction modK(int k) {
        return aluK(MOD, k);
    }

    public static CbpfInstruction andK(int k) {
        return aluK(AND, k);
    }

    public static CbpfInstruction orK(int k) {
        return aluK(OR, k);
    }

    public static CbpfInstruction xorK(int k) {
        return aluK(XOR, k);
    }

    public static CbpfInstruction lshK(int k) {
        return aluK(LSH, k);
    }

    public static CbpfInstruction rshK(int k) {
        return aluK(RSH, k);
    }

    // ---- Jumps ----

    /** {@code ja +k}: always jump k instructions forward. */
    public static CbpfInstruction ja(int k) {
        return stmt(JMP | JA, k);
    }

    /** {@code <op> #k jt jf}, for op one of JEQ JGT JGE JSET. */
    public static CbpfInstruction jmpK(int op, int k, int jt, int jf) {
        return new CbpfInstruction(JMP | op | K, jt, jf, k);
    }

    /** {@code <op> x jt jf}, for op one of JEQ JGT JGE JSET. */
    public static CbpfInstruction jmpX(int op, int jt, int jf) {
        return new CbpfInstruction(JMP | op | X, jt, jf, 0);
    }

    public static CbpfInstruction jeqK(int k, int jt, int jf) {
        return jmpK(JEQ, k, jt, jf);
    }

    public static CbpfInstruction jgtK(int k, int jt, int jf) {
        return jmpK(JGT, k, jt, jf);
    }

    public static CbpfInstruction jgeK(int k, int jt, int jf) {
        return jmpK(JGE, k, jt, jf);
    }

    public static CbpfInstruction jsetK(int k, int jt, int jf) {
        return jmpK(JSET, k, jt, jf);
    }

    public static CbpfInstruction jeqX(int jt, int jf) {
        return jmpX(JEQ, jt, jf);
    }

    public static CbpfInstruction jgtX(int jt, int jf) {
        return jmpX(JGT, jt, jf);
    }

    public static CbpfInstruction jgeX(int jt, int jf) {
        return jmpX(JGE, jt, jf);
    }

    public static CbpfInstruction jsetX(int jt, int jf) {
        return jmpX(JSET, jt, jf);
    }

    // ---- Returns and register moves ----

    /** {@code ret #k}: accept k bytes of the packet (0 = no match). */
    public static CbpfInstruction retK(int k) {
        return stmt(RET | K, k);
    }

    /** {@code ret a}: return A. */
    public static CbpfInstruction retA() {
        return stmt(RET | A, 0);
    }

    /** {@code tax}: X = A. */
    public static CbpfInstruction tax() {
        return stmt(MISC | TAX, 0);
    }

    /** {@code txa}: A = X. */
    public static CbpfInstruction txa() {
        return stmt(MISC | TXA, 0);
    }

    private static CbpfInstruction stmt(int code, int k) {
        return new CbpfInstruction(code, 0, 0, k);
    }

    /** The four numbers as tcpdump -ddd prints them: {@code code jt jf k}, k unsigned. */
    @Override
    public String toString() {
        return code + " " + jt + " " + jf + " " + Integer.toUnsignedString(k);
    }
}
