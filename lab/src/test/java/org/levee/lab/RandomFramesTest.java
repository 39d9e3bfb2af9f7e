package org.levee.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.levee.lab.FrameField.RandomLabel;
import org.levee.lab.FrameField.RandomNumber;
import org.levee.lab.FrameField.RandomSource;

/**
 * The socket generator's frames, drawn in Java: well formed as the live generator's program makes
 * them (same checks as {@link FloodProgramTest}), and their random fields spread over their whole
 * range: every value of a small range occurs, large ranges are covered evenly, spoofed sources
 * spread over 1–223 (no 127) outside the lab's subnets, labels use all 36 characters.
 */
class RandomFramesTest {
    private static final int FRAMES = 20_000;

    @ParameterizedTest
    @EnumSource(FloodKind.class)
    void framesAreWellFormedAndTheirFieldsSpreadAsSpecified(FloodKind kind) throws Exception {
        FloodPath path = LabFixtures.path();
        FrameRecipe recipe = FloodFrames.recipe(kind, path);
        SplittableRandom random = new SplittableRandom(42 + kind.ordinal());
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            frames.add(RandomFrames.draw(recipe, random));
        }
        FloodFrameAssert.randomFieldsAsSpecified(recipe, path, frames.subList(0, 2_000));
        for (byte[] frame : frames.subList(0, 200)) {
            FloodFrameAssert.matches(recipe, path, frame);
        }
        for (FrameField field : recipe.fields()) {
            switch (field) {
                case RandomNumber n -> spread(kind, n, frames);
                case RandomSource s -> sources(kind, s, frames);
                case FrameField.RandomSource6 s -> sources6(kind, s, frames);
                case RandomLabel l -> labels(kind, l, frames);
            }
        }
    }

    /** Small ranges: every value occurs; large ones: each tenth of the range holds 10 % ± 1.5 % of the draws. */
    private static void spread(FloodKind kind, RandomNumber n, List<byte[]> frames) {
        if (n.span() <= 1000) {
            Set<Long> seen = new HashSet<>();
            frames.forEach(f -> seen.add(FloodFrameAssert.value(f, n.offset(), n.length())));
            assertThat(seen).as("%s %s: every value", kind, n).hasSize((int) n.span());
            return;
        }
        int[] tenths = new int[10];
        for (byte[] f : frames) {
            long v = FloodFrameAssert.value(f, n.offset(), n.length());
            tenths[(int) Math.min(9, (v - n.min()) * 10 / n.span())]++;
        }
        for (int t = 0; t < 10; t++) {
            assertThat(tenths[t])
                    .as("%s %s: draws in tenth %d of the range", kind, n, t)
                    .isBetween(FRAMES * 85 / 1000, FRAMES * 115 / 1000);
        }
    }

    private static void sources(FloodKind kind, RandomSource s, List<byte[]> frames) {
        int[] firstBytes = new int[256];
        Set<Long> distinct = new HashSet<>();
        for (byte[] f : frames) {
            firstBytes[f[s.offset()] & 0xff]++;
            distinct.add(FloodFrameAssert.value(f, s.offset(), 4));
        }
        assertThat(firstBytes[0]).as("%s sources in 0/8", kind).isZero();
        assertThat(firstBytes[127]).as("%s sources in 127/8", kind).isZero();
        for (int b = 224; b < 256; b++) {
            assertThat(firstBytes[b]).as("%s sources in %d/8", kind, b).isZero();
        }
        long used = java.util.stream.IntStream.rangeClosed(1, 223)
                .filter(b -> firstBytes[b] > 0)
                .count();
        assertThat(used).as("%s first bytes used of 1..223", kind).isEqualTo(222);
        assertThat(distinct)
                .as("%s distinct sources in %d frames", kind, FRAMES)
                .hasSizeGreaterThan(FRAMES * 99 / 100);
    }

    /** In 2000::/3, never in 2001:db8::/32, every bit of the other 125 varying, all distinct. */
    private static void sources6(FloodKind kind, FrameField.RandomSource6 s, List<byte[]> frames) {
        Set<String> distinct = new HashSet<>();
        int[] ones = new int[128];
        for (byte[] f : frames) {
            long first = FloodFrameAssert.value(f, s.offset(), 4);
            assertThat(first >>> 29).as("%s source in 2000::/3", kind).isEqualTo(1L);
            assertThat(first).as("%s source in 2001:db8::/32", kind).isNotEqualTo(0x20010db8L);
            for (int bit = 0; bit < 128; bit++) {
                ones[bit] += (f[s.offset() + bit / 8] >>> (7 - bit % 8)) & 1;
            }
            distinct.add(java.util.HexFormat.of().formatHex(f, s.offset(), s.offset() + 16));
        }
        for (int bit = 3; bit < 128; bit++) {
            assertThat(ones[bit]).as("%s source bit %d set", kind, bit).isBetween(FRAMES * 45 / 100, FRAMES * 55 / 100);
        }
        assertThat(distinct).as("%s distinct IPv6 sources", kind).hasSize(FRAMES);
    }

    private static void labels(FloodKind kind, RandomLabel l, List<byte[]> frames) {
        Set<Character> characters = new HashSet<>();
        Set<String> distinct = new HashSet<>();
        for (byte[] f : frames) {
            StringBuilder label = new StringBuilder();
            for (int i = 0; i < l.length(); i++) {
                char c = (char) f[l.offset() + i];
                characters.add(c);
                label.append(c);
            }
            distinct.add(label.toString());
        }
        assertThat(characters).as("%s label characters", kind).hasSize(36);
        assertThat(distinct).as("%s distinct labels", kind).hasSize(FRAMES);
    }
}
