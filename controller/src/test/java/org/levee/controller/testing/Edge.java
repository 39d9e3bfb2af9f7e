package org.levee.controller.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.levee.detector.synth.PacketFactory;
import org.levee.sflow.SflowExporter;

/**
 * A simulated edge as the controller sees it: an sFlow exporter (the real one) with a chosen agent
 * address, sending packet samples of synthetic traffic to every controller on loopback.
 */
public final class Edge implements AutoCloseable {
    private final InetAddress agent;
    private final SflowExporter exporter;
    private final SflowExporter.Source source;
    private long pool;

    public Edge(InetAddress agent, List<InetSocketAddress> controllers) {
        this.agent = agent;
        try {
            this.exporter = SflowExporter.start(SflowExporter.Config.of(controllers)
                    .withAgentAddress(agent)
                    .withFlushInterval(Duration.ofMillis(20)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.source = exporter.source(1, 2);
    }

    public InetAddress agent() {
        return agent;
    }

    /** One packet sample at 1 in {@code rate}. */
    public void sample(byte[] frame, int rate) {
        pool += rate;
        if (!source.packetSample(rate, pool, 0, frame, frame.length)) {
            throw new IllegalStateException("the exporter's queue is full");
        }
    }

    /** Samples sent so far. */
    public long samplesSent() {
        return exporter.stats().samplesSent();
    }

    public void flush() {
        try {
            exporter.flush(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        exporter.close();
    }

    /**
     * A flow of packets an edge samples: its kind, its rate on the wire, the sampling rate.
     *
     * @param name for messages
     * @param packets makes the packets
     * @param packetsPerSecond the flow's rate at this edge
     * @param samplingRate N of 1 in N
     */
    public record Flow(String name, PacketFactory packets, double packetsPerSecond, int samplingRate) {}

    /**
     * Sends the samples of {@code flows} in real time for {@code duration}: each flow's samples
     * evenly paced at packets per second / sampling rate.
     */
    public void play(List<Flow> flows, Duration duration, SplittableRandom random) {
        long start = System.nanoTime();
        long[] sent = new long[flows.size()];
        while (true) {
            long elapsed = System.nanoTime() - start;
            boolean last = elapsed >= duration.toNanos();
            double seconds = Math.min(elapsed, duration.toNanos()) / 1e9;
            for (int i = 0; i < flows.size(); i++) {
                Flow f = flows.get(i);
                long due = (long) (seconds * f.packetsPerSecond() / f.samplingRate());
                for (; sent[i] < due; sent[i]++) {
                    sample(f.packets().next(random), f.samplingRate());
                }
            }
            if (last) {
                break;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        flush();
    }
}
