package org.levee.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChecksumsTest {
    @Test
    void theTextbookHeaderGetsItsKnownChecksum() {
        byte[] frame = HexFormat.of()
                .parseHex("000000000000" + "000000000000" + "0800" + "45000073000040004011" + "0000"
                        + "c0a80001c0a800c7");
        long sum = Checksums.sumWords(frame, Checksums.IP_OFFSET, Checksums.L4_OFFSET);
        int checksum = ~Checksums.fold(sum) & 0xffff;
        // stored little-endian from a little-endian sum: bytes b8 61 on the wire
        frame[24] = (byte) checksum;
        frame[25] = (byte) (checksum >>> 8);
        assertThat(HexFormat.of().formatHex(frame, 24, 26)).isEqualTo("b861");
        assertThat(Checksums.ipHeaderValid(frame)).isTrue();
        frame[22]--; // TTL changed, checksum not
        assertThat(Checksums.ipHeaderValid(frame)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void foldKeepsTheOnesComplementSum(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < 1000; i++) {
            long sum = random.nextLong(1L << 40);
            int folded = Checksums.fold(sum);
            assertThat(folded).isBetween(0, 0xffff);
            // x ≡ fold(x) mod 0xffff, with 0xffff and 0 both standing for zero
            assertThat(folded % 0xffff).isEqualTo((int) (sum % 0xffff));
        }
    }

    @Test
    void aUdpChecksumOfZeroMeansNone() {
        byte[] frame = FloodFrames.recipe(FloodKind.UDP_RANDOM_PORTS, LabFixtures.path())
                .template();
        assertThat(frame[40]).isZero();
        assertThat(frame[41]).isZero();
        assertThat(Checksums.l4Valid(frame)).isTrue();
        frame[41] = 1;
        assertThat(Checksums.l4Valid(frame)).isFalse();
    }

    @Test
    void badFramesAreNamed() {
        byte[] frame =
                FloodFrames.recipe(FloodKind.SYN_FLOOD, LabFixtures.path()).template();
        frame[23] = 1;
        assertThatThrownBy(() -> Checksums.l4ChecksumOffset(frame)).hasMessageContaining("IPv4 protocol 1 at byte 23");
        byte[] cut = java.util.Arrays.copyOf(
                FloodFrames.recipe(FloodKind.SYN_FLOOD, LabFixtures.path()).template(), 60);
        assertThatThrownBy(() -> Checksums.l4Valid(cut)).hasMessageContaining("frame of 60 bytes is shorter");
    }
}
