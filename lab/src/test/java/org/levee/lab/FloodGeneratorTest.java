package org.levee.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.ebpf.LiveFrames;
import org.levee.testing.Requirements;

/**
 * Both generators, on every flood kind, sent as fast as they can through a real {@link DemoLab}:
 * the flood reaches the edge's interface (counted by an XDP program there that drops it) at a
 * useful rate, with the headers the recipe promises (frames captured on the edge and parsed),
 * paced to a target rate. On a kernel that refuses XDP live frames the live generator's cases
 * check that it refuses to open and says why; the socket generator's cases always run.
 */
@Tag("kernel")
class FloodGeneratorTest {
    /** The least rate every kind must reach at the edge, even on a loaded 2-CPU CI machine. */
    static final long MINIMUM_PPS = 100_000;
    /**
     * The socket generator, 64-byte frames, through the lab's router hop, from one CPU that also
     * runs the hop and the edge's XDP: ≈ 1.7 Mpps here; the demo asks it for 1.2 Mpps.
     */
    static final long SOCKET_MINIMUM_SMALL_FRAME_PPS = 1_000_000;

    private static final Duration SEND_TIME = Duration.ofMillis(1000);

    private static DemoLab lab;
    private static EdgeTap tap;

    @BeforeAll
    static void setUp() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        lab = DemoLab.create();
        tap = EdgeTap.attach(
                lab.edgeNamespace(), lab.edgeInterface(), lab.labSubnets().getFirst());
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

    static Stream<Arguments> generatorsAndKinds() {
        return Arrays.stream(GeneratorKind.values())
                .flatMap(g -> Arrays.stream(FloodKind.values()).map(k -> Arguments.of(g, k)));
    }

    /** False (after checking the refusal) when {@code generator} cannot run on this kernel. */
    private static boolean runnable(GeneratorKind generator, FloodPath path, FloodKind kind) {
        if (generator == GeneratorKind.LIVE && !LiveFrames.support().supported()) {
            assertThatThrownBy(() -> FloodGenerator.open(generator, path, kind))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("live-frames generator cannot run here")
                    .hasMessageContaining(LiveFrames.support().describe());
            assertThat(GeneratorKind.preferred()).isEqualTo(GeneratorKind.SOCKET);
            return false;
        }
        return true;
    }

    @ParameterizedTest
    @MethodSource("generatorsAndKinds")
    void eachKindReachesTheEdgeFastWithItsHeaders(GeneratorKind generatorKind, FloodKind kind) throws Exception {
        FloodPath path = lab.floodPath();
        if (!runnable(generatorKind, path, kind)) {
            return;
        }
        tap.samples(Duration.ZERO); // earlier kinds' leftovers
        tap.resample();
        long droppedBefore = tap.dropped();
        long offered;
        long nanos;
        try (FloodGenerator generator = FloodGenerator.open(generatorKind, path, kind)) {
            assertThat(generator.generator()).isEqualTo(generatorKind);
            long start = System.nanoTime();
            generator.start(0);
            Thread.sleep(SEND_TIME.toMillis());
            generator.stop();
            nanos = System.nanoTime() - start;
            offered = generator.offered();
        }
        long arrived = tap.dropped() - droppedBefore;
        double arrivedPps = arrived * 1e9 / nanos;
        int frameLength = FloodFrames.recipe(kind, path).frameLength();
        System.out.printf(
                "%-6s flood %-24s offered %,10.0f pps, arrived at the edge %,10.0f pps (%d-byte frames)%n",
                generatorKind.id(), kind, offered * 1e9 / nanos, arrivedPps, frameLength);
        assertThat(arrived).as("%s frames at the edge", kind).isLessThanOrEqualTo(offered);
        assertThat(arrivedPps).as("%s rate at the edge", kind).isGreaterThanOrEqualTo(MINIMUM_PPS);
        if (generatorKind == GeneratorKind.SOCKET && frameLength <= 128) {
            assertThat(arrivedPps)
                    .as("%s rate of small frames at the edge", kind)
                    .isGreaterThanOrEqualTo(SOCKET_MINIMUM_SMALL_FRAME_PPS);
        }

        List<byte[]> frames = tap.samples(Duration.ofSeconds(1));
        assertThat(frames).as("%s frames sampled at the edge", kind).hasSizeGreaterThan(EdgeTap.SAMPLES / 2);
        FrameRecipe recipe = FloodFrames.recipe(kind, path);
        Set<String> sources = new HashSet<>();
        for (byte[] frame : frames) {
            FloodFrameAssert.matches(recipe, path, frame);
            sources.add(
                    kind.ipv6()
                            ? FloodFrameAssert.source6(frame)
                            : FloodFrameAssert.source(frame).getHostAddress());
        }
        assertThat(sources.size())
                .as("distinct spoofed sources in %d %s frames", frames.size(), kind)
                .isGreaterThan(frames.size() * 9 / 10);
    }

