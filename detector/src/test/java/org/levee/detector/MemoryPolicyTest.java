package org.levee.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.detector.fingerprint.Fingerprint;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.sample.TrafficClass;
import org.levee.detector.synth.PacketFactory;
import org.levee.detector.synth.Traffic;
import org.levee.rules.Action;
import org.levee.rules.AttackEvidence;
import org.levee.rules.IpAddress;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.Sample;
import org.levee.testing.Requirements;

/**
 * Who the detector forgets, and who it never forgets, when the table of tracked destinations is
 * full (docs/security.md, "Bounded memory"): a destination under attack never; a busy one never
 * for a newcomer; an idle one always, its baseline kept by its aggregate; a flooded newcomer gets
 * in within a few samples.
 */
class MemoryPolicyTest {

    static final long SECOND = 1_000_000_000L;
    static final long SLICE = 10_000_000L;
    static final int SAMPLING = 1000;

    @BeforeEach
    void libpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    /** Adds the samples of one 10 ms slice [from, to) to {@code out}. */
    @FunctionalInterface
    interface Source {
        void emit(long from, long to, SplittableRandom r, List<Sample> out);
    }

    static Sample sample(byte[] frame, long t) {
        return new Sample(frame, frame.length, SAMPLING, t, "ams", "ams-1");
    }

    /** {@code perSecond} samples a second of {@code packets} between {@code start} and {@code end} seconds, evenly spread. */
    static Source steady(double start, double end, int perSecond, PacketFactory packets) {
        return (from, to, r, out) -> {
            long first = (long) (start * SECOND);
            long last = (long) (end * SECOND);
            long period = SECOND / perSecond;
            // The k-th sample at first + k * period: the ones falling in [from, to).
            long k = Math.max(0, (from - first + period - 1) / period);
            for (long t = first + k * period; t < to && t < last; t += period) {
                if (t >= from) {
                    out.add(sample(packets.next(r), t));
                }
            }
        };
    }

    /** Each sample to a new address of 198.18.0.0/15 (a spoofed flood's one-off destinations), {@code repeats} times in a row. */
    static Source spoofed(double start, double end, int perSecond, int repeats) {
        long[] sent = {0};
        return (from, to, r, out) -> {
            if (from < (long) (start * SECOND) || from >= (long) (end * SECOND)) {
                return;
            }
            int n = perSecond / 100;
            for (int i = 0; i < n; i++) {
                // An odd multiplier permutes the 2^17 addresses of the /15: all distinct until it wraps.
                long id = (sent[0]++ / repeats) * 0x9e37L & 0x1ffff;
                IpAddress destination = IpAddress.ipv4(0xc6120000 | (int) id);
                out.add(sample(Traffic.synFlood(destination).next(r), from + i * (to - from) / n));
            }
        };
    }

