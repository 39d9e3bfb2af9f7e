package org.levee.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.levee.controller.detect.DetectionEngine;
import org.levee.controller.ingest.AgentDirectory;
import org.levee.controller.ingest.SampleIngest;
import org.levee.detector.Detector;
import org.levee.detector.DetectorConfig;
import org.levee.detector.rule.FingerprintFilterCompiler;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;
import org.levee.rules.Sample;
import org.levee.sflow.FlowSample;
import org.levee.sflow.RawPacketHeaderView;
import org.levee.sflow.SflowDatagram;
import org.levee.sflow.SflowDecoder;
import org.levee.sflow.SflowEncoder;
import org.levee.sflow.SflowFormatException;
import org.levee.sflow.SflowFormats;
import org.levee.sflow.SflowSample;
import org.levee.sflow.SflowVisitor;

/**
 * {@code levee bench controller}: packet samples per CPU-second of one thread through the
 * controller's path — sFlow datagrams decoded in place ({@link SflowDecoder}), each raw header
 * turned into a detector sample with its agent's data center ({@link SampleIngest}), the one
 * detector behind its lock ({@link DetectionEngine}) — against the detector alone fed the same
 * samples, measured in the same run: once with the same header arrays again and again (as the
 * detector's own benchmark does), once with a fresh copy of each header (as samples really
 * arrive: every sample's bytes are new memory, which the detector's history then holds).
 *
 * <p>Datagrams are built in memory as edges send them: 7 flow samples of 128-byte headers per
 * 1400-byte datagram, sampled 1 in 1000, from 50 agents in 3 data centers, to 10,000
 * destinations in 198.18.0.0/15 with web and DNS traffic at 10 samples per simulated second each
 * (below every threshold: the steady-state cost); a second scenario adds SYN floods on a few
 * destinations (a quarter of all samples), which the detector mitigates and keeps re-matching
 * with the cBPF interpreter. Each datagram is copied into one direct receive buffer first, as the
 * kernel's receive does. The detector's clock is simulated (the samples' rate, not the
 * benchmark's), so rates stay those of the traffic described.
 */
public final class ControllerBenchmark {
    private ControllerBenchmark() {}

    private static final int FRAMES = 1 << 16;
    private static final int HEADER_BYTES = 128;
    private static final int SAMPLES_PER_DATAGRAM = 7;
    private static final int SAMPLING_RATE = 1000;
    private static final int AGENTS = 50;
    private static final String[] DATACENTERS = {"ams1", "fra1", "sin1"};

    /**
     * One measurement.
     *
     * @param scenario the traffic
     * @param path {@code detector} alone or the {@code controller}'s whole path
     * @param samples samples processed while measuring
     * @param cpuSeconds the measuring thread's CPU time
     * @param perCpuSecond samples per CPU-second of that thread
     * @param nanosPerSample CPU nanoseconds per sample
     * @param vsDetector the controller path's rate divided by the detector alone's (1 for the detector)
     * @param rules rules the detector made
     */
    public record Row(
            String scenario,
            String path,
            long samples,
            double cpuSeconds,
            double perCpuSecond,
            double nanosPerSample,
            double vsDetector,
            int rules) {}

    /**
     * What to run.
     *
     * @param seconds how long each path is measured
     * @param destinations how many destinations the traffic goes to (at least 100)
     * @param floods how many of them are flooded in the second scenario (0: that scenario is left out)
     * @param warmup samples each path processes before it is measured; 0: a simulated minute
     *     (baselines learned) and at least 3 million (the JIT done)
     */
    public record Options(double seconds, int destinations, int floods, long warmup) {
        public Options {
            if (!(seconds > 0) || seconds > 3600) {
                throw new IllegalArgumentException("--seconds " + seconds + " must be in (0, 3600]");
            }
            if (destinations < 100 || destinations > 1_000_000) {
                throw new IllegalArgumentException("--destinations " + destinations + " must be in 100..1000000");
            }
            if (floods < 0 || floods > destinations) {
                throw new IllegalArgumentException("--floods " + floods + " must be in 0.." + destinations);
            }
            if (warmup < 0) {
                throw new IllegalArgumentException("--warmup " + warmup + " must not be negative");
            }
        }

