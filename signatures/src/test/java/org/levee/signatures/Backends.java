package org.levee.signatures;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfValidator;

/**
 * Runs a generated program on every backend Levee has and insists they agree: our validator and
 * the kernel's checker must accept it, and our interpreter and the kernel's classic BPF must
 * give the same verdict on every packet.
 */
final class Backends {
    private Backends() {}

    /** The verdicts (true = match) of {@code program} on {@code packets}, all backends agreeing. */
    static List<Boolean> verdicts(CbpfProgram program, List<byte[]> packets) {
        CbpfValidator.validate(program);
        List<Boolean> verdicts = new ArrayList<>();
        try (KernelSocketFilterHarness kernel = new KernelSocketFilterHarness(program)) {
            for (byte[] packet : packets) {
                boolean interpreted = CbpfInterpreter.run(program, packet) != 0;
                assertThat(kernel.accepts(packet))
                        .as("kernel cBPF verdict on %s", HexFormat.of().formatHex(packet))
                        .isEqualTo(interpreted);
                verdicts.add(interpreted);
            }
        }
        return verdicts;
    }

    static boolean verdict(CbpfProgram program, byte[] packet) {
        return verdicts(program, List.of(packet)).getFirst();
    }
}
