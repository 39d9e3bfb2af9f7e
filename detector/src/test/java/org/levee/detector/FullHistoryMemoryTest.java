package org.levee.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.synth.FrameBuilder;
import org.levee.rules.IpAddress;
import org.levee.rules.Sample;
import org.levee.testing.Requirements;

/**
 * The worst case of docs/security.md's bound ("Bounded memory"): a full table whose every host
 * has regular traffic long enough to fill its history, with 1500-byte samples (which the
 * detector cuts to {@link Detector#MAX_SAMPLE_BYTES}, else they alone would be six times the
 * bound). The retained heap stays under {@link MemoryBound#fullHistoriesBytes} and is at least
 * the histories' packet bytes (so the scenario really is the worst case, not an empty detector).
 */
class FullHistoryMemoryTest {

    static final long SECOND = 1_000_000_000L;
    static final int LIMIT = 2000;
    static final int NETWORKS = 200;
    static final int HOSTS_PER_NETWORK = LIMIT / NETWORKS - 1; // with their aggregate: the limit
    static final int PER_SECOND = 3; // more than the history takes from a second
    static final int SECONDS = 40;

    @BeforeEach
    void libpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    static IpAddress host(int network, int i) {
        return IpAddress.ipv4(0xc6120000 | (network << 8) | (1 + i)); // 198.18.n.i
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = 21)
    void fullHistoriesStayUnderTheBound(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        DetectorConfig config = DetectorConfig.defaults().withMaxTrackedDestinations(LIMIT);
        int hosts = NETWORKS * HOSTS_PER_NETWORK;
        long before = MemoryBound.heapUsedAfterGc();
        Detector detector = new Detector(config, new FingerprintFilterCompiler());
        List<Decision> decisions = new ArrayList<>();
        long period = SECOND / ((long) hosts * PER_SECOND);
        long t = 0;
        for (int s = 0; s < SECONDS; s++) {
            for (int k = 0; k < PER_SECOND; k++) {
                for (int n = 0; n < NETWORKS; n++) {
                    for (int i = 0; i < HOSTS_PER_NETWORK; i++) {
                        byte[] payload = new byte[1500 - 14 - 20 - 8];
                        r.nextBytes(payload);
                        byte[] frame = new FrameBuilder()
                                .addresses(IpAddress.ipv4(0x0a000000 | r.nextInt(1 << 24)), host(n, i))
                                .udp(1024 + r.nextInt(60000), 53, payload).build();
                        detector.accept(new Sample(frame, frame.length, 1000, t, "ams", "ams-1"));
                        t += period;
                    }
                }
            }
            t = (s + 1) * SECOND;
            detector.advanceTo(t);
            decisions.addAll(detector.drainDecisions());
        }
        long retained = MemoryBound.heapUsedAfterGc() - before;
        long bound = MemoryBound.fullHistoriesBytes(config);
        long packets = (long) hosts * config.historySamples() * Detector.MAX_SAMPLE_BYTES;
        System.out.printf("full histories: %,d tracked, %,d KiB retained (%,d B per tracked), bound %,d KiB,"
                + " histories' packet bytes %,d KiB%n", detector.trackedDestinations(), retained >> 10,
                retained / detector.trackedDestinations(), bound >> 10, packets >> 10);

        assertThat(decisions).as("regular traffic only").isEmpty();
        assertThat(detector.trackedDestinations()).isEqualTo(LIMIT);
        assertThat(detector.samplesInAggregateOnly()).isZero();
        assertThat(retained).as("retained heap").isLessThanOrEqualTo(bound).isGreaterThanOrEqualTo(packets);
        // Keeps the detector reachable until after the measurement.
        assertThat(detector.samplesSeen()).isEqualTo((long) hosts * PER_SECOND * SECONDS);
    }
}
