package org.levee.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
}
