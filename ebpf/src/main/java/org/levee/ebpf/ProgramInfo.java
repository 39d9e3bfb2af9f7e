package org.levee.ebpf;

import java.util.HexFormat;
import java.util.List;

/**
 * What the kernel reports about a loaded program ({@code struct bpf_prog_info}): the tag is the
 * SHA-1 prefix of the instructions as loaded, the translated (xlated) code is what the verifier
 * and rewrites produced, the JIT length the size of native code.
 */
public record ProgramInfo(ProgramType type, int id, String name, byte[] tag, int xlatedLength, int jitedLength,
                          int verifiedInstructions, List<Integer> mapIds, byte[] xlated) {
    public String tagHex() {
        return HexFormat.of().formatHex(tag);
    }
}
