package org.levee.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.levee.detector.Detector;
import org.levee.detector.DetectorConfig;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.synth.PacketFactory;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;
import org.levee.rules.Sample;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Samples one {@link Detector} takes per second on one thread (JMH; {@code levee bench detector}).
 * Destinations are hosts in 198.18.0.0/15, the range reserved for benchmarks, spread over its 512
 * /24s; each receives web and DNS traffic from the synthesiser ({@link Traffic}) at 10 samples per
 * simulated second (10 kpps at 1 in 1000), so that no threshold is crossed and the figure is the
 * steady-state cost: decode, two rate windows, history, threshold and baseline checks. With
 * {@code floods} &gt; 0 a quarter of all samples are SYN floods on that many destinations, whose
 * samples the detector re-matches against their drop rules with the cBPF interpreter.
 *
 * <p>65,536 frames are built once and cycled; a simulated minute of traffic (at least 3 million
 * samples) warms every destination's state and baseline before JMH's own warm-up. With few
 * destinations every destination's state stays in the CPU caches, which separates the detector's
 * computation from the memory latency of many destinations.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DetectorBenchmark {
    private static final int FRAMES = 1 << 16;

    /** Hosts receiving traffic. */
    @Param({"10000"})
    public int destinations;

    /** Hosts flooded with SYNs (0: steady traffic only). */
    @Param({"0", "100"})
    public int floods;

    private byte[][] frames;
    private Detector detector;
    private long step;
    private long clock;
    private int next;

    /** JMH makes one per trial; {@link #setUp} builds it. */
    public DetectorBenchmark() {}

    /** Builds the frames and the detector, and warms the detector's state for a simulated minute. */
    @Setup(Level.Trial)
    public void setUp() {
        if (destinations < 1 || destinations > 130_048) {
            throw new IllegalArgumentException(
                    "destinations " + destinations + " must be within 1..130048 (254 hosts in each of 512 /24s)");
        }
        if (floods < 0 || floods > destinations) {
            throw new IllegalArgumentException("floods " + floods + " must be within 0..destinations");
        }
        frames = frames(destinations, floods);
        detector = new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler());
        int samplesPerSimulatedSecond = destinations * 10;
        step = 1_000_000_000L / samplesPerSimulatedSecond;
        long warmup = Math.max(60L * samplesPerSimulatedSecond, 3_000_000);
        for (long i = 0; i < warmup; i++) {
            accept();
        }
    }

    /** Hands the detector the next sample. */
    @Benchmark
    public void accept() {
        byte[] frame = frames[next];
        next = (next + 1) & (FRAMES - 1);
        detector.accept(new Sample(frame, frame.length, 1000, clock += step, "ams", "ams-1"));
    }

    /** Drops the decisions the iteration made (the agent drains them every tick). */
    @TearDown(Level.Iteration)
    public void drainDecisions() {
        detector.drainDecisions();
    }

    /** The detector being measured: its rules and tracked destinations say the set-up did what it should. */
    Detector detector() {
        return detector;
    }

    private static IpAddress destination(int i) {
        // 198.18.0.0/15 holds 512 /24s: spread the hosts over all of them.
        return IpAddress.ipv4(0xc6120000 | ((i % 512) << 8) | (1 + i / 512));
    }

    private static byte[][] frames(int destinations, int floods) {
        SplittableRandom r = new SplittableRandom(42);
        List<PacketFactory> web = new ArrayList<>();
        List<PacketFactory> dns = new ArrayList<>();
        for (int i = 0; i < destinations; i++) {
            web.add(Traffic.webClients(destination(i)));
            dns.add(Traffic.dnsQueries(destination(i)));
        }
        byte[][] frames = new byte[FRAMES][];
        for (int i = 0; i < FRAMES; i++) {
            int d = r.nextInt(destinations);
            boolean flood = floods > 0 && r.nextInt(4) == 0; // a quarter of all samples are attack
            frames[i] = flood
                    ? Traffic.synFlood(destination(r.nextInt(floods))).next(r)
                    : r.nextInt(10) == 0 ? dns.get(d).next(r) : web.get(d).next(r);
        }
        return frames;
    }
}
