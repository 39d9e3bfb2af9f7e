package org.levee.dataplane;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.Counter;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.dataplane.program.SampleLayout;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.ThreadAffinity;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.ringbuf.RingBufferReader;
import org.levee.rules.Sample;
import org.levee.testing.Requirements;

/** The sampler: 1 in N after random skips, samples that decode, losses counted when the ring buffer is full. */
@Tag("kernel")
class SamplerTest {
    static final String DROP_ALL_UDP = """
            rules:
              - {id: all-udp, filter: udp, action: drop}
            """;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    @Test
    void samplesComeBeforeTheDropDecodeAndFollowTheRateSetAtRunTime() {
        RuleSetObject object = ProgramRunTest.compile(DROP_ALL_UDP);
        byte[] small = Frames.udp("192.0.2.1", "198.51.100.2", 1234, 53, 20);
        byte[] large = Frames.udp("192.0.2.1", "198.51.100.2", 1234, 53, 400);
        try (DataplaneMapSet maps = DataplaneMapSet.create();
                LoadedProgram loaded = LoadedProgram.load(object, object.constants(null, Instant.now()), maps);
                RingBufferReader samples = RingBufferReader.open(maps.get(DataplaneMaps.SAMPLES))) {
            Attachment.prepareMaps(object, maps, 1);
            assertThat(ProgramRunTest.run(loaded, small)).isEqualTo(XdpAction.DROP);
            assertThat(ProgramRunTest.run(loaded, large)).isEqualTo(XdpAction.DROP);
            List<Decoded> got = decodeAll(samples);
            assertThat(got).hasSize(2);
            assertThat(got.get(0).sample().packet()).isEqualTo(small);
            assertThat(got.get(0).sample().wireLength()).isEqualTo(small.length);
            assertThat(got.get(0).sample().samplingRate()).isEqualTo(1);
            assertThat(got.get(0).sample().datacenter()).isEqualTo("dc");
            assertThat(got.get(0).ifindex()).isPositive();
            assertThat(got.get(1).sample().packet()).isEqualTo(Arrays.copyOf(large, 128));
            assertThat(got.get(1).sample().wireLength()).isEqualTo(large.length);
            assertThat(got.get(1).sample().timestampNanos())
                    .isGreaterThanOrEqualTo(got.get(0).sample().timestampNanos());

            // N changes without reloading; the observed rate is binomial(n, 1/N): allow 5 standard deviations
            int rate = 16;
            int runs = 20_000;
            Attachment.setSampleRateOf(maps, rate);
            loaded.entry().testRun(TestRun.of(small).withRepeat(runs));
            List<Decoded> sampled = decodeAll(samples);
            double mean = runs / (double) rate;
            double sd = Math.sqrt(runs * (1.0 / rate) * (1 - 1.0 / rate));
            assertThat((double) sampled.size()).isBetween(mean - 5 * sd, mean + 5 * sd);
            assertThat(sampled)
                    .allSatisfy(s -> assertThat(s.sample().samplingRate()).isEqualTo(rate));
            Map<Counter, Long> counters = Status.sumCounters(maps.get(DataplaneMaps.COUNTERS));
            assertThat(counters.get(Counter.SAMPLED)).isEqualTo(2 + sampled.size());
            assertThat(counters.get(Counter.SEEN)).isEqualTo(2 + runs);
            assertThat(counters.get(Counter.DROPPED)).isEqualTo(2 + runs);

            Attachment.setSampleRateOf(maps, 0);
            loaded.entry().testRun(TestRun.of(small).withRepeat(1000));
            assertThat(decodeAll(samples)).as("N = 0 turns sampling off").isEmpty();
        }
    }