        long warmupSamples() {
            return warmup > 0 ? warmup : Math.max(60L * destinations * 10, 3_000_000);
        }
    }

    /** Runs the scenarios, each path warmed up then measured. */
    public static void run(Options options, Consumer<Row> out) {
        int destinations = options.destinations();
        int floods = options.floods();
        for (int f : floods == 0 ? new int[] {0} : new int[] {0, floods}) {
            String scenario = f == 0
                    ? "steady traffic, " + destinations + " destinations"
                    : f + " SYN floods under drop rules, " + destinations + " destinations";
            SampledTraffic traffic = traffic(destinations, f, new SplittableRandom(42 + f));
            Row alone = measureDetector(scenario, traffic, options, false);
            out.accept(alone);
            out.accept(relative(measureDetector(scenario, traffic, options, true), alone));
            out.accept(relative(measureController(scenario, traffic, options), alone));
        }
    }

    private static Row relative(Row row, Row alone) {
        return new Row(
                row.scenario(),
                row.path(),
                row.samples(),
                row.cpuSeconds(),
                row.perCpuSecond(),
                row.nanosPerSample(),
                row.perCpuSecond() / alone.perCpuSecond(),
                row.rules());
    }

    /** The samples of one scenario: frames cut to the sampled header, and the same as sFlow datagrams. */
    private record SampledTraffic(byte[][] headers, int[] wireLengths, int[] agents, List<ByteBuffer> datagrams) {}

    private static int destination(int i) {
        // 198.18.0.0/15 holds 512 /24s: spread the hosts over all of them.
        return 0xc6120000 | ((i % 512) << 8) | (1 + i / 512);
    }

