package org.levee.ebpf;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * What the kernel reports about a loaded program ({@code struct bpf_prog_info}): the tag is the
 * SHA-1 prefix of the instructions as loaded, the translated (xlated) code is what the verifier
 * and rewrites produced, the JIT length the size of native code.
 */
public record ProgramInfo(
        ProgramType type,
        int id,
        String name,
        byte[] tag,
        int xlatedLength,
        int jitedLength,
        int verifiedInstructions,
        List<Integer> mapIds,
        byte[] xlated) {
    public String tagHex() {
        return HexFormat.of().formatHex(tag);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProgramInfo i
                && i.type == type
                && i.id == id
                && i.name.equals(name)
                && Arrays.equals(i.tag, tag)
                && i.xlatedLength == xlatedLength
                && i.jitedLength == jitedLength
                && i.verifiedInstructions == verifiedInstructions
                && i.mapIds.equals(mapIds)
                && Arrays.equals(i.xlated, xlated);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                type, id, name, Arrays.hashCode(tag), xlatedLength, jitedLength, verifiedInstructions, mapIds);
    }

    @Override
    public String toString() {
        return "ProgramInfo[" + type + " id=" + id + " name='" + name + "' tag=" + tagHex() + " xlated=" + xlatedLength
                + " B jited=" + jitedLength + " B verified=" + verifiedInstructions + " insns maps=" + mapIds + "]";
    }
}
