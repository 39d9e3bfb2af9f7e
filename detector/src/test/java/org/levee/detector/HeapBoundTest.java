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
 * The worst cases of docs/security.md's bound ("Bounded memory"), measured as {@link MemoryBound}
 * says: a full table whose every host has regular traffic long enough to fill its history, and
 * the most attacks that collect samples at once with their reservoirs full. Each stays under its
 * bound and above what it must hold at least (so the scenario really is the worst case, not an
 * empty detector).
 */
class HeapBoundTest {

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

    /**
     * 1500-byte samples, which the detector cuts to {@link Detector#MAX_SAMPLE_BYTES} (uncut they
     * alone would be six times the bound).
     */
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
                                .udp(1024 + r.nextInt(60000), 53, payload)
                                .build();
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
        System.out.printf(
                "full histories: %,d tracked, %,d KiB retained (%,d B per tracked), bound %,d KiB,"
                        + " histories' packet bytes %,d KiB%n",
                detector.trackedDestinations(),
                retained >> 10,
                retained / detector.trackedDestinations(),
                bound >> 10,
                packets >> 10);

        assertThat(decisions).as("regular traffic only").isEmpty();
        assertThat(detector.trackedDestinations()).isEqualTo(LIMIT);
        assertThat(detector.samplesInAggregateOnly()).isZero();
        assertThat(retained).as("retained heap").isLessThanOrEqualTo(bound).isGreaterThanOrEqualTo(packets);
        // Keeps the detector reachable until after the measurement.
        assertThat(detector.samplesSeen()).isEqualTo((long) hosts * PER_SECOND * SECONDS);
    }

    /**
     * {@link Detector#MAX_FINGERPRINTING_ATTACKS} floods at once, each on a host of its own /24,
     * of 256-byte samples (UDP, random payloads), collected for 400 ms as a controller does (a
     * minimum fingerprint span), measured after 300 ms, when every reservoir is full: under
     * {@link MemoryBound#floodBytes} with that many attacks being fingerprinted, and at least the
     * reservoirs' packet bytes.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = 22)
    void attacksBeingFingerprintedStayUnderTheBound(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int attacks = Detector.MAX_FINGERPRINTING_ATTACKS;
        int perSecond = 4000; // per host: 1200 samples in 300 ms, more than the reservoir's 512
        DetectorConfig config = DetectorConfig.defaults().withMinFingerprintSpan(java.time.Duration.ofMillis(400));
        long before = MemoryBound.heapUsedAfterGc();
        Detector detector = new Detector(config, new FingerprintFilterCompiler());
        long period = SECOND / ((long) attacks * perSecond);
        long t = SECOND;
        List<Decision> decisions = new ArrayList<>();
        for (int k = 0; t < SECOND + 300_000_000L; k++) {
            int host = k % attacks;
            byte[] payload = new byte[256 - 14 - 20 - 8];
            r.nextBytes(payload);
            byte[] frame = new FrameBuilder()
                    .addresses(IpAddress.ipv4(0x0a000000 | r.nextInt(1 << 24)), host(host, 0))
                    .udp(1024 + r.nextInt(60000), 9999, payload)
                    .build();
            detector.accept(new Sample(frame, frame.length, 1000, t, "ams", "ams-1"));
            t += period;
            if (k % 1000 == 0) {
                detector.advanceTo(t);
                decisions.addAll(detector.drainDecisions());
            }
        }
        decisions.addAll(detector.drainDecisions());
        long retained = MemoryBound.heapUsedAfterGc() - before;
        long bound = MemoryBound.floodBytes(config, attacks, 0);
        long packets = (long) attacks * config.reservoirSize() * 256;
        System.out.printf(
                "fingerprinting: %d attacks collecting, %,d KiB retained (%,d B per attack), bound %,d KiB,"
                        + " reservoirs' packet bytes %,d KiB%n",
                detector.fingerprintingAttacks(), retained >> 10, retained / attacks, bound >> 10, packets >> 10);

        assertThat(decisions)
                .as("detected, none decided yet")
                .hasSize(attacks)
                .allSatisfy(d -> assertThat(d.kind()).isEqualTo(Decision.Kind.ATTACK_DETECTED));
        assertThat(detector.fingerprintingAttacks()).isEqualTo(attacks);
        assertThat(retained).as("retained heap").isLessThanOrEqualTo(bound).isGreaterThanOrEqualTo(packets);
    }
}