    @ParameterizedTest
    @EnumSource(GeneratorKind.class)
    void pacingHoldsTheTargetRateAndFollowsRateChanges(GeneratorKind generatorKind) throws Exception {
        FloodPath path = lab.floodPath();
        if (!runnable(generatorKind, path, FloodKind.UDP_RANDOM_PORTS)) {
            return;
        }
        try (FloodGenerator generator = FloodGenerator.open(generatorKind, path, FloodKind.UDP_RANDOM_PORTS)) {
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
            assertThat(tap.dropped() - before)
                    .as("arrived at the edge")
                    .isBetween(generator.offered() * 99 / 100, generator.offered());
        }
    }

    /** What the demo asks of the socket generator, held over 2 s, with frames that keep arriving at the edge. */
    @Test
    void theSocketGeneratorHoldsTheDemosRate() throws Exception {
        FloodPath path = lab.floodPath();
        long rate = GeneratorKind.SOCKET.defaultFloodRate();
        try (FloodGenerator generator = FloodGenerator.open(GeneratorKind.SOCKET, path, FloodKind.SYN_FLOOD)) {
            long before = tap.dropped();
            long start = System.nanoTime();
            generator.start(rate);
            Thread.sleep(2000);
            generator.stop();
            double seconds = (System.nanoTime() - start) / 1e9;
            long offered = generator.offered();
            System.out.printf(
                    "socket generator at %,d pps: %,d frames in %.3f s (%,.0f pps), %,d at the edge%n",
                    rate, offered, seconds, offered / seconds, tap.dropped() - before);
            // Never above the rate (pacing); below it by what the two CPUs, shared with the router hop,
            // the edge's XDP and whatever else runs, leave the sender (quiet: within 2 %; measured 0.83× under a load
            // of 10).
            assertThat(offered / seconds).as("offered pps").isBetween(rate * 0.8, rate * 1.02);
            assertThat(tap.dropped() - before).as("arrived at the edge").isBetween(offered * 99 / 100, offered);
        }
    }

    @ParameterizedTest
    @EnumSource(GeneratorKind.class)
    void aGeneratorOnAMissingInterfaceFailsAndSaysWhere(GeneratorKind generatorKind) throws Exception {
        FloodPath good = lab.floodPath();
        if (!runnable(generatorKind, good, FloodKind.SYN_FLOOD)) {
            return;
        }
        FloodPath bad = new FloodPath(
                good.namespace(), "lvnosuch0", good.sourceMac(), good.destinationMac(), good.victim(), good.spared());
        try (FloodGenerator generator = FloodGenerator.open(generatorKind, bad, FloodKind.SYN_FLOOD)) {
            generator.start(1000);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (generator.failure().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(generator.running()).isFalse();
            assertThatThrownBy(generator::stop)
                    .hasMessageContaining("SYN_FLOOD generator on lvnosuch0 in " + good.namespace())
                    .hasMessageContaining("lvnosuch0");
            assertThat(generator.offered()).isZero();
        }
        try (FloodGenerator generator = FloodGenerator.open(generatorKind, good, FloodKind.SYN_FLOOD)) {
            assertThatThrownBy(() -> generator.setRate(-1)).hasMessageContaining("rate -1 pps is negative");
        }
    }
}
