package org.levee.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.cbpf.kernel.KernelSocketFilter;
import org.levee.compiler.flow.Op;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestRun;
import org.levee.testing.Requirements;

/**
 * Random valid cBPF programs on random packets: the interpreter, our eBPF in the kernel (32
 * fragments per XDP program, see {@link FragmentBatch}) and the kernel's own cBPF
 * ({@link KernelSocketFilter}) agree. The count comes from {@code -Dlevee.compiler.randomPrograms}
 * (CI default 20,000; docs/compiler.md has the command for the 100,000 run). Each seed below is an
 * independent share of the programs; {@code -Dlevee.compiler.randomSeed=N} shifts them all.
 */
@Tag("kernel")
class RandomProgramTest {
    private static final int PROGRAMS = Integer.getInteger("levee.compiler.randomPrograms", 100_000);
    /** Added to every seed, to explore beyond the fixed ones ({@code -Dlevee.compiler.randomSeed=N}). */
    private static final long SEED_OFFSET = Long.getLong("levee.compiler.randomSeed", 0);

    private static final int SEEDS = 4;
    private static final int PACKETS = 6;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 22, 33, 44})
    void interpreterOurEbpfAndKernelCbpfAgree(long fixedSeed) {
        Requirements.root();
        long seed = fixedSeed + SEED_OFFSET;
        RandomCbpf random = new RandomCbpf(seed);
        int programs = PROGRAMS / SEEDS;
        int compared = 0;
        try (KernelSocketFilter kernel = KernelSocketFilter.open()) {
            for (int done = 0; done < programs; done += FragmentBatch.MAX) {
                int count = Math.min(FragmentBatch.MAX, programs - done);
                List<List<Op>> generated = new ArrayList<>();
                List<CbpfProgram> cbpf = new ArrayList<>();
                List<Compilation> compiled = new ArrayList<>();
                for (int j = 0; j < count; j++) {
                    List<Op> ops = random.next(30);
                    generated.add(ops);
                    cbpf.add(RandomCbpf.link(ops));
                    compiled.add(CbpfCompiler.compile(cbpf.get(j)));
                }
                List<byte[]> packets = new ArrayList<>();
                for (int p = 0; p < PACKETS; p++) {
                    packets.add(random.packet(14 + random.nextInt(p == 0 ? 120 : 60)));
                }
                packets.add(random.packet(random.nextInt(14))); // shorter than XDP allows: kernel cBPF only
                try (Program batch = Program.load(ProgramSpec.xdp(
                        "levee_random", FragmentBatch.of(compiled).encode()))) {
                    for (byte[] packet : packets) {
                        int mask = packet.length >= 14
                                ? batch.testRun(TestRun.of(packet).withDataOutCapacity(0))
                                        .returnValue()
                                : 0;
                        for (int j = 0; j < count; j++) {
                            boolean expected = CbpfInterpreter.run(cbpf.get(j), packet) != 0;
                            if (packet.length >= 14 && ((mask >>> j & 1) == 1) != expected) {
                                fail(
                                        "seed %d: our eBPF says %s, the interpreter %s, on %s%n%s",
                                        seed,
                                        !expected,
                                        expected,
                                        java.util.HexFormat.of().formatHex(packet),
                                        CbpfText.printListing(cbpf.get(j)));
                            }
                            compared++;
                        }
                    }
                }
                for (int j = 0; j < count; j++) {
                    CbpfProgram forKernel = RandomCbpf.forKernel(generated.get(j));
                    kernel.attach(forKernel);
                    for (byte[] packet : packets) {
                        boolean expected = CbpfInterpreter.run(cbpf.get(j), packet) != 0;
                        if (kernel.matches(packet) != expected) {
                            fail(
                                    "seed %d: the kernel's cBPF says %s, the interpreter %s, on %s%n%s",
                                    seed,
                                    !expected,
                                    expected,
                                    java.util.HexFormat.of().formatHex(packet),
                                    CbpfText.printListing(forKernel));
                        }
                    }
                }
            }
        }
        assertThat(compared).isGreaterThanOrEqualTo(programs * (PACKETS + 1));
    }
}
