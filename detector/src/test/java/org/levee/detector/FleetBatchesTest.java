package org.levee.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.synth.PacketFactory;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;
import org.levee.rules.Rule;
import org.levee.rules.Sample;
import org.levee.testing.Requirements;

/**
 * A controller hears a fleet's samples in batches: each edge's sFlow exporter sends a datagram of
 * several samples at a time, every 100 ms. A flood spread evenly over four data centers must get a
 * rule for all of them, although the first samples of the attack all come from the data center
 * whose batch arrived first (the rule's data centers were once taken from the first samples only,
 * and scoped such a flood to one data center).
 */
class FleetBatchesTest {
    private static final List<String> DATACENTERS = List.of("ams", "fra", "lhr", "sin");
    private static final IpAddress VICTIM = IpAddress.parse("203.0.113.10");

    @Test
    void withoutTheMinimumSpanTheFirstBatchDecidesAlone() {
        Requirements.library("libpcap.so.0.8");
        Rule first = firstRule(DetectorConfig.defaults(), 1);
        assertThat(first.datacenters())
                .as("the rule of a detector that fingerprints the first batch")
                .isNotEmpty()
                .hasSizeLessThan(DATACENTERS.size());
    }

    @Test
    void aFloodSpreadOverEveryDatacenterInBatchesGetsARuleForAllOfThem() {
        Requirements.library("libpcap.so.0.8");
        for (long seed : new long[] {1, 2, 3}) {
            Rule first =
                    firstRule(DetectorConfig.defaults().withMinFingerprintSpan(java.time.Duration.ofMillis(100)), seed);
            assertThat(first.datacenters())
                    .as("data centers of the first rule (empty: all), seed %d", seed)
                    .isEmpty();
        }
    }

    /**
     * A flood that reaches a second data center after its rule was made for the first: the rule
     * widens to both (same id), and stays so when the flood leaves the second one.
     */
    @Test
    void aRuleWidensWhenTheAttackReachesAnotherDatacenterAndNeverNarrows() {
        Requirements.library("libpcap.so.0.8");
        Detector detector = new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler());
        PacketFactory flood = Traffic.udpFlood(VICTIM);
        PacketFactory quiet = Traffic.udpFlood(IpAddress.parse("203.0.113.99"));
        SplittableRandom random = new SplittableRandom(7);
        List<Decision> decisions = new ArrayList<>();
        for (int tick = 0; tick < 100; tick++) {
            long at = 1_000_000_000L + tick * 100_000_000L;
            for (String dc : List.of("ams", "fra", "lhr", "sin", "nyc")) {
                byte[] frame = quiet.next(random); // a little other traffic: the fleet has five data centers
                detector.accept(new Sample(frame, frame.length, 1, at, dc, dc + "-1"));
            }
            // ams from the start; fra from 3 s to 7 s
            List<String> flooded = tick >= 30 && tick < 70 ? List.of("ams", "fra") : List.of("ams");
            for (String dc : flooded) {
                for (int i = 0; i < 100; i++) {
                    byte[] frame = flood.next(random);
                    detector.accept(new Sample(frame, frame.length, 200, at + 1_000_000L, dc, dc + "-1"));
                }
            }
            detector.advanceTo(at + 99_000_000L);
            decisions.addAll(detector.drainDecisions());
        }
        List<Decision> added = decisions.stream()
                .filter(d -> d.kind() == Decision.Kind.RULE_ADDED)
                .toList();
        assertThat(added).hasSize(1);
        assertThat(added.getFirst().rule().datacenters()).containsExactly("ams");
        List<Decision> widened = decisions.stream()
                .filter(d -> d.kind() == Decision.Kind.RULE_WIDENED)
                .toList();
        assertThat(widened).as("%s", decisions).hasSize(1);
        Rule rule = widened.getFirst().rule();
        assertThat(rule.id()).isEqualTo(added.getFirst().rule().id());
        assertThat(rule.datacenters()).containsExactly("ams", "fra");
        assertThat(rule.withDatacenters(List.of("ams")))
                .isEqualTo(added.getFirst().rule());
        assertThat(widened.getFirst().timeNanos())
                .as("widened within 1.5 s of the flood reaching fra")
                .isBetween(4_000_000_000L, 5_500_000_000L);
        assertThat(detector.rules()).containsExactly(rule);
    }

    private static Rule firstRule(DetectorConfig config, long seed) {
        {
            Detector detector = new Detector(config, new FingerprintFilterCompiler());
            PacketFactory flood = Traffic.udpFlood(VICTIM);
            SplittableRandom random = new SplittableRandom(seed);
            List<Rule> rules = new ArrayList<>();
            int samplingRate = 200; // each data center: 100 samples a batch, 10 batches a second, 1 in 200: 200 kpps
            for (int tick = 0; tick < 40; tick++) {
                long at = 1_000_000_000L + tick * 100_000_000L;
                for (int d = 0; d < DATACENTERS.size(); d++) {
                    String dc = DATACENTERS.get(d);
                    long batch = at + d * 25_000_000L; // the edges' exporters send at their own moments
                    for (int i = 0; i < 100; i++) {
                        byte[] frame = flood.next(random);
                        detector.accept(new Sample(frame, frame.length, samplingRate, batch, dc, dc + "-1"));
                    }
                }
                detector.advanceTo(at + 99_000_000L);
                detector.drainDecisions().stream()
                        .filter(d -> d.kind() == Decision.Kind.RULE_ADDED)
                        .forEach(d -> rules.add(d.rule()));
            }
            assertThat(rules).as("rules for the spread flood, seed %d", seed).isNotEmpty();
            return rules.getFirst();
        }
    }
}
