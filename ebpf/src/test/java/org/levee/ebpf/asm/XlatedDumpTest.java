package org.levee.ebpf.asm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramInfo;
import org.levee.ebpf.ProgramSpec;
import org.levee.testing.Requirements;

/** Programs read back from the kernel (xlated) decode, and disassemble as bpftool shows them. */
@Tag("kernel")
class XlatedDumpTest {

    @BeforeAll
    static void needsBpf() {
        Requirements.root();
    }

    @Test
    void mapLoadsComeBackWithTheMapId() {
        try (BpfMap map = BpfMap.create(MapSpec.array("xlated", 8, 4));
                Program program = load(List.of(ldMapFd(R1, map.fd()), mov64(R0, 0), exit()))) {
            List<Instruction> instructions =
                    InstructionCodec.decode(program.info().xlated());
            assertThat(instructions).hasSize(3);
            assertThat(instructions.getFirst().loadSource()).isEqualTo(LoadSource.MAP_FD);
            assertThat(instructions.subList(1, 3)).containsExactly(mov64(R0, 0), exit());
            assertThat(Disassembler.forKernelDump().disassemble(instructions))
                    .startsWith("0: (18) r1 = map[id:" + instructions.getFirst().imm() + "]\n");
        }
    }

    /** Programs of instructions bpftool 7.1 (Linux 6.1's disassembler) knows: no cpu v4. */
    static Stream<Arguments> programs() {
        return Stream.of(
                Arguments.of(
                        "alu and jumps",
                        new Assembler()
                                .emit(mov64(R0, 0), mov64(R1, 1))
                                .label("loop")
                                .emit(
                                        add64(R0, R1),
                                        add64(R1, 1),
                                        mov64(R2, R0),
                                        alu32(AluOp.XOR, R2, R1),
                                        lsh64(R2, 3),
                                        arsh64(R2, R1),
                                        toBigEndian(R2, 16),
                                        neg64(R2))
                                .jleImm(R1, 10, "loop")
                                .jump32(JumpOp.JSGT, R0, R1, "out")
                                .emit(mov32(R0, -1))
                                .label("out")
                                .emit(exit())
                                .assemble()
                                .instructions()),
                Arguments.of(
                        "stack and atomics",
                        List.of(
                                st(Size.DW, R10, -8, 10),
                                mov64(R1, 5),
                                atomicAdd(Size.DW, R10, -8, R1),
                                atomicFetchAdd(Size.DW, R10, -8, R1),
                                mov64(R0, 3),
                                mov64(R2, 4),
                                atomicCmpxchg(Size.DW, R10, -8, R2),
                                atomicXchg(Size.DW, R10, -8, R2),
                                stxW(R10, -12, R2),
                                atomic(AtomicOp.FETCH_OR, Size.W, R10, -12, R2),
                                ldxB(R0, R10, -12),
                                exit())),
                Arguments.of(
                        "64-bit constants",
                        List.of(ldImm64(R0, 0x1234_5678_9abc_def0L), ldImm64(R1, -1), add64(R0, R1), exit())),
                Arguments.of(
                        "helper calls",
                        List.of(
                                call(Helper.KTIME_GET_NS),
                                mov64(R6, R0),
                                call(Helper.GET_PRANDOM_U32),
                                add64(R0, R6),
                                exit())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void disassemblesLikeBpftool(String name, List<Instruction> program) throws Exception {
        assertSameTextAsBpftool(program);
    }

    /** An array lookup, which the verifier inlines into address arithmetic around the map's address. */
    @Test
    void inlinedMapLookupLikeBpftool() throws Exception {
        try (BpfMap map = BpfMap.create(MapSpec.array("xlated", 8, 4))) {
            assertSameTextAsBpftool(new Assembler()
                    .emit(st(Size.W, R10, -4, 1), mov64(R2, R10), add64(R2, -4))
                    .ldMapFd(R1, map.fd())
                    .emit(call(Helper.MAP_LOOKUP_ELEM), mov64(R1, R0), mov64(R0, 0))
                    .jeqImm(R1, 0, "out")
                    .emit(ldxDW(R0, R1, 0))
                    .label("out")
                    .emit(exit())
                    .assemble()
                    .instructions());
        }
    }

    private static void assertSameTextAsBpftool(List<Instruction> program) throws Exception {
        Requirements.command("bpftool");
        try (Program loaded = load(program)) {
            ProgramInfo info = loaded.info();
            List<String> ours = Disassembler.forKernelDump()
                    .disassemble(InstructionCodec.decode(info.xlated()))
                    .lines()
                    .map(XlatedDumpTest::withoutCallName)
                    .toList();
            List<String> bpftool = run("bpftool", "prog", "dump", "xlated", "id", Integer.toString(info.id()))
                    .lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .map(XlatedDumpTest::withoutCallName)
                    .toList();
            assertThat(ours).as("our text of the kernel's instructions").isEqualTo(bpftool);
        }
    }

    private static Program load(List<Instruction> program) {
        return Program.load(ProgramSpec.socketFilter("xlated", InstructionCodec.encode(program)));
    }

    /**
     * A loaded program's helper calls hold kernel address offsets, not helper ids; bpftool names
     * them from /proc/kallsyms, which is not ours to read. The offsets must still agree.
     */
    private static String withoutCallName(String line) {
        return line.replaceFirst("\\) call [^#]*#", ") call #");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue())
                .as("%s; output:%n%s", String.join(" ", command), out)
                .isZero();
        return out;
    }
}
