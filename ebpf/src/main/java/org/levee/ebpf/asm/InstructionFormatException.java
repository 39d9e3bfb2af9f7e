package org.levee.ebpf.asm;

/** Bytes that are not a valid eBPF instruction sequence; names the slot where decoding failed. */
public final class InstructionFormatException extends IllegalArgumentException {
    private final int slot;

    public InstructionFormatException(int slot, String problem) {
        super("slot " + slot + ": " + problem);
        this.slot = slot;
    }

    /** Index of the offending 8-byte slot. */
    public int slot() {
        return slot;
    }
}
