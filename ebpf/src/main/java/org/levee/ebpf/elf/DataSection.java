package org.levee.ebpf.elf;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A section of arbitrary bytes the loader does not interpret (e.g. rule metadata), written as a
 * non-allocated PROGBITS section.
 *
 * @param name section name
 * @param data contents (copied in and out)
 */
public record DataSection(String name, byte[] data) {
    public DataSection {
        Names.require("data section", name);
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    int size() {
        return data.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DataSection that && name.equals(that.name) && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        String hex = HexFormat.of().formatHex(data, 0, Math.min(data.length, 16));
        return "DataSection[" + name + ", " + data.length + " bytes: " + hex + (data.length > 16 ? "…" : "") + "]";
    }
}
