package org.levee.ebpf.asm;

/** Access width of a load or store: bits 3–4 of the opcode. */
public enum Size {
    W(0x00, 4),
    H(0x08, 2),
    B(0x10, 1),
    DW(0x18, 8);

    /** Mask of the size bits in an opcode. */
    public static final int MASK = 0x18;

    private final int bits;
    private final int bytes;

    Size(int bits, int bytes) {
        this.bits = bits;
        this.bytes = bytes;
    }

    public int bits() {
        return bits;
    }

    /** Width in bytes: 1, 2, 4 or 8. */
    public int bytes() {
        return bytes;
    }

    /** The size of a load/store opcode; every 2-bit value is a size. */
    public static Size of(int opcode) {
        return switch (opcode & MASK) {
            case 0x00 -> W;
            case 0x08 -> H;
            case 0x10 -> B;
            default -> DW;
        };
    }

    /** The size with {@code bytes} bytes (1, 2, 4, 8). */
    public static Size ofBytes(int bytes) {
        return switch (bytes) {
            case 1 -> B;
            case 2 -> H;
            case 4 -> W;
            case 8 -> DW;
            default -> throw new IllegalArgumentException("no access size of " + bytes + " bytes (1, 2, 4 or 8)");
        };
    }
}