    /** Runs the sources over [from, to) seconds, slice by slice, calling {@code everySecond} at each whole second. */
    static List<Decision> run(
            Detector detector, double from, double to, long seed, LongConsumer everySecond, Source... sources) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Decision> decisions = new ArrayList<>();
        List<Sample> slice = new ArrayList<>();
        for (long t = (long) (from * SECOND); t < (long) (to * SECOND); t += SLICE) {
            slice.clear();
            for (Source s : sources) {
                s.emit(t, t + SLICE, r, slice);
            }
            slice.sort(Comparator.comparingLong(Sample::timestampNanos));
            for (Sample s : slice) {
                detector.accept(s);
            }
            detector.advanceTo(t + SLICE);
            decisions.addAll(detector.drainDecisions());
            if ((t + SLICE) % SECOND == 0) {
                everySecond.accept((t + SLICE) / SECOND);
            }
        }
        return decisions;
    }

    static List<Decision> of(List<Decision> decisions, Decision.Kind kind, Prefix destination) {
        return decisions.stream()
                .filter(d -> d.kind() == kind && d.destination().equals(destination))
                .toList();
    }

    /**
     * The table is full of a spoofed flood's destinations when a flood hits a host nobody sent
     * to before, below its /24's threshold: it is let in within a few samples and gets its own
     * drop rule within a second, where without room it would have been seen by nothing.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void aFloodOnANewHostGetsItTrackedWhenTheTableIsFull(long seed) {
        DetectorConfig config = DetectorConfig.defaults().withMaxTrackedDestinations(2000);
        Detector detector = new Detector(config, new FingerprintFilterCompiler());
        IpAddress victim = IpAddress.parse("203.0.113.10");
        List<Decision> decisions = run(
                detector,
                0,
                14,
                seed,
                second -> assertThat(detector.trackedDestinations()).isLessThanOrEqualTo(2000),
                spoofed(0, 14, 1000, 1),
                steady(10, 14, 50, Traffic.synFlood(victim)));

        assertThat(detector.trackedDestinations()).isEqualTo(2000);
        assertThat(detector.samplesInAggregateOnly())
                .as("spoofed samples in their aggregate only")
                .isGreaterThan(5000);
        List<Decision> added = of(decisions, Decision.Kind.RULE_ADDED, Prefix.host(victim));
        assertThat(added).as("%s", decisions).hasSize(1);
        assertThat(added.getFirst().trafficClass()).isEqualTo(TrafficClass.TCP_SYN);
        assertThat(added.getFirst().rule().action()).isEqualTo(new Action.Drop());
        assertThat(added.getFirst().timeNanos()).isBetween(10 * SECOND, 11 * SECOND);
        assertThat(decisions)
                .as("nothing but the victim is attacked")
                .allSatisfy(d -> assertThat(d.destination()).isEqualTo(Prefix.host(victim)));
    }

    /**
     * An attacker who knows the policy sends each spoofed address four samples in a row, enough
     * to count as busy: those take the places of quiet destinations, never those of the hosts
     * with regular traffic (one sample a second each), whose baselines keep learning throughout.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {4, 5})
    void busyHostsAreNeverPushedOutByNewcomers(long seed) {
        DetectorConfig config = DetectorConfig.defaults().withMaxTrackedDestinations(300);
        Detector detector = new Detector(config, new FingerprintFilterCompiler());
        List<IpAddress> regular = new ArrayList<>();
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            IpAddress host = IpAddress.ipv4(0xcb007100 | (1 + i)); // 203.0.113.1-100
            regular.add(host);
            // Each at its own offset in the second, one sample a second.
            double offset = i / 100.0;
            sources.add(steady(offset, 60, 1, Traffic.webClients(host)));
        }
        sources.add(spoofed(5, 60, 8000, 4));
        List<Decision> decisions = run(
                detector,
                0,
                60,
                seed,
                second -> {
                    assertThat(detector.trackedDestinations()).isLessThanOrEqualTo(300);
                    if (second >= 2) {
                        for (IpAddress host : regular) {
                            assertThat(detector.tracks(Prefix.host(host)))
                                    .as("%s at %d s", host, second)
                                    .isTrue();
                        }
                    }
                },
                sources.toArray(Source[]::new));

        assertThat(decisions).isEmpty();
        assertThat(detector.destinationsForgotten())
                .as("spoofed destinations let in, then pushed out by others")
                .isGreaterThan(1000);
        for (IpAddress host : regular) {
            assertThat(detector.learnedSeconds(Prefix.host(host)))
                    .as("%s", host)
                    .isGreaterThanOrEqualTo(55);
        }
    }

    /**
     * A host whose flood stopped is silent for longer than the idle time while its rule cools
     * down, and busy newcomers press on the full table: it stays tracked until the rule is
     * retired, and is forgotten only after that.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {6, 7})
    void aDestinationUnderAttackIsNeverForgotten(long seed) {
        DetectorConfig config =
                DetectorConfig.defaults().withMaxTrackedDestinations(64).withIdleForgetAfter(Duration.ofSeconds(10));
        Detector detector = new Detector(config, new FingerprintFilterCompiler());
        IpAddress victim = IpAddress.parse("203.0.113.10");
        Prefix host = Prefix.host(victim);
        List<Decision> decisions = run(
                detector,
                0,
                100,
                seed,
                second -> {
                    assertThat(detector.trackedDestinations()).isLessThanOrEqualTo(64);
                    if (second > 1 && second <= 65) {
                        assertThat(detector.tracks(host))
                                .as("victim at %d s", second)
                                .isTrue();
                    }
                },
                steady(0, 5, 200, Traffic.synFlood(victim)),
                spoofed(0, 100, 2000, 4));

        List<Decision> added = of(decisions, Decision.Kind.RULE_ADDED, host);
        assertThat(added).as("%s", decisions).hasSize(1);
        List<Decision> retired = of(decisions, Decision.Kind.RULE_RETIRED, host);
        assertThat(retired).hasSize(1);
        assertThat(retired.getFirst().timeNanos()).isBetween(65 * SECOND, 67 * SECOND);
        assertThat(detector.tracks(host))
                .as("forgotten once the rule is retired and it was idle")
                .isFalse();
    }

    /**
     * A host silent for longer than the idle time is forgotten, but its aggregate keeps its
     * baseline: when it comes back (and when a new host of the same /24 appears) the baseline
     * starts warm, not from nothing.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {8, 9})
    void aForgottenHostsBaselineLivesOnInItsAggregate(long seed) {
        DetectorConfig config = DetectorConfig.defaults().withIdleForgetAfter(Duration.ofSeconds(10));
        Detector detector = new Detector(config, new FingerprintFilterCompiler());
        IpAddress quiet = IpAddress.parse("203.0.113.10");
        IpAddress neighbour = IpAddress.parse("203.0.113.20");
        IpAddress newcomer = IpAddress.parse("203.0.113.30");
        run(
                detector,
                0,
                60,
                seed,
                second -> {
                    if (second == 40) {
                        assertThat(detector.learnedSeconds(Prefix.host(quiet))).isGreaterThanOrEqualTo(35);
                    }
                    if (second == 59) {
                        assertThat(detector.tracks(Prefix.host(quiet)))
                                .as("idle since 40 s")
                                .isFalse();
                        assertThat(detector.tracks(Prefix.parse("203.0.113.0/24")))
                                .isTrue();
                    }
                },
                steady(0, 40, 5, Traffic.webClients(quiet)),
                steady(0, 70, 5, Traffic.webClients(neighbour)));
        assertThat(detector.destinationsForgotten()).isEqualTo(1);

        run(
                detector,
                60,
                61,
                seed,
                second -> {},
                steady(60, 61, 5, Traffic.webClients(quiet)),
                steady(60, 61, 5, Traffic.webClients(newcomer)),
                steady(60, 61, 5, Traffic.webClients(neighbour)));
        assertThat(detector.learnedSeconds(Prefix.host(quiet)))
                .as("back, from its aggregate's prior")
                .isGreaterThanOrEqualTo(35);
        assertThat(detector.learnedSeconds(Prefix.host(newcomer))).isGreaterThanOrEqualTo(35);
    }

    /**
     * An adopted rule is an attack: its destination is tracked even when every tracked
     * destination is busy (the least recently seen make room for it and its aggregate).
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = 10)
    void anAdoptedRulesDestinationIsTrackedEvenWhenTheTableIsFull(long seed) {
        DetectorConfig config = DetectorConfig.defaults().withMaxTrackedDestinations(16);
        Detector detector = new Detector(config, new FingerprintFilterCompiler());
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sources.add(steady(0, 10, 10, Traffic.webClients(IpAddress.ipv4(0xc6120001 | (i << 8))))); // 198.18.i.1
        }
        run(detector, 0, 10, seed, second -> {}, sources.toArray(Source[]::new));
        assertThat(detector.trackedDestinations()).isEqualTo(16);

        IpAddress victim = IpAddress.parse("203.0.113.10");
        Match.Cbpf filter = new FingerprintFilterCompiler()
                .compile(Prefix.host(victim), new Fingerprint(TrafficClass.TCP_SYN, 4, Map.of()));
        Rule rule = new Rule(
                "auto-other-1",
                filter,
                List.of(),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                "tcp_syn attack on 203.0.113.10/32",
                Origin.AUTO);
        AttackEvidence evidence = new AttackEvidence(
                "203.0.113.10/32",
                "tcp_syn",
                "threshold",
                30_000,
                1e7,
                20_000L,
                null,
                0,
                null,
                null,
                null,
                0,
                null,
                null,
                "made elsewhere");
        assertThat(detector.adopt(rule, evidence).outcome()).isEqualTo(Detector.Adoption.Outcome.ADOPTED);
        assertThat(detector.tracks(Prefix.host(victim))).isTrue();
        assertThat(detector.tracks(Prefix.parse("203.0.113.0/24"))).isTrue();
        assertThat(detector.trackedDestinations()).isEqualTo(16);
        assertThat(detector.rules()).containsExactly(rule);
    }

    /**
     * Attacks on 200 hosts at once: every one is detected at once, at most
     * {@link Detector#MAX_FINGERPRINTING_ATTACKS} collect their samples at a time (each holds
     * hundreds of kilobytes), and the others take their turn: every host gets its drop rule
     * within a few fingerprint delays.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12})
    void manyAttacksAtOnceAreFingerprintedInTurn(long seed) {
        Detector detector = new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler());
        List<IpAddress> victims = new ArrayList<>();
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            IpAddress victim = IpAddress.ipv4(0xc6120000 | ((i / 100) << 8) | (1 + i % 100)); // 198.18.0-1.1-100
            victims.add(victim);
            sources.add(steady(1 + i / 1000.0, 8, 50, Traffic.synFlood(victim)));
        }
        SplittableRandom r = new SplittableRandom(seed);
        List<Decision> decisions = new ArrayList<>();
        List<Sample> slice = new ArrayList<>();
        int peak = 0;
        for (long t = 0; t < 8 * SECOND; t += SLICE) {
            slice.clear();
            for (Source s : sources) {
                s.emit(t, t + SLICE, r, slice);
            }
            slice.sort(Comparator.comparingLong(Sample::timestampNanos));
            for (Sample s : slice) {
                detector.accept(s);
                peak = Math.max(peak, detector.fingerprintingAttacks());
            }
            detector.advanceTo(t + SLICE);
            peak = Math.max(peak, detector.fingerprintingAttacks());
            decisions.addAll(detector.drainDecisions());
        }

        assertThat(peak).isEqualTo(Detector.MAX_FINGERPRINTING_ATTACKS);
        assertThat(detector.fingerprintingAttacks()).isZero();
        long lastRule = 0;
        for (IpAddress victim : victims) {
            Prefix host = Prefix.host(victim);
            List<Decision> detected = of(decisions, Decision.Kind.ATTACK_DETECTED, host);
            assertThat(detected).as("%s", host).hasSize(1);
            assertThat(detected.getFirst().timeNanos()).isBetween(SECOND, 2 * SECOND);
            List<Decision> added = of(decisions, Decision.Kind.RULE_ADDED, host);
            assertThat(added).as("%s", host).hasSize(1);
            assertThat(added.getFirst().rule().action()).isEqualTo(new Action.Drop());
            Match.Cbpf filter = (Match.Cbpf) added.getFirst().rule().match();
            byte[] f = Traffic.synFlood(victim).next(r);
            assertThat(filter.matches(f, f.length))
                    .as("%s", added.getFirst().rule())
                    .isTrue();
            lastRule = Math.max(lastRule, added.getFirst().timeNanos());
        }
        // 200 attacks, 64 at a time, each decided within the 500 ms delay: four turns.
        assertThat(lastRule).as("the last rule").isLessThan(4 * SECOND);
        assertThat(decisions)
                .as("nothing else")
                .allSatisfy(d -> assertThat(d.kind()).isIn(Decision.Kind.ATTACK_DETECTED, Decision.Kind.RULE_ADDED));
    }
}
