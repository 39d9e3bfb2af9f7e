package org.levee.ebpf.asm;

import java.util.Objects;

/**
 * An LD_IMM64 whose value is not known when the program is assembled: a patchable constant
 * (e.g. {@code rule_7_enabled}) or a map whose file descriptor exists only at load time.
 *
 * @param slot   slot index of the LD_IMM64 (its byte offset is {@code slot * 8})
 * @param symbol name of the constant or map
 * @param kind   what the value is
 */
public record Relocation(int slot, String symbol, Kind kind) {

    public enum Kind {
        /** The 64-bit value of the LD_IMM64 itself (src 0). */
        CONSTANT,
        /** A map file descriptor (src BPF_PSEUDO_MAP_FD). */
        MAP
    }

    public Relocation {
        if (slot < 0) {
            throw new IllegalArgumentException("relocation slot " + slot + " is negative");
        }
        Objects.requireNonNull(kind, "kind");
        Assembler.requireName("symbol", symbol);
    }

    @Override
    public String toString() {
        return (kind == Kind.MAP ? "map '" : "constant '") + symbol + "' at slot " + slot;
    }
}
