package org.levee.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.sample.TrafficClass;
import org.levee.detector.synth.FrameBuilder;
import org.levee.detector.synth.Traffic;
import org.levee.rules.Action;
import org.levee.rules.IpAddress;
import org.levee.rules.Match;
import org.levee.rules.Prefix;
import org.levee.rules.Sample;
import org.levee.testing.Requirements;

/**
 * Issue 17's acceptance test: a spoofed SYN flood to 10 million distinct addresses (carpet
 * bombing 64 IPv6 /64s) keeps the detector's retained heap under the bound docs/security.md
 * ("Bounded memory") documents for the default limit (used heap after full collections, as
 * {@link MemoryBound} measures it), while 200 hosts with regular web traffic
 * stay tracked, a SYN flood on one of them during the carpet gets its host rule, and the carpet
 * gets a rule on each /64 through the aggregates. Afterwards the idle destinations are forgotten.
 *
 * <p>The stream is built on the fly, one 10 ms slice at a time, sampled 1 in 1000: legitimate web
 * traffic (10 samples a second per host), 100,000 carpet samples a second for 100 s, and a 200
 * kpps flood on one host for 10 s. Every sample's bytes are a fresh array, as samples really
 * arrive (the detector keeps some of them in its histories: reusing one buffer would hide them
 * from the measurement).
 */
class CarpetBombingMemoryTest {

    static final int SAMPLING = 1000;
    static final long SECOND = 1_000_000_000L;
    static final long SLICE = 10_000_000L;
    static final int LEGIT_HOSTS = 200;
    static final int LEGIT_PER_SECOND = LEGIT_HOSTS * 10;
    static final int CARPET_SAMPLES = 10_000_000;
    static final int CARPET_NETWORKS = 64;
    static final int CARPET_PER_SECOND = 100_000;
    static final long CARPET_START = 40 * SECOND;
    static final long CARPET_END = CARPET_START + (long) CARPET_SAMPLES / CARPET_PER_SECOND * SECOND;
    static final IpAddress VICTIM = IpAddress.parse("198.18.0.7");
    static final long FLOOD_START = 90 * SECOND;
    static final long FLOOD_END = 100 * SECOND;
    static final int FLOOD_PER_SECOND = 200;
    static final long RUN_END = CARPET_END + 100 * SECOND;
    static final Duration IDLE = Duration.ofSeconds(30);

    @BeforeEach
    void libpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    static final int LEGIT_NETWORKS = 20;

    static IpAddress legitHost(int i) {
        // 198.18.0-19.1-10: ten hosts in each of twenty /24s (100 kpps each), the victim among them.
        return IpAddress.ipv4(0xc6120000 | ((i % LEGIT_NETWORKS) << 8) | (1 + i / LEGIT_NETWORKS));
    }

    static IpAddress carpetNetwork(int k) {
        return IpAddress.ipv6(0x2001_0db8_0000_0000L | k, 0);
    }

    /** A bijection of the sample number: distinct numbers give distinct interface identifiers. */
    static long scramble(long i) {
        long h = i * 0x9e3779b97f4a7c15L;
        h ^= h >>> 32;
        return h * 0xd6e8feb86659fd93L;
    }

    /** One attack tool's SYN (TTL 54, window 1024, MSS only, port 443) to {@code network}, with the address bytes to patch. */
    static byte[] carpetTemplate(int k) {
        byte[] mss = {2, 4, 5, (byte) 0xb4};
        return new FrameBuilder()
                .addresses(IpAddress.parse("2001:db8:1::1"), carpetNetwork(k))
                .ttl(54)
                .tcp(40000, 443, 0x02, 1024, mss, new byte[0])
                .build();
    }

