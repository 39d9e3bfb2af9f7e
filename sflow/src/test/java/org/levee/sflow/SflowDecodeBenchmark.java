package org.levee.sflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.levee.sflow.testing.TestFrames;

/**
 * How many flow samples one thread decodes per CPU-second: the collector's path (each datagram
 * copied into one direct receive buffer, then the visitor, the consumer reading each header's
 * destination address there) and the record API.
 * Datagrams are built in memory as edges send them: 1400 bytes, 128-byte Ethernet headers (7
 * samples each), from 50 agents, to 10,000 destinations with a few floods among them.
 *
 * <p>Run: {@code java -cp sflow/target/classes:sflow/target/test-classes org.levee.sflow.SflowDecodeBenchmark
 * [seconds [visitor]]}. With {@code visitor} only the collector's path runs: under {@code
 * -XX:+UnlockExperimentalVMOptions -XX:+UseEpsilonGC -Xmx512m} (a heap that is never collected) it
 * shows that path allocates nothing per sample or per datagram.
 */
public final class SflowDecodeBenchmark {
    private SflowDecodeBenchmark() {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        boolean visitorOnly = args.length > 1 && args[1].equals("visitor");
        List<ByteBuffer> datagrams = datagrams(new Random(16), 20_000);
        long samples = 0;
        for (ByteBuffer datagram : datagrams) {
            samples += datagram.getInt(24);
        }
        System.out.printf(
                "%d datagrams, %d flow samples, %.1f samples per datagram%n",
                datagrams.size(), samples, samples / (double) datagrams.size());

        SflowDecoder decoder = new SflowDecoder();
        long[] sink = new long[2];
        SflowVisitor consumer = new SflowVisitor() {
            @Override
            public void rawPacketHeader(RawPacketHeaderView header) {
                // What a detector reads first: the destination address, weighted by the sampling rate.
                sink[0] += header.buffer().getInt(header.headerOffset() + 30)
                        * header.sample().samplingRate();
                sink[1]++;
            }
        };
        // As in the collector: each datagram lands in one direct receive buffer (here by a copy, as
        // the kernel's receive does) and is decoded there.
        ByteBuffer receive = ByteBuffer.allocateDirect(65_536);
        Runnable visitor = () -> {
            for (ByteBuffer datagram : datagrams) {
                receive.clear();
                receive.put(datagram.duplicate()).flip();
                try {
                    decoder.decode(receive, consumer);
                } catch (SflowFormatException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        Runnable records = () -> {
            for (ByteBuffer datagram : datagrams) {
                try {
                    for (FlowSample sample : SflowDecoder.decode(datagram).flowSamples()) {
                        sink[0] += ((RawPacketHeader) sample.records().getFirst()).headerLength();
                        sink[1]++;
                    }
                } catch (SflowFormatException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        for (int round = 0; round < 2; round++) {
            String when = round == 0 ? "warm-up" : "measured";
            report("visitor (collector path), " + when, visitor, samples, seconds, sink);
            if (!visitorOnly) {
                report("records, " + when, records, samples, seconds, sink);
            }
        }
        System.out.println("(checksum " + sink[0] + ")");
    }

    private static void report(String name, Runnable pass, long samplesPerPass, double seconds, long[] sink) {
        long before = sink[1];
        Runtime runtime = Runtime.getRuntime();
        long heapStart = runtime.totalMemory() - runtime.freeMemory();
        long cpuStart = threadCpuNanos();
        long wallStart = System.nanoTime();
        long passes = 0;
        while (System.nanoTime() - wallStart < seconds * 1e9) {
            pass.run();
            passes++;
        }
        double cpu = (threadCpuNanos() - cpuStart) / 1e9;
        double wall = (System.nanoTime() - wallStart) / 1e9;
        long heapGrowth = runtime.totalMemory() - runtime.freeMemory() - heapStart;
        long decoded = sink[1] - before;
        if (decoded != passes * samplesPerPass) {
            throw new IllegalStateException("decoded " + decoded + " samples, expected " + passes * samplesPerPass);
        }
        System.out.printf(
                "%-40s %,14.0f samples per CPU-second (%,.0f per wall second, %.1f ns per sample; "
                        + "heap grew %,d bytes: allocation only under Epsilon GC)%n",
                name, decoded / cpu, decoded / wall, cpu * 1e9 / decoded, heapGrowth);
    }

    /** This thread's CPU time, from the kernel's scheduler statistics (the module does not read java.management). */
    private static long threadCpuNanos() {
        try {
            return Long.parseLong(
                    Files.readString(Path.of("/proc/thread-self/schedstat")).split(" ")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<ByteBuffer> datagrams(Random random, int count) {
        List<InetAddress> destinations = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            destinations.add(TestFrames.v4(198, 18 + i / 65_536, (i >> 8) & 0xff, i & 0xff));
        }
        List<ByteBuffer> datagrams = new ArrayList<>();
        long[] sequences = new long[50];
        List<SflowSample> pending = new ArrayList<>();
        int agent = 0;
        while (datagrams.size() < count) {
            // A third of the samples go to 5 flooded destinations, the rest spread over all 10,000.
            InetAddress destination = random.nextInt(3) == 0
                    ? destinations.get(random.nextInt(5))
                    : destinations.get(random.nextInt(destinations.size()));
            byte[] payload = new byte[random.nextInt(1400)];
            byte[] frame = TestFrames.frame(
                    TestFrames.v4(203, 0, 113, random.nextInt(256)),
                    destination,
                    random.nextBoolean() ? TestFrames.UDP : TestFrames.TCP,
                    1024 + random.nextInt(60_000),
                    random.nextInt(1024),
                    payload);
            pending.add(FlowSample.ethernet(
                    pending.size() + 1,
                    3,
                    1000,
                    1000L * pending.size(),
                    0,
                    java.util.Arrays.copyOf(frame, Math.min(128, frame.length)),
                    frame.length));
            if (pending.size() == 7) {
                SflowDatagram datagram =
                        new SflowDatagram(TestFrames.v4(192, 0, 2, 1 + agent), 3, ++sequences[agent], 1000, pending);
                datagrams.add(ByteBuffer.wrap(SflowEncoder.encode(datagram)));
                pending.clear();
                agent = (agent + 1) % sequences.length;
            }
        }
        return datagrams;
    }
}
