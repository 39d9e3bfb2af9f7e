package org.levee.ebpf.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.asm.Size;
import org.levee.testing.Requirements;

class ElfObjectTest {

    /** A small XDP rule program: a patchable constant, a counter map, labels, a helper call. */
    static BpfObject sample() {
        AssembledProgram xdp = new Assembler()
                .emit(mov64(R6, R1))
                .ldImm64(R1, "rule_7_enabled")
                .jeqImm(R1, 0, "pass")
                .emit(mov64(R1, 7), stxW(R10, -4, R1), mov64(R2, R10), add64(R2, -4))
                .ldMap(R1, "counters")
                .emit(call(Helper.MAP_LOOKUP_ELEM))
                .jeqImm(R0, 0, "drop")
                .emit(mov64(R1, 1), atomicAdd(Size.DW, R0, 0, R1))
                .label("drop")
                .emit(mov64(R0, 1), exit())
                .label("pass")
                .emit(mov64(R0, 2), exit())
                .assemble();
        AssembledProgram hook =
                new Assembler().ldImm64(R0, "default_action").emit(exit()).assemble();
        return new BpfObject(
                "GPL",
                List.of(
                        new ProgramSection("xdp", "levee_rules", xdp),
                        new ProgramSection("xdp/hook", "levee_hook", hook)),
                List.of(
                        new MapDefinition("counters", 2, 4, 8, 64, 0),
                        new MapDefinition("samples", 27, 0, 0, 1 << 20, 0)),
                List.of(new PatchableConstant("rule_7_enabled", 1)),
                List.of(new DataSection(".levee.rules", "{\"id\":7}".getBytes(StandardCharsets.UTF_8))));
    }

    /** A rule program guarded by its constant: {@code if r9 >= 0 goto pass}, kept while rule_7_enabled is 0. */
    static BpfObject guarded() {
        AssembledProgram xdp = new Assembler()
                .emit(ldxW(R2, R1, 0), ldxW(R9, R1, 4), sub64(R9, R2)) // r9 = packet length, a number
                .enableGuard(R9, "rule_7_enabled", "pass")
                .ldMap(R1, "counters")
                .emit(mov64(R0, 1), exit())
                .label("pass")
                .emit(mov64(R0, 2), exit())
                .assemble();
        return new BpfObject(
                "GPL",
                List.of(new ProgramSection("xdp", "levee_rules", xdp)),
                List.of(new MapDefinition("counters", 2, 4, 8, 64, 0)),
                List.of(new PatchableConstant("rule_7_enabled", 0)),
                List.of());
    }

    @Test
    void guardsRoundTripInTheirDisabledFormWithAnRBpfNoneRelocation(@TempDir Path dir) throws Exception {
        BpfObject object = guarded();
        byte[] bytes = ElfWriter.write(object);
        assertThat(ElfReader.read(bytes)).isEqualTo(object);
        assertThat(ElfReader.read(bytes).program("xdp").program().instructions().get(3))
                .as("the file keeps the jump and its distance")
                .isEqualTo(jump(org.levee.ebpf.asm.JumpOp.JGE, R9, 0, 4));

        Requirements.command("readelf");
        Path file = dir.resolve("guarded.o");
        Files.write(file, bytes);
        String out = run("readelf", "-W", "-r", file.toString());
        assertThat(out)
                .doesNotContainIgnoringCase("warning")
                .doesNotContainIgnoringCase("error")
                .containsPattern("0+18\\s+[0-9a-f]{8}0{8} R_BPF_NONE\\s+0+ rule_7_enabled")
                .containsPattern("0+20\\s+[0-9a-f]{8}0{7}1 R_BPF_(64_64|INSN_64)\\s+0+ counters");
    }

    @Test
    void roundTrips() {
        BpfObject object = sample();
        byte[] bytes = ElfWriter.write(object);
        assertThat(ElfReader.read(bytes)).isEqualTo(object);
        // Deterministic: the same object always gives the same bytes.
        assertThat(ElfWriter.write(ElfReader.read(bytes))).isEqualTo(bytes);
    }

