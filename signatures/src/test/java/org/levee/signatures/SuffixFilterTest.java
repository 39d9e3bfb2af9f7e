package org.levee.signatures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfProgram;

class SuffixFilterTest {

    @Test
    void matchesPacketsEndingWithTheBytes() {
        CbpfProgram program = SuffixFilter.parseHex("010203").program();
        assertThat(Backends.verdicts(program, List.of(new byte[] {9, 9, 1, 2, 3}, new byte[] {1, 2, 3})))
                .containsOnly(true);
        assertThat(Backends.verdicts(
                        program,
                        List.of(new byte[] {1, 2, 3, 4}, new byte[] {2, 3}, new byte[0], new byte[] {1, 2, 4})))
                .containsOnly(false);
        assertThat(SuffixFilter.parseHex("0x01 02:03").suffix()).containsExactly(1, 2, 3);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "\"\"|the suffix is empty",
                "0102g3|character 5 'g' is not a hex digit",
                "010|3 hex digits is not a whole number of bytes",
            })
    void badHexNamesTheCharacter(String hex, String message) {
        assertThatThrownBy(() -> SuffixFilter.parseHex(hex))
                .isInstanceOf(SignatureException.class)
                .hasMessageContaining(message);
    }

    /**
     * Found by fuzzing (SignatureFuzzTest): the assembler placed one trampoline per pass over the
     * whole program, so a suffix of a few hundred bytes took over a second and one of thousands
     * did not finish; it now places them all in a few passes.
     */
    @Test
    void longSuffixesAssembleInLinearTime() {
        long start = System.nanoTime();
        CbpfProgram longest = SuffixFilter.parseHex("a1".repeat(5_000)).program();
        assertThatThrownBy(() -> SuffixFilter.parseHex("a1".repeat(30_000)).program())
                .isInstanceOf(SignatureException.class)
                .hasMessageStartingWith("the suffix filter needs ")
                .hasMessageContaining("classic BPF allows 4096");
        assertThat(System.nanoTime() - start).as("nanoseconds").isLessThan(1_000_000_000L);
        assertThat(longest.size()).isBetween(3_000, 4_096);
        assertThat(Backends.verdicts(longest, List.of(new byte[5_000]))).containsOnly(false);
    }

    static Stream<Long> seeds() {
        return LongStream.range(0, 40).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void agreesWithEndsWith(long seed) {
        Random random = new Random(seed);
        byte[] suffix = new byte[1 + random.nextInt(random.nextInt(4) == 0 ? 300 : 9)];
        random.nextBytes(suffix);
        CbpfProgram program = new SuffixFilter(suffix).program();
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            byte[] head = new byte[random.nextInt(40)];
            random.nextBytes(head);
            byte[] packet = Arrays.copyOf(head, head.length + suffix.length);
            System.arraycopy(suffix, 0, packet, head.length, suffix.length);
            if (random.nextBoolean()) {
                packet[random.nextInt(packet.length)] ^= (byte) (1 << random.nextInt(8));
            }
            if (random.nextInt(4) == 0) {
                packet = Arrays.copyOf(packet, random.nextInt(packet.length + 1));
            }
            packets.add(packet);
        }
        List<Boolean> verdicts = Backends.verdicts(program, packets);
        for (int i = 0; i < packets.size(); i++) {
            byte[] packet = packets.get(i);
            boolean expected = packet.length >= suffix.length
                    && Arrays.equals(packet, packet.length - suffix.length, packet.length, suffix, 0, suffix.length);
            assertThat(verdicts.get(i)).isEqualTo(expected);
        }
    }
}
