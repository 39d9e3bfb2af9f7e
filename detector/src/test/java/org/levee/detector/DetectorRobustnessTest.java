package org.levee.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.sample.TrafficClass;
import org.levee.detector.synth.PacketFactory;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;
import org.levee.rules.Prefix;
import org.levee.rules.Sample;
import org.levee.testing.Requirements;

/**
 * Corrupted floods: attacks whose frames are bit-flipped and whose samples are cut at random, at sampling rates
 * from 1 to 10,000, with thresholds low enough that they are detected and fingerprinted. The
 * detector must never throw, and every rule it makes must match some of the packets it saw.
 */
class DetectorRobustnessTest {

    @BeforeEach
    void libpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    static LongStream seeds() {
        return LongStream.range(1, 9);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void corruptedFloodsNeverBreakTheDetector(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        IpAddress v4 = IpAddress.parse("203.0.113.10");
        IpAddress v6 = IpAddress.parse("2001:db8:ffff::10");
        List<ThresholdOverride> low = java.util.Arrays.stream(TrafficClass.values())
                .flatMap(c -> java.util.stream.Stream.of(
                        new ThresholdOverride(Prefix.parse("203.0.113.0/24"), false, c, Threshold.packets(2_000)),
                        new ThresholdOverride(Prefix.parse("2001:db8:ffff::/48"), false, c, Threshold.packets(2_000))))
                .toList();
        Detector detector = new Detector(DetectorConfig.defaults().withOverrides(low), new FingerprintFilterCompiler());
        List<PacketFactory> kinds = List.of(
                Traffic.synFlood(v4),
                Traffic.dnsAmplification(v4),
                Traffic.randomSubdomain(v6, "store.example.net"),
                Traffic.ackFlood(v6),
                Traffic.udpFlood(v4),
                Traffic.webClients(v4),
                Traffic.memcachedAmplification(v6));
        List<byte[]> seen = new java.util.ArrayList<>();
        long t = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] frame = kinds.get((i / 2_000) % kinds.size()).next(r);
            for (int flips = r.nextInt(3); flips > 0; flips--) {
                frame[r.nextInt(frame.length)] ^= (byte) (1 << r.nextInt(8));
            }
            // The sample is a prefix of the (corrupted) packet that holds its headers, as any
            // sane snap length does.
            byte[] prefix = r.nextInt(3) == 0
                    ? java.util.Arrays.copyOf(frame, Math.min(frame.length, 80 + r.nextInt(frame.length)))
                    : frame;
            int rate = 1 + r.nextInt(10_000);
            t += r.nextInt(2_000_000);
            seen.add(frame);
            detector.accept(new Sample(prefix, frame.length, rate, t, "dc" + r.nextInt(5), "n"));
            // Junk at 1 in 1, often IP-looking: never an exception, never enough for a rule.
            byte[] junk = new byte[r.nextInt(100)];
            r.nextBytes(junk);
            if (junk.length > 14 && r.nextBoolean()) {
                junk[12] = (byte) (r.nextBoolean() ? 0x08 : 0x86);
                junk[13] = (byte) (junk[12] == 0x08 ? 0x00 : 0xdd);
                junk[14] = (byte) (junk[12] == 0x08 ? 0x45 : 0x60);
            }
            detector.accept(new Sample(junk, junk.length + r.nextInt(100), 1, t, "dc0", "n"));
            // Packets cut anywhere, headers included (a data-plane misconfiguration): no exception.
            if (r.nextInt(50) == 0) {
                byte[] cut = java.util.Arrays.copyOf(frame, r.nextInt(frame.length));
                detector.accept(new Sample(cut, frame.length, 1, t, "dc0", "n"));
            }
            if (i % 100 == 0) {
                detector.advanceTo(t);
            }
        }
        for (int second = 1; second <= 120; second++) { // the agent's clock ticks on
            detector.advanceTo(t + second * 1_000_000_000L);
        }
        List<Decision> decisions = detector.drainDecisions();
        List<Decision> added = decisions.stream()
                .filter(d -> d.kind() == Decision.Kind.RULE_ADDED)
                .toList();
        assertThat(added).as("the corrupted floods are still detected").isNotEmpty();
        for (Decision d : added) {
            assertThat(seen)
                    .as("%s matches some frame it was made from", d.rule())
                    .anyMatch(f -> ((org.levee.rules.Match.Cbpf) d.rule().match()).matches(f, f.length));
        }
        assertThat(decisions.stream().filter(d -> d.kind() == Decision.Kind.RULE_RETIRED))
                .as("%s", decisions)
                .hasSameSizeAs(added);
        assertThat(detector.rules()).isEmpty();
    }
}