    @Test
    void readelfReadsItWithoutComplaint(@TempDir Path dir) throws Exception {
        Requirements.command("readelf");
        Path file = dir.resolve("rules.o");
        Files.write(file, ElfWriter.write(sample()));

        String out = run("readelf", "-W", "-h", "-S", "-s", "-r", file.toString());

        assertThat(out)
                .contains("ELF64", "REL (Relocatable file)", "Linux BPF")
                .doesNotContainIgnoringCase("warning")
                .doesNotContainIgnoringCase("error");
        assertThat(out)
                .containsPattern("\\] xdp\\s+PROGBITS\\s+0+\\s+[0-9a-f]+\\s+0+90\\s+00\\s+AX")
                .containsPattern("\\] \\.relxdp\\s+REL\\s")
                .containsPattern("\\] license\\s+PROGBITS")
                .containsPattern("\\] maps\\s+PROGBITS\\s+0+\\s+[0-9a-f]+\\s+0+28 ")
                .containsPattern("\\] \\.levee\\.rules\\s+PROGBITS");
        assertThat(out)
                .containsPattern("144 FUNC\\s+GLOBAL DEFAULT\\s+\\d+ levee_rules")
                .containsPattern("20 OBJECT\\s+GLOBAL DEFAULT\\s+\\d+ counters")
                .containsPattern("8 OBJECT\\s+GLOBAL DEFAULT\\s+\\d+ rule_7_enabled")
                .containsPattern("0 NOTYPE\\s+GLOBAL DEFAULT\\s+UND default_action")
                .containsPattern("NOTYPE\\s+LOCAL\\s+DEFAULT\\s+\\d+ drop");
        // binutils calls R_BPF_64_64 (type 1) R_BPF_INSN_64.
        assertThat(out)
                .containsPattern("0+8\\s+[0-9a-f]{8}0{7}1 R_BPF_(64_64|INSN_64)\\s+0+ rule_7_enabled")
                .containsPattern("0+40\\s+[0-9a-f]{8}0{7}1 R_BPF_(64_64|INSN_64)\\s+0+ counters");
    }

    @Test
    void llvmObjdumpDisassemblesTheRightInstructions(@TempDir Path dir) throws Exception {
        Requirements.command("llvm-objdump");
        Path file = dir.resolve("rules.o");
        Files.write(file, ElfWriter.write(sample()));

        String out = run("llvm-objdump", "-d", "-r", "--no-show-raw-insn", file.toString());

        assertThat(out).doesNotContainIgnoringCase("warning").doesNotContainIgnoringCase("error");
        List<String> xdp = instructionsOf(out, "xdp");
        assertThat(xdp)
                .containsExactly(
                        "r6 = r1",
                        "r1 = 0 ll",
                        "R_BPF_64_64 rule_7_enabled",
                        "if r1 == 0 goto +12 <pass>",
                        "r1 = 7",
                        "*(u32 *)(r10 - 4) = r1",
                        "r2 = r10",
                        "r2 += -4",
                        "r1 = 0 ll",
                        "R_BPF_64_64 counters",
                        "call 1",
                        "if r0 == 0 goto +2 <drop>",
                        "r1 = 1",
                        "lock *(u64 *)(r0 + 0) += r1",
                        "r0 = 1",
                        "exit",
                        "r0 = 2",
                        "exit");
    }

    /** The instruction texts (and relocation lines) of one section in llvm-objdump's output. */
    private static List<String> instructionsOf(String objdump, String section) {
        List<String> lines = new ArrayList<>();
        boolean inSection = false;
        for (String line : objdump.lines().toList()) {
            if (line.startsWith("Disassembly of section ")) {
                inSection = line.equals("Disassembly of section " + section + ":");
            } else if (inSection && line.matches("\\s+\\d+:\\s+.*")) {
                lines.add(line.replaceFirst("\\s+\\d+:\\s+", "")
                        .replaceAll("\\s+", " ")
                        .trim());
            }
        }
        return lines;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS))
                .as("%s finishes", command[0])
                .isTrue();
        assertThat(process.exitValue())
                .as("%s exit status; output:%n%s", command[0], out)
                .isZero();
        return out;
    }
}
