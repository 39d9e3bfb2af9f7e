package org.levee.testing.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MutatorTest {
    private static final byte[] INPUT = new byte[64];
    private static final byte[] OTHER = new byte[40];

    static {
        for (int i = 0; i < INPUT.length; i++) {
            INPUT[i] = (byte) i;
        }
        java.util.Arrays.fill(OTHER, (byte) 0x5a);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void byteMutationsAreDeterministicLeaveTheirArgumentsAloneAndRespectTheCap(long seed) {
        ByteMutator mutator = new ByteMutator(100);
        byte[] before = INPUT.clone();
        SplittableRandom a = new SplittableRandom(seed);
        SplittableRandom b = new SplittableRandom(seed);
        int changed = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] x = mutator.mutate(INPUT, OTHER, a);
            byte[] y = mutator.mutate(INPUT, OTHER, b);
            assertThat(x).isEqualTo(y).hasSizeLessThanOrEqualTo(100);
            changed += java.util.Arrays.equals(x, INPUT) ? 0 : 1;
        }
        assertThat(INPUT).isEqualTo(before);
        assertThat(changed).isGreaterThan(4_500);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void wordsAreSetToTheExtremesInBothByteOrders(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Set<Long> seen = new HashSet<>();
        byte[] zeros = new byte[8];
        for (int i = 0; i < 20_000; i++) {
            byte[] out = ByteMutator.setWord(zeros, random, true);
            seen.add(ByteBuffer.wrap(out).getLong());
        }
        assertThat(seen)
                .contains(
                        0x0000_0000_ffff_ffffL,
                        0xffff_ffff_0000_0000L,
                        0x7fff_ffff_0000_0000L,
                        0x0000_0000_ffff_ff7fL,
                        0x8000_0000_0000_0000L,
                        0x0000_0000_0000_0080L,
                        0x0001_0000_0000_0000L,
                        0xffff_ffff_ffff_ffffL,
                        0x7fff_ffff_ffff_ffffL);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"", "a", "tcp port 80 and (host 192.0.2.1 or net 2001:db8::/32)", "(000) jeq #0x800 jt 2\tjf 5\n"
            })
    void tokensCoverTheText(String text) {
        assertThat(String.join("", TextMutator.tokens(text))).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void textMutationsAreDeterministicRespectTheCapAndReachOddCharactersAndHugeNumbers(long seed) {
        TextMutator mutator = new TextMutator(List.of("and", "or", "not"), 3_000);
        SplittableRandom a = new SplittableRandom(seed);
        SplittableRandom b = new SplittableRandom(seed);
        boolean nul = false;
        boolean huge = false;
        boolean keyword = false;
        boolean longest = false;
        for (int i = 0; i < 5_000; i++) {
            String x = mutator.mutate("tcp port 80", "udp port 53", a);
            assertThat(x)
                    .isEqualTo(mutator.mutate("tcp port 80", "udp port 53", b))
                    .hasSizeLessThanOrEqualTo(3_000);
            nul |= x.indexOf('\0') >= 0;
            huge |= x.contains("4294967296") || x.contains("99999999999999999999");
            keyword |= x.contains(" or ") || x.contains("and") || x.contains("not");
            longest |= x.length() == 3_000;
        }
        assertThat(nul).isTrue();
        assertThat(huge).isTrue();
        assertThat(keyword).isTrue();
        assertThat(longest).isTrue();
    }
}
