package org.levee.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestRun;
import org.levee.testing.Requirements;

/**
 * Our C on random programs: 32 generated functions per C file, called by one XDP program that
 * returns a bit mask (as {@link FragmentBatch} does for eBPF), compiled by clang, loaded with our
 * loader, and compared with the interpreter. Covers what the expression test cannot: division
 * by a zero X, scratch memory, shifts, indirect loads with huge X.
 */
@Tag("kernel")
class CRandomProgramTest {
    private static final int BATCHES = 8;
    private static final int PACKETS = 8;

    @TempDir
    static Path work;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5, 6, 7})
    void clangCompiledCAgreesWithTheInterpreter(long seed) throws Exception {
        Requirements.root();
        Requirements.command("clang");
        Requirements.command("llvm-objcopy");
        RandomCbpf random = new RandomCbpf(seed);
        int compared = 0;
        for (int batch = 0; batch < BATCHES; batch++) {
            List<CbpfProgram> programs = new ArrayList<>();
            StringBuilder c = new StringBuilder();
            c.append(
                    "struct xdp_md { unsigned int data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex; };\n");
            for (int j = 0; j < FragmentBatch.MAX; j++) {
                CbpfProgram program = RandomCbpf.link(random.next(30));
                programs.add(program);
                c.append(CEmitter.function(CbpfCompiler.compile(program), "f" + j));
            }
            c.append("__attribute__((section(\"xdp\"), used))\nint batch(struct xdp_md *ctx)\n{\n");
            c.append("\tconst unsigned char *start = (const unsigned char *)(long)ctx->data;\n");
            c.append("\tconst unsigned char *end = (const unsigned char *)(long)ctx->data_end;\n");
            c.append("\tunsigned int mask = 0;\n");
            for (int j = 0; j < FragmentBatch.MAX; j++) {
                c.append("\tif (f")
                        .append(j)
                        .append("(start, end))\n\t\tmask |= 1u << ")
                        .append(j)
                        .append(";\n");
            }
            c.append("\treturn mask;\n}\nchar _license[] __attribute__((section(\"license\"), used)) = \"GPL\";\n");
            byte[] code = Clang.compileSection(c.toString(), "xdp", work);
            try (Program loaded = Program.load(ProgramSpec.xdp("levee_c_random", code))) {
                for (int p = 0; p < PACKETS; p++) {
                    byte[] packet = random.packet(14 + random.nextInt(100));
                    int mask = loaded.testRun(TestRun.of(packet).withDataOutCapacity(0))
                            .returnValue();
                    for (int j = 0; j < programs.size(); j++) {
                        boolean expected = CbpfInterpreter.run(programs.get(j), packet) != 0;
                        if (((mask >>> j & 1) == 1) != expected) {
                            fail(
                                    "seed %d: our C says %s, the interpreter %s, on %s%n%s%n%s",
                                    seed,
                                    !expected,
                                    expected,
                                    java.util.HexFormat.of().formatHex(packet),
                                    CbpfText.printListing(programs.get(j)),
                                    CEmitter.function(CbpfCompiler.compile(programs.get(j)), "f"));
                        }
                        compared++;
                    }
                }
            }
        }
        assertThat(compared).isEqualTo(BATCHES * PACKETS * FragmentBatch.MAX);
    }
}