    private static InetAddress agent(int i) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) (1 + i)});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SampledTraffic traffic(int destinations, int floods, SplittableRandom r) {
        byte[][] headers = new byte[FRAMES][];
        int[] lengths = new int[FRAMES];
        int[] agents = new int[FRAMES];
        for (int i = 0; i < FRAMES; i++) {
            IpAddress d = IpAddress.ipv4(destination(r.nextInt(destinations)));
            byte[] frame = floods > 0 && r.nextInt(4) == 0
                    ? Traffic.synFlood(IpAddress.ipv4(destination(r.nextInt(floods))))
                            .next(r)
                    : r.nextInt(10) == 0
                            ? Traffic.dnsQueries(d).next(r)
                            : Traffic.webClients(d).next(r);
            headers[i] = Arrays.copyOf(frame, Math.min(HEADER_BYTES, frame.length));
            lengths[i] = frame.length;
            agents[i] = (i / SAMPLES_PER_DATAGRAM) % AGENTS;
        }
        List<ByteBuffer> datagrams = new ArrayList<>();
        long[] sequences = new long[AGENTS];
        for (int first = 0; first + SAMPLES_PER_DATAGRAM <= FRAMES; first += SAMPLES_PER_DATAGRAM) {
            int a = agents[first];
            List<SflowSample> samples = new ArrayList<>();
            for (int i = first; i < first + SAMPLES_PER_DATAGRAM; i++) {
                samples.add(FlowSample.ethernet(
                        i + 1, 3, SAMPLING_RATE, (long) SAMPLING_RATE * i & 0xffff_ffffL, 0, headers[i], lengths[i]));
            }
            datagrams.add(ByteBuffer.wrap(
                    SflowEncoder.encode(new SflowDatagram(agent(a), 3, ++sequences[a], 1000, samples))));
        }
        return new SampledTraffic(headers, lengths, agents, datagrams);
    }

    private static long step(int destinations) {
        return 1_000_000_000L / (destinations * 10L); // 10 samples per destination per simulated second
    }

    private static Row measureDetector(String scenario, SampledTraffic t, Options options, boolean copy) {
        int destinations = options.destinations();
        Detector detector = new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler());
        long step = step(destinations);
        long[] clock = {0};
        int usable = t.datagrams().size() * SAMPLES_PER_DATAGRAM;
        int[] next = {0};
        Runnable batch = () -> {
            for (int i = 0; i < 70_000; i++) {
                int k = next[0];
                next[0] = k + 1 == usable ? 0 : k + 1;
                byte[] h = copy ? t.headers()[k].clone() : t.headers()[k];
                detector.accept(new Sample(
                        h,
                        t.wireLengths()[k],
                        SAMPLING_RATE,
                        clock[0] += step,
                        DATACENTERS[t.agents()[k] % DATACENTERS.length],
                        "edge"));
            }
        };
        for (long done = 0; done < options.warmupSamples(); done += 70_000) {
            batch.run();
        }
        Measured m = measure(batch, 70_000, options.seconds());
        String path = copy ? "detector alone, each header a fresh copy" : "detector alone";
        return new Row(
                scenario,
                path,
                m.samples(),
                m.cpuSeconds(),
                m.samples() / m.cpuSeconds(),
                m.cpuSeconds() * 1e9 / m.samples(),
                1,
                detector.rules().size());
    }

    private static Row measureController(String scenario, SampledTraffic t, Options options) {
        int destinations = options.destinations();
        Map<InetAddress, String> statics = new HashMap<>();
        for (int a = 0; a < AGENTS; a++) {
            statics.put(agent(a), DATACENTERS[a % DATACENTERS.length]);
        }
        AgentDirectory directory = new AgentDirectory(statics);
        DetectionEngine engine =
                new DetectionEngine(new Detector(DetectorConfig.defaults(), new FingerprintFilterCompiler()));
        long step = step(destinations);
        long[] clock = {0};
        SampleIngest ingest = new SampleIngest(directory, engine::accept, () -> clock[0] += step);
        SflowDecoder decoder = new SflowDecoder();
        SflowVisitor visitor = new SflowVisitor() {
            @Override
            public void rawPacketHeader(RawPacketHeaderView header) {
                if (header.headerProtocol() == SflowFormats.HEADER_PROTOCOL_ETHERNET) { // as the collector does
                    ingest.accept(header);
                }
            }
        };
        ByteBuffer receive = ByteBuffer.allocateDirect(65_536);
        int perBatch = 10_000;
        int[] next = {0};
        Runnable batch = () -> {
            for (int i = 0; i < perBatch; i++) {
                ByteBuffer datagram = t.datagrams().get(next[0]);
                next[0] = next[0] + 1 == t.datagrams().size() ? 0 : next[0] + 1;
                receive.clear();
                receive.put(datagram.duplicate()).flip();
                try {
                    decoder.decode(receive, visitor);
                } catch (SflowFormatException e) {
                    throw new IllegalStateException("a datagram built here does not decode", e);
                }
            }
        };
        for (long done = 0; done < options.warmupSamples(); done += (long) perBatch * SAMPLES_PER_DATAGRAM) {
            batch.run();
        }
        engine.tick(0);
        Measured m = measure(batch, (long) perBatch * SAMPLES_PER_DATAGRAM, options.seconds());
        engine.tick(0);
        if (engine.samplesSeen() == 0) {
            throw new IllegalStateException("no sample reached the detector");
        }
        return new Row(
                scenario,
                "controller (sFlow decode + ingest + detector)",
                m.samples(),
                m.cpuSeconds(),
                m.samples() / m.cpuSeconds(),
                m.cpuSeconds() * 1e9 / m.samples(),
                0,
                engine.rules().size());
    }

    private record Measured(long samples, double cpuSeconds) {}

    private static Measured measure(Runnable batch, long perBatch, double seconds) {
        long samples = 0;
        long cpuStart = threadCpuNanos();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < deadline) {
            batch.run();
            samples += perBatch;
        }
        return new Measured(samples, (threadCpuNanos() - cpuStart) / 1e9);
    }

    /** This thread's time on a CPU, from the scheduler's own accounting (Linux): other processes do not count. */
    private static long threadCpuNanos() {
        try {
            return Long.parseLong(
                    Files.readString(Path.of("/proc/thread-self/schedstat")).split(" ")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code java … ControllerBenchmark [seconds [destinations [floods]]]}. */
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int destinations = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int floods = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        run(
                new Options(seconds, destinations, floods, 0),
                row -> System.out.printf(
                        "%s | %s | %,.0f samples/CPU-s | %.0f ns | x%.2f | %d rules%n",
                        row.scenario(),
                        row.path(),
                        row.perCpuSecond(),
                        row.nanosPerSample(),
                        row.vsDetector(),
                        row.rules()));
    }
}
