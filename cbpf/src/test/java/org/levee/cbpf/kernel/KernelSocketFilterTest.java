package org.levee.cbpf.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.levee.cbpf.CbpfInstruction.*;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;

/** The kernel's cBPF on a socket pair: delivery, truncation, refusal, agreement with the interpreter. */
class KernelSocketFilterTest {

    @Test
    void deliversExactlyWhenTheFilterReturnsNonZeroTruncatedToTheResult() {
        try (KernelSocketFilter kernel = KernelSocketFilter.open()) {
            kernel.attach(CbpfProgram.of(retK(0)));
            assertThat(kernel.deliveredBytes(new byte[20])).isEqualTo(-1);
            kernel.attach(CbpfProgram.of(retK(-1)));
            assertThat(kernel.deliveredBytes(new byte[20])).isEqualTo(20);
            assertThat(kernel.deliveredBytes(new byte[0])).isZero();
            kernel.attach(CbpfProgram.of(retK(3)));
            assertThat(kernel.deliveredBytes(new byte[20])).isEqualTo(3);
        }
    }

    @Test
    void lenIsTheDatagramLengthAndLoadsStartAtItsFirstByte() {
        // match when len = 5 and byte 4 = 0x2a
        CbpfProgram program = CbpfProgram.of(ldLen(), jeqK(5, 0, 3), ldAbsB(4), jeqK(0x2a, 0, 1), retK(1), retK(0));
        try (KernelSocketFilter kernel = KernelSocketFilter.open()) {
            kernel.attach(program);
            assertThat(kernel.matches(new byte[] {0, 0, 0, 0, 0x2a})).isTrue();
            assertThat(kernel.matches(new byte[] {0, 0, 0, 0, 0x2b})).isFalse();
            assertThat(kernel.matches(new byte[] {0, 0, 0, 0, 0x2a, 0})).isFalse();
        }
    }

    @Test
    void theKernelsCheckerRefusesInvalidPrograms() {
        try (KernelSocketFilter kernel = KernelSocketFilter.open()) {
            // a division by the constant 0 is refused on attach
            assertThatThrownBy(() -> kernel.attach(CbpfProgram.of(ldAbsB(0), divK(0), retA())))
                    .isInstanceOf(CbpfException.class)
                    .hasMessageContaining("SO_ATTACH_FILTER");
        }
    }

    @Test
    void agreesWithTheInterpreterOnRandomPacketsForAHeaderFilter() {
        // ip and tcp dst port 80, with an indirect load through X = 4*([14]&0xf)
        CbpfProgram program = CbpfProgram.of(
                ldAbsH(12),
                jeqK(0x800, 0, 6),
                ldAbsB(23),
                jeqK(6, 0, 4),
                ldxMsh(14),
                ldIndH(16),
                jeqK(80, 0, 1),
                retK(-1),
                retK(0));
        Random random = new Random(7);
        try (KernelSocketFilter kernel = KernelSocketFilter.open()) {
            kernel.attach(program);
            int matches = 0;
            for (int i = 0; i < 5000; i++) {
                byte[] packet = new byte[random.nextInt(70)];
                random.nextBytes(packet);
                if (packet.length > 40 && random.nextBoolean()) {
                    packet[12] = 8;
                    packet[13] = 0;
                    packet[14] = 0x45;
                    packet[23] = 6;
                    packet[36] = 0;
                    packet[37] = 80;
                }
                boolean expected = CbpfInterpreter.run(program, packet) != 0;
                assertThat(kernel.matches(packet)).as("packet %d", i).isEqualTo(expected);
                matches += expected ? 1 : 0;
            }
            assertThat(matches).isPositive();
        }
    }
}