    /**
     * Packet by packet on one CPU (the countdown is per CPU: a thread of its own, pinned): every
     * gap between two samples is a skip in [1, 2N − 1], every skip occurs, their mean is N, a CPU's
     * first packet only draws, and a lowered N applies within 2N packets.
     */
    @Test
    void eachCpuSamplesAfterARandomSkipOf1To2NMinus1Packets() throws Exception {
        RuleSetObject object = ProgramRunTest.compile(DROP_ALL_UDP);
        byte[] frame = Frames.udp("192.0.2.1", "198.51.100.2", 1234, 53, 20);
        int rate = 8;
        int packets = 16_000;
        List<Integer> sampledAt = new ArrayList<>();
        List<Integer> afterLowering = new ArrayList<>();
        try (DataplaneMapSet maps = DataplaneMapSet.create();
                LoadedProgram loaded = LoadedProgram.load(object, object.constants(null, Instant.now()), maps);
                RingBufferReader samples = RingBufferReader.open(maps.get(DataplaneMaps.SAMPLES))) {
            Thread onOneCpu = Thread.ofPlatform().unstarted(() -> {
                ThreadAffinity.pin(0);
                Attachment.prepareMaps(object, maps, rate);
                for (int i = 0; i < packets; i++) {
                    assertThat(ProgramRunTest.run(loaded, frame)).isEqualTo(XdpAction.DROP);
                    if (!decodeAll(samples).isEmpty()) {
                        sampledAt.add(i);
                    }
                }
                Attachment.setSampleRateOf(maps, 100_000);
                for (int i = 0; i < 3; i++) {
                    ProgramRunTest.run(loaded, frame);
                }
                decodeAll(samples);
                Attachment.setSampleRateOf(maps, 4);
                for (int i = 0; i < 8; i++) {
                    ProgramRunTest.run(loaded, frame);
                    if (!decodeAll(samples).isEmpty()) {
                        afterLowering.add(i);
                    }
                }
            });
            Throwable[] failed = new Throwable[1];
            onOneCpu.setUncaughtExceptionHandler((t, e) -> failed[0] = e);
            onOneCpu.start();
            onOneCpu.join();
            if (failed[0] != null) {
                throw new AssertionError("on CPU 0: " + failed[0], failed[0]);
            }
        }
        assertThat(sampledAt.getFirst())
                .as("the first packet draws a skip, it is not sampled")
                .isPositive();
        List<Integer> gaps = new ArrayList<>();
        for (int i = 1; i < sampledAt.size(); i++) {
            gaps.add(sampledAt.get(i) - sampledAt.get(i - 1));
        }
        assertThat(gaps).allSatisfy(g -> assertThat(g).isBetween(1, 2 * rate - 1));
        assertThat(gaps.stream().distinct().count()).as("every skip occurs").isEqualTo(2 * rate - 1);
        // uniform on [1, 2N − 1]: mean N, variance ((2N − 1)² − 1) / 12
        double mean = gaps.stream().mapToInt(Integer::intValue).average().orElseThrow();
        double sd = Math.sqrt((Math.pow(2 * rate - 1, 2) - 1) / 12 / gaps.size());
        assertThat(mean).isBetween(rate - 5 * sd, rate + 5 * sd);
        assertThat(afterLowering)
                .as("N lowered from 100,000 to 4: a sample within 8 packets")
                .isNotEmpty();
    }

    @Test
    void aFullRingBufferCountsLostSamplesAndNeverStopsThePacketPath() {
        RuleSetObject object = ProgramRunTest.compile(DROP_ALL_UDP);
        byte[] frame = Frames.udp("192.0.2.1", "198.51.100.2", 1234, 53, 200);
        int runs = 20_000; // 1 MiB holds 1 MiB / (8 + 32 + 128) ≈ 6241 samples
        try (DataplaneMapSet maps = DataplaneMapSet.create();
                LoadedProgram loaded = LoadedProgram.load(object, object.constants(null, Instant.now()), maps)) {
            Attachment.prepareMaps(object, maps, 1);
            assertThat(loaded.entry()
                            .testRun(TestRun.of(frame).withRepeat(runs))
                            .returnValue())
                    .isEqualTo(XdpAction.DROP.code());
            Map<Counter, Long> counters = Status.sumCounters(maps.get(DataplaneMaps.COUNTERS));
            assertThat(counters.get(Counter.SEEN)).isEqualTo(runs);
            assertThat(counters.get(Counter.DROPPED)).isEqualTo(runs);
            assertThat(counters.get(Counter.SAMPLED)).isEqualTo((1 << 20) / (8 + 32 + 128));
            assertThat(counters.get(Counter.SAMPLED) + counters.get(Counter.SAMPLES_LOST))
                    .isEqualTo(runs);
            try (RingBufferReader samples = RingBufferReader.open(maps.get(DataplaneMaps.SAMPLES))) {
                assertThat(decodeAll(samples)).hasSize((int) (long) counters.get(Counter.SAMPLED));
            }
        }
    }

    /** A sample and the interface it names, which the sample leaves out. */
    record Decoded(Sample sample, int ifindex) {}

    static List<Decoded> decodeAll(RingBufferReader reader) {
        List<Decoded> samples = new ArrayList<>();
        reader.drain(record -> samples.add(new Decoded(
                SampleLayout.decode(record, "dc", "node"), record.get(JAVA_INT_UNALIGNED, SampleLayout.IFINDEX))));
        return samples;
    }
}
