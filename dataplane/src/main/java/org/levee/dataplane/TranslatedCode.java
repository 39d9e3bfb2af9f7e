package org.levee.dataplane;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.Program;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.InstructionCodec;
import org.levee.ebpf.asm.LoadSource;

/**
 * A loaded program's code as the kernel runs it (its translated, "xlated", instructions), made
 * comparable between interfaces and machines: the kernel writes each map's id into the code, and
 * two attachments of one object have maps of their own, so every map id is replaced by the map's
 * position in {@link DataplaneMaps#ALL} (found by the map's name; -1 for a map that is not the
 * data plane's). Equal bytes mean the same instructions on the same maps: the check that every
 * edge of a data center runs the fleet's object byte for byte, whatever its local rules.
 */
public final class TranslatedCode {
    private TranslatedCode() {}

    /** The translated code of the program with id {@code programId}, map ids replaced. */
    public static byte[] of(int programId) {
        try (Program program = Program.fromId(programId)) {
            return withMapNames(program.info().xlated());
        }
    }

    /** {@code xlated} with each map id replaced by its map's position in {@link DataplaneMaps#ALL}. */
    public static byte[] withMapNames(byte[] xlated) {
        Map<Long, Long> positions = new HashMap<>();
        List<Instruction> out = new ArrayList<>();
        for (Instruction insn : InstructionCodec.decode(xlated)) {
            if (insn.isLdImm64() && insn.loadSource() == LoadSource.MAP_FD) {
                long id = insn.imm() & 0xffff_ffffL;
                long position = positions.computeIfAbsent(id, TranslatedCode::position);
                insn = insn.withImm((insn.imm() & ~0xffff_ffffL) | position);
            }
            out.add(insn);
        }
        return InstructionCodec.encode(out);
    }

    private static long position(long mapId) {
        String name;
        try (BpfMap map = BpfMap.fromId((int) mapId)) {
            name = map.info().name();
        }
        for (int i = 0; i < DataplaneMaps.ALL.size(); i++) {
            // the kernel keeps 15 characters of a map's name
            String full = DataplaneMaps.ALL.get(i).name();
            if (full.substring(0, Math.min(15, full.length())).equals(name)) {
                return i;
            }
        }
        return 0xffff_ffffL;
    }
}
