package org.levee.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.levee.detector.synth.FrameBuilder;
import org.levee.rules.IpAddress;
import org.levee.sflow.FlowSample;
import org.levee.sflow.RawPacketHeader;
import org.levee.sflow.RawPacketHeaderView;
import org.levee.sflow.SflowDatagram;
import org.levee.sflow.SflowDecoder;
import org.levee.sflow.SflowEncoder;
import org.levee.sflow.SflowFormatException;
import org.levee.sflow.SflowSample;
import org.levee.sflow.SflowVisitor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Flow samples one thread decodes per second (JMH; {@code levee bench sflow}), one operation being
 * one flow sample. Path {@code collector}: the collector's — each datagram copied into one direct
 * receive buffer (as the kernel's receive does) and decoded there by the visitor, the consumer
 * reading each header's destination address weighted by the sampling rate; {@code records}: the
 * record API, which builds a datagram object per datagram.
 *
 * <p>20,000 datagrams built in memory as edges send them, cycled: 1400 bytes, 7 flow samples each
 * with 128-byte Ethernet headers, from 50 agents, to 10,000 destinations in 198.18.0.0/15, a third
 * of the samples to 5 flooded ones; frames IPv4 UDP or TCP from 203.0.113.0/24 with 0–1399 bytes
 * of payload.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SflowDecodeBenchmark {
    static final int SAMPLES_PER_DATAGRAM = 7;
    private static final int DATAGRAMS = 20_000;
    private static final int AGENTS = 50;

    /** {@code collector} (the visitor over a receive buffer) or {@code records} (the record API). */
    @Param({"collector", "records"})
    public String path;

    private List<byte[]> datagrams;
    private List<ByteBuffer> wrapped;
    private final ByteBuffer receive = ByteBuffer.allocateDirect(65_536);
    private final SflowDecoder decoder = new SflowDecoder();
    private final DestinationSum consumer = new DestinationSum();
    private boolean records;
    private int next;

    /** JMH makes one per trial; {@link #setUp} builds the datagrams. */
    public SflowDecodeBenchmark() {}

    /** Builds the datagrams. */
    @Setup(Level.Trial)
    public void setUp() {
        records = switch (path) {
            case "collector" -> false;
            case "records" -> true;
            default -> throw new IllegalArgumentException("path '" + path + "': expected collector or records");
        };
        datagrams = datagrams(new SplittableRandom(16));
        wrapped = datagrams.stream().map(ByteBuffer::wrap).toList();
    }

    /** Decodes the next datagram: seven flow samples. */
    @Benchmark
    @OperationsPerInvocation(SAMPLES_PER_DATAGRAM)
    public long decode() throws SflowFormatException {
        int i = next;
        next = i + 1 == datagrams.size() ? 0 : i + 1;
        if (records) {
            long sum = 0;
            for (FlowSample sample : SflowDecoder.decode(wrapped.get(i)).flowSamples()) {
                sum += ((RawPacketHeader) sample.records().getFirst()).headerLength();
            }
            return sum;
        }
        receive.clear();
        receive.put(datagrams.get(i)).flip();
        decoder.decode(receive, consumer);
        return consumer.sum;
    }

    /** Samples decoded by the collector's path so far (the records path counts none). */
    long collectorSamples() {
        return consumer.samples;
    }

    /** What a detector reads first: the destination address, weighted by the sampling rate. */
    private static final class DestinationSum implements SflowVisitor {
        long sum;
        long samples;

        @Override
        public void rawPacketHeader(RawPacketHeaderView header) {
            sum += (long) header.buffer().getInt(header.headerOffset() + 30)
                    * header.sample().samplingRate();
            samples++;
        }
    }

    private static List<byte[]> datagrams(SplittableRandom random) {
        List<byte[]> datagrams = new ArrayList<>();
        long[] sequences = new long[AGENTS];
        List<SflowSample> pending = new ArrayList<>();
        int agent = 0;
        while (datagrams.size() < DATAGRAMS) {
            // A third of the samples go to 5 flooded destinations, the rest spread over all 10,000.
            int d = random.nextInt(3) == 0 ? random.nextInt(5) : random.nextInt(10_000);
            IpAddress destination = IpAddress.ipv4(0xc6120000 | d);
            IpAddress source = IpAddress.ipv4(0xcb007100 | random.nextInt(256));
            byte[] payload = new byte[random.nextInt(1400)];
            int sourcePort = 1024 + random.nextInt(60_000);
            int destinationPort = random.nextInt(1024);
            FrameBuilder frame = new FrameBuilder().addresses(source, destination);
            byte[] bytes = random.nextBoolean()
                    ? frame.udp(sourcePort, destinationPort, payload).build()
                    : frame.tcp(sourcePort, destinationPort, 0x18, 65_535, new byte[0], payload)
                            .build();
            pending.add(FlowSample.ethernet(
                    pending.size() + 1,
                    3,
                    1000,
                    1000L * pending.size(),
                    0,
                    Arrays.copyOf(bytes, Math.min(128, bytes.length)),
                    bytes.length));
            if (pending.size() == SAMPLES_PER_DATAGRAM) {
                SflowDatagram datagram = new SflowDatagram(agent(agent), 3, ++sequences[agent], 1000, pending);
                datagrams.add(SflowEncoder.encode(datagram));
                pending.clear();
                agent = (agent + 1) % AGENTS;
            }
        }
        return datagrams;
    }

    private static InetAddress agent(int i) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) (1 + i)});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
