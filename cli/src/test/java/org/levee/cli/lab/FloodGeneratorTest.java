package org.levee.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.levee.ebpf.testing.Requirements;

/**
 * Every flood kind, sent as fast as the generator can through a real {@link DemoLab}, reaches the
 * edge's interface (counted by an XDP program there that drops it) at a useful rate, with the
 * headers the recipe promises (frames captured on the edge and parsed).
 */
class FloodGeneratorTest {
    /** The least rate every kind must reach at the edge, even on a loaded 2-CPU CI machine. */
    static final long MINIMUM_PPS = 100_000;
    private static final Duration SEND_TIME = Duration.ofMillis(1000);

    private static DemoLab lab;
    private static EdgeTap tap;

    @BeforeAll
    static void setUp() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        lab = DemoLab.create();
        tap = EdgeTap.attach(lab.edgeNamespace(), lab.edgeInterface(), lab.labSubnets().getFirst());
    }

    @AfterAll
    static void tearDown() {
        try {
            if (tap != null) {
                tap.close();
            }
        } finally {
            if (lab != null) {
                lab.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(FloodKind.class)
    void eachKindReachesTheEdgeFastWithItsHeaders(FloodKind kind) throws Exception {
        FloodPath path = lab.floodPath();
        tap.samples(Duration.ZERO); // earlier kinds' leftovers
        tap.resample();
        long droppedBefore = tap.dropped();
        long offered;
        long nanos;
        try (FloodGenerator generator = FloodGenerator.open(path, kind)) {
            long start = System.nanoTime();
            generator.start(0);
            Thread.sleep(SEND_TIME.toMillis());
            generator.stop();
            nanos = System.nanoTime() - start;
            offered = generator.offered();
        }
        long arrived = tap.dropped() - droppedBefore;
        double arrivedPps = arrived * 1e9 / nanos;
        System.out.printf("flood %-24s offered %,10.0f pps, arrived at the edge %,10.0f pps (%d-byte frames)%n",
                kind, offered * 1e9 / nanos, arrivedPps, FloodFrames.recipe(kind, path).frameLength());
        assertThat(arrived).as("%s frames at the edge", kind).isLessThanOrEqualTo(offered);
        assertThat(arrivedPps).as("%s rate at the edge", kind).isGreaterThanOrEqualTo(MINIMUM_PPS);

        List<byte[]> frames = tap.samples(Duration.ofSeconds(1));
        assertThat(frames).as("%s frames sampled at the edge", kind).hasSizeGreaterThan(EdgeTap.SAMPLES / 2);
        FrameRecipe recipe = FloodFrames.recipe(kind, path);
        Set<String> sources = new HashSet<>();
        for (byte[] frame : frames) {
            FloodFrameAssert.matches(recipe, path, frame);
            sources.add(FloodFrameAssert.source(frame).getHostAddress());
        }
        assertThat(sources.size()).as("distinct spoofed sources in %d %s frames", frames.size(), kind)
                .isGreaterThan(frames.size() * 9 / 10);
    }

    @Test
    void pacingHoldsTheTargetRateAndFollowsRateChanges() throws Exception {
        FloodPath path = lab.floodPath();
        try (FloodGenerator generator = FloodGenerator.open(path, FloodKind.UDP_RANDOM_PORTS)) {
            long before = tap.dropped();
            generator.start(50_000);
            Thread.sleep(1000);
            long first = generator.offered();
            generator.setRate(150_000);
            Thread.sleep(1000);
            long second = generator.offered() - first;
            generator.stop();
            System.out.printf("paced: %,d frames in the second at 50,000 pps, %,d at 150,000 pps%n", first, second);
            assertThat(first).as("frames in the first second at 50,000 pps").isBetween(40_000L, 55_000L);
            // A starved CPU (other tests, other jobs) can hold the sender back; it never runs ahead.
            assertThat(second).as("frames in the second second at 150,000 pps").isBetween(100_000L, 165_000L);
            assertThat(tap.dropped() - before).as("arrived at the edge").isBetween(generator.offered() * 99 / 100, generator.offered());
        }
    }

    @Test
    void aGeneratorOnAMissingInterfaceFailsAndSaysWhere() throws Exception {
        FloodPath good = lab.floodPath();
        FloodPath bad = new FloodPath(good.namespace(), "lvnosuch0", good.sourceMac(), good.destinationMac(), good.victim(), good.spared());
        try (FloodGenerator generator = FloodGenerator.open(bad, FloodKind.SYN_FLOOD)) {
            generator.start(1000);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (generator.failure().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(generator.running()).isFalse();
            assertThatThrownBy(generator::stop).hasMessageContaining("SYN_FLOOD generator on lvnosuch0 in " + good.namespace())
                    .hasMessageContaining("lvnosuch0");
            assertThat(generator.offered()).isZero();
        }
        try (FloodGenerator generator = FloodGenerator.open(good, FloodKind.SYN_FLOOD)) {
            assertThatThrownBy(() -> generator.setRate(-1)).hasMessageContaining("rate -1 pps is negative");
        }
    }
}
