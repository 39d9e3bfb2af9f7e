package org.levee.ebpf.elf;

/**
 * A named 64-bit constant that programs load with LD_IMM64 and a loader sets before loading,
 * e.g. {@code rule_7_enabled}: an 8-byte OBJECT symbol in the {@code .levee.constants} section
 * holding the default value. The kernel's verifier sees the patched value as a known constant and
 * removes the branches it makes dead.
 *
 * @param name         the symbol, the name relocations use
 * @param defaultValue the value when the loader is given none
 */
public record PatchableConstant(String name, long defaultValue) {
    /** Bytes of one constant in its section. */
    public static final int SIZE = 8;

    public PatchableConstant {
        Names.require("constant", name);
    }
}
