package org.levee.signatures;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfValidator;
import org.levee.cbpf.kernel.KernelSocketFilter;
import org.levee.compiler.CbpfCompiler;
import org.levee.compiler.XdpFilterProgram;
import org.levee.ebpf.Program;
import org.levee.ebpf.testing.Requirements;

/**
 * Runs a generated program on every backend Levee has and insists they agree: our validator,
 * the kernel's classic BPF checker and the eBPF verifier (after our compiler) must accept it,
 * and our interpreter, the kernel's classic BPF and the compiled XDP program must give the same
 * verdict on every packet (XDP only runs packets of at least an Ethernet header).
 */
final class Backends {
    private Backends() {}

    /** The verdicts (true = match) of {@code program} on {@code packets}, all backends agreeing. */
    static List<Boolean> verdicts(CbpfProgram program, List<byte[]> packets) {
        return verdicts(program, packets, true);
    }

    /**
     * Like {@link #verdicts(CbpfProgram, List)} without the compiled XDP program. Only for DNS
     * filters with a '**' pattern: their unrolled name walk makes X a 128-step chain in which
     * each step uses the previous one twice, and the compiler's value numbering (records hashed
     * recursively, compiler as of 43d77dc) takes time exponential in that depth. Remove once the
     * compiler memoises its values.
     */
    static List<Boolean> verdictsWithoutCompiler(CbpfProgram program, List<byte[]> packets) {
        return verdicts(program, packets, false);
    }

    private static List<Boolean> verdicts(CbpfProgram program, List<byte[]> packets, boolean compile) {
        Requirements.root();
        CbpfValidator.validate(program);
        List<Boolean> verdicts = new ArrayList<>();
        try (KernelSocketFilter kernel = KernelSocketFilter.open();
                Program xdp = compile ? XdpFilterProgram.of(CbpfCompiler.compile(program)).load("levee_sig_test")
                        : null) {
            kernel.attach(program);
            for (byte[] packet : packets) {
                boolean interpreted = CbpfInterpreter.run(program, packet) != 0;
                String hex = HexFormat.of().formatHex(packet);
                assertThat(kernel.matches(packet)).as("kernel cBPF verdict on %s", hex).isEqualTo(interpreted);
                if (xdp != null && packet.length >= XdpFilterProgram.MIN_TEST_RUN_BYTES) {
                    assertThat(XdpFilterProgram.matches(xdp, packet)).as("compiled XDP verdict on %s", hex)
                            .isEqualTo(interpreted);
                }
                verdicts.add(interpreted);
            }
        }
        return verdicts;
    }

    static boolean verdict(CbpfProgram program, byte[] packet) {
        return verdicts(program, List.of(packet)).getFirst();
    }
}
