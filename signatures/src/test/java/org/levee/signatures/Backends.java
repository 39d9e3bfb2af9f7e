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
import org.levee.testing.Requirements;

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
        Requirements.root();
        CbpfValidator.validate(program);
        List<Boolean> verdicts = new ArrayList<>();
        try (KernelSocketFilter kernel = KernelSocketFilter.open();
                Program xdp = XdpFilterProgram.of(CbpfCompiler.compile(program)).load("levee_sig_test")) {
            kernel.attach(program);
            for (byte[] packet : packets) {
                boolean interpreted = CbpfInterpreter.run(program, packet) != 0;
                String hex = HexFormat.of().formatHex(packet);
                assertThat(kernel.matches(packet))
                        .as("kernel cBPF verdict on %s", hex)
                        .isEqualTo(interpreted);
                if (packet.length >= XdpFilterProgram.MIN_TEST_RUN_BYTES) {
                    assertThat(XdpFilterProgram.matches(xdp, packet))
                            .as("compiled XDP verdict on %s", hex)
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
