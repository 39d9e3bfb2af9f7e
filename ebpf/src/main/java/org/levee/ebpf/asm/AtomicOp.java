package org.levee.ebpf.asm;

import java.util.Optional;

/**
 * Operation of an STX | ATOMIC instruction, carried in its immediate. The read-modify-write
 * operations exist for W and DW; with {@link #FETCH} they return the old value in src
 * (CMPXCHG in R0). Load-acquire and store-release (kernel 6.15) exist for every size.
 */
public enum AtomicOp {
    ADD(0x00, "add", "+="),
    OR(0x40, "or", "|="),
    AND(0x50, "and", "&="),
    XOR(0xa0, "xor", "^="),
    FETCH_ADD(0x01, "add", null),
    FETCH_OR(0x41, "or", null),
    FETCH_AND(0x51, "and", null),
    FETCH_XOR(0xa1, "xor", null),
    XCHG(0xe1, "xchg", null),
    CMPXCHG(0xf1, "cmpxchg", null),
    LOAD_ACQUIRE(0x100, "load_acquire", null),
    STORE_RELEASE(0x110, "store_release", null);

    /** The BPF_FETCH flag: the operation returns the old value. */
    public static final int FETCH = 0x01;

    private final int imm;
    private final String name;
    private final String lockSymbol;

    AtomicOp(int imm, String name, String lockSymbol) {
        this.imm = imm;
        this.name = name;
        this.lockSymbol = lockSymbol;
    }

    /** The value of the instruction's immediate. */
    public int imm() {
        return imm;
    }

    /** True if the old memory value is returned (all but the plain ADD/OR/AND/XOR and acquire/release). */
    public boolean fetches() {
        return (imm & FETCH) != 0;
    }

    /** True for the operations defined only for W and DW. */
    public boolean isReadModifyWrite() {
        return this != LOAD_ACQUIRE && this != STORE_RELEASE;
    }

    /** The operation's name in the kernel's disassembly: add, or, and, xor, xchg, cmpxchg, load_acquire, store_release. */
    String mnemonic() {
        return name;
    }

    /** For the non-fetching operations, the compound operator of {@code lock *(u64 *)(r1 +0) += r2}. */
    String lockSymbol() {
        return lockSymbol;
    }

    /** The operation whose immediate is {@code imm}, if any. */
    public static Optional<AtomicOp> of(int imm) {
        for (AtomicOp op : values()) {
            if (op.imm == imm) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }
}