    /** A fresh carpet frame: source and source port random, the destination's last 64 bits {@code id}. */
    static byte[] carpetFrame(byte[] template, long id, SplittableRandom r) {
        byte[] f = template.clone();
        long source = r.nextLong();
        for (int b = 0; b < 8; b++) {
            f[30 + b] = (byte) (source >>> (56 - 8 * b)); // IPv6 source, low half
            f[46 + b] = (byte) (id >>> (56 - 8 * b)); // IPv6 destination, low half
        }
        int port = 1024 + r.nextInt(64512);
        f[54] = (byte) (port >>> 8);
        f[55] = (byte) port;
        return f;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = 17)
    void tenMillionSpoofedDestinationsStayUnderTheBoundAndAttacksAreStillDetected(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[][][] legit = new byte[LEGIT_HOSTS][64][];
        for (int h = 0; h < LEGIT_HOSTS; h++) {
            for (int j = 0; j < legit[h].length; j++) {
                legit[h][j] = Traffic.webClients(legitHost(h)).next(r);
            }
        }
        byte[][] flood = new byte[1024][];
        for (int j = 0; j < flood.length; j++) {
            flood[j] = Traffic.synFlood(VICTIM).next(r);
        }
        byte[][] templates = new byte[CARPET_NETWORKS][];
        for (int k = 0; k < CARPET_NETWORKS; k++) {
            templates[k] = carpetTemplate(k);
        }
        DetectorConfig config = DetectorConfig.defaults().withIdleForgetAfter(IDLE);
        int limit = config.maxTrackedDestinations();
        assertThat(limit).isEqualTo(DetectorConfig.DEFAULT_MAX_TRACKED_DESTINATIONS);
        long before = MemoryBound.heapUsedAfterGc();
        Detector detector = new Detector(config, new FingerprintFilterCompiler());

        List<Decision> decisions = new ArrayList<>();
        long carpetSent = 0;
        long nextCheckpoint = 2_000_000;
        long peakRetained = 0;
        int peakTracked = 0;
        List<String> checkpoints = new ArrayList<>();
        int[] kinds = new int[LEGIT_PER_SECOND + CARPET_PER_SECOND + FLOOD_PER_SECOND];
        long started = System.nanoTime();
        for (long slice = 0; slice < RUN_END; slice += SLICE) {
            // This slice's samples, of each kind in proportion, in random order at even spacing.
            int n = 0;
            for (int i = 0; i < LEGIT_PER_SECOND / 100; i++) {
                kinds[n++] = 0;
            }
            if (slice >= CARPET_START && slice < CARPET_END) {
                for (int i = 0; i < CARPET_PER_SECOND / 100; i++) {
                    kinds[n++] = 1;
                }
            }
            if (slice >= FLOOD_START && slice < FLOOD_END) {
                for (int i = 0; i < FLOOD_PER_SECOND / 100; i++) {
                    kinds[n++] = 2;
                }
            }
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int k = kinds[i];
                kinds[i] = kinds[j];
                kinds[j] = k;
            }
            for (int i = 0; i < n; i++) {
                long t = slice + i * SLICE / n;
                byte[] frame = switch (kinds[i]) {
                    case 0 -> {
                        byte[][] pool = legit[r.nextInt(LEGIT_HOSTS)];
                        yield pool[r.nextInt(pool.length)].clone();
                    }
                    case 1 -> carpetFrame(templates[(int) (carpetSent % CARPET_NETWORKS)], scramble(carpetSent++), r);
                    default -> flood[r.nextInt(flood.length)].clone();
                };
                detector.accept(new Sample(frame, Math.max(frame.length, 60), SAMPLING, t, "ams", "ams-1"));
            }
            detector.advanceTo(slice + SLICE);
            decisions.addAll(detector.drainDecisions());
            peakTracked = Math.max(peakTracked, detector.trackedDestinations());
            assertThat(detector.trackedDestinations())
                    .as("tracked at %d s", slice / SECOND)
                    .isLessThanOrEqualTo(limit);
            if (carpetSent >= nextCheckpoint || (slice + SLICE >= CARPET_END && slice < CARPET_END)) {
                nextCheckpoint += 2_000_000;
                long retained = MemoryBound.heapUsedAfterGc() - before;
                peakRetained = Math.max(peakRetained, retained);
                checkpoints.add(String.format(
                        "%,d carpet samples: %,d tracked, %,d KiB retained",
                        carpetSent, detector.trackedDestinations(), retained >> 10));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                "carpet: %,d samples in %.1f s; peak %,d tracked, peak retained %,d KiB (%,d B per tracked);"
                        + " %,d forgotten, %,d in aggregates only, %,d uncounted%n  %s%n",
                detector.samplesSeen(),
                seconds,
                peakTracked,
                peakRetained >> 10,
                peakRetained / Math.max(1, peakTracked),
                detector.destinationsForgotten(),
                detector.samplesInAggregateOnly(),
                detector.samplesUncounted(),
                String.join("\n  ", checkpoints));

        assertThat(carpetSent).isEqualTo(CARPET_SAMPLES);
        assertThat(peakTracked).as("the table fills up to its limit").isEqualTo(limit);
        assertThat(peakRetained)
                .as("retained heap (%s)", checkpoints)
                .isLessThanOrEqualTo(MemoryBound.floodBytes(config, 0, CARPET_NETWORKS + 1));
        assertThat(detector.samplesInAggregateOnly())
                .as("carpet samples counted in their aggregate only")
                .isGreaterThan(CARPET_SAMPLES * 9L / 10);
        assertThat(detector.samplesUncounted()).isZero();

        // The SYN flood on one of the tracked hosts: its own drop rule, within a second.
        List<Decision> victimRules = decisions.stream()
                .filter(d ->
                        d.kind() == Decision.Kind.RULE_ADDED && d.destination().equals(Prefix.host(VICTIM)))
                .toList();
        assertThat(victimRules).as("%s", decisions).hasSize(1);
        Decision victimRule = victimRules.getFirst();
        assertThat(victimRule.trafficClass()).isEqualTo(TrafficClass.TCP_SYN);
        assertThat(victimRule.rule().action()).isEqualTo(new Action.Drop());
        assertThat(victimRule.timeNanos()).isBetween(FLOOD_START, FLOOD_START + SECOND);
        Match.Cbpf victimFilter = (Match.Cbpf) victimRule.rule().match();
        SplittableRandom fresh = new SplittableRandom(seed + 1);
        int matched = 0;
        for (int i = 0; i < 1000; i++) {
            byte[] f = Traffic.synFlood(VICTIM).next(fresh);
            matched += victimFilter.matches(f, f.length) ? 1 : 0;
        }
        assertThat(matched).as("flood packets matched by %s", victimRule.rule()).isGreaterThanOrEqualTo(990);
        for (int i = 0; i < 1000; i++) {
            byte[] f = Traffic.webClients(VICTIM).next(fresh);
            assertThat(victimFilter.matches(f, f.length))
                    .as("web packet matched by %s", victimRule.rule())
                    .isFalse();
        }

        // The carpet: one drop rule per /64, through the aggregates, each within a second.
        for (int k = 0; k < CARPET_NETWORKS; k++) {
            Prefix network = new Prefix(carpetNetwork(k), 64);
            List<Decision> added = decisions.stream()
                    .filter(d -> d.kind() == Decision.Kind.RULE_ADDED
                            && d.destination().equals(network))
                    .toList();
            assertThat(added).as("rules for %s", network).hasSize(1);
            Decision d = added.getFirst();
            assertThat(d.trafficClass()).isEqualTo(TrafficClass.TCP_SYN);
            assertThat(d.rule().action()).isEqualTo(new Action.Drop());
            assertThat(d.timeNanos()).isBetween(CARPET_START, CARPET_START + SECOND);
            byte[] f = carpetFrame(templates[k], fresh.nextLong(), fresh);
            assertThat(((Match.Cbpf) d.rule().match()).matches(f, f.length))
                    .as("%s", d.rule())
                    .isTrue();
        }
        assertThat(decisions.stream().filter(d -> d.kind() == Decision.Kind.ATTACK_DETECTED))
                .as("attacks detected: the victim and the 64 networks, nothing else")
                .hasSize(CARPET_NETWORKS + 1);

        // Every legitimate host stayed tracked; the carpet's hosts and networks were forgotten
        // once idle (the networks after their rules retired).
        for (int h = 0; h < LEGIT_HOSTS; h++) {
            assertThat(detector.tracks(Prefix.host(legitHost(h))))
                    .as("%s", legitHost(h))
                    .isTrue();
        }
        assertThat(detector.trackedDestinations()).isEqualTo(LEGIT_HOSTS + LEGIT_NETWORKS);
        assertThat(detector.rules()).isEmpty();
    }
}
