package org.levee.detector;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.synth.PacketFactory;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;
import org.levee.rules.Sample;

/**
 * Samples processed per second on one thread with 10,000 active destinations (not a test: run it
 * by hand, see docs/benchmarks.md). Destinations are 10,000 hosts in 198.18.0.0/15, the range
 * reserved for benchmarks, about 20 per /24; each receives web and DNS traffic at 10 samples per
 * simulated second (10 kpps at 1 in 1000), so that no threshold is crossed and the figure is the
 * steady-state cost: decode, two rate windows, history, threshold and baseline checks. A second
 * run adds SYN floods on 100 of the destinations, whose samples the detector re-matches against
 * their drop rules with the cBPF interpreter.
 *
 * <p>Arguments: [seconds to measure, default 10] [floods, default 100] [destinations, default
 * 10,000]. With few destinations every destination's state stays in the CPU caches, which
 * separates the detector's computation from the memory latency of many destinations.
 */
public final class DetectorBenchmark {

    private static final int FRAMES = 1 << 16;
    private static int destinations = 10_000;

    private DetectorBenchmark() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        int floods = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        destinations = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        System.out.printf(
                "detector benchmark: %d destinations, %d frames, Java %s, %d CPUs, load average %s%n",
                destinations,
                FRAMES,
                Runtime.version(),
                Runtime.getRuntime().availableProcessors(),
                read("/proc/loadavg"));
        measure("steady traffic", frames(0), seconds);
        measure(floods + " SYN floods under drop rules", frames(floods), seconds);
    }

    /** This thread's time on a CPU, from the scheduler's own accounting (Linux). */
    private static long threadCpuNanos() {
        return Long.parseLong(read("/proc/thread-self/schedstat").split(" ")[0]);
    }

    /** The whole process's user and system time in clock ticks (100 per second on Linux). */
    private static long processCpuTicks() {
        String stat = read("/proc/self/stat");
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
    }

    private static String read(String path) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(path)).strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static IpAddress destination(int i) {
        // 198.18.0.0/15 holds 512 /24s: spread the hosts over all of them.
        return IpAddress.ipv4(0xc6120000 | ((i % 512) << 8) | (1 + i / 512));
    }

    private static byte[][] frames(int floods) {
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

    private static void measure(String name, byte[][] frames, double seconds) {
        Detector detector = new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler());
        int samplesPerSimulatedSecond = destinations * 10;
        long step = 1_000_000_000L / samplesPerSimulatedSecond;
        long clock = 0;
        int next = 0;
        // Warm up (JIT, every destination's state, baselines) for 60 simulated seconds.
        long warmup = Math.max(60L * samplesPerSimulatedSecond, 3_000_000);
        for (long i = 0; i < warmup; i++) {
            byte[] f = frames[next];
            next = (next + 1) & (FRAMES - 1);
            detector.accept(new Sample(f, f.length, 1000, clock += step, "ams", "ams-1"));
        }
        long processed = 0;
        long cpuStart = threadCpuNanos();
        long processStart = processCpuTicks();
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 100_000; i++) {
                byte[] f = frames[next];
                next = (next + 1) & (FRAMES - 1);
                detector.accept(new Sample(f, f.length, 1000, clock += step, "ams", "ams-1"));
            }
            processed += 100_000;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (threadCpuNanos() - cpuStart) / 1e9;
        double processCpu = (processCpuTicks() - processStart) / 100.0;
        long rules = detector.rules().size();
        java.util.Map<Decision.Kind, Long> kinds = new java.util.TreeMap<>();
        detector.drainDecisions().forEach(d -> kinds.merge(d.kind(), 1L, Long::sum));
        System.out.println("decisions: " + kinds);
        // Per second of this thread's CPU time: other processes on the machine do not count.
        System.out.printf(
                "%-32s %,12.0f samples per CPU second of the thread, %,.0f counting all threads (GC, JIT),"
                        + " %,.0f per wall second (%,d samples; %d destinations tracked; %d rules)%n",
                name,
                processed / cpu,
                processed / processCpu,
                processed / elapsed,
                processed,
                detector.trackedDestinations(),
                rules);
    }
}
