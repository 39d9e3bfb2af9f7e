package org.levee.controller.ingest;

import java.net.InetAddress;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.levee.rules.Sample;
import org.levee.sflow.FlowSampleView;
import org.levee.sflow.RawPacketHeaderView;
import org.levee.sflow.SflowCollector;

/**
 * Turns each sampled Ethernet header the sFlow collector hands over into the detector's
 * {@link Sample}: the header's bytes (copied: the collector's buffer is reused), the packet's
 * length on the wire ({@code max(header length, frame length − stripped)}), the sample's own
 * sampling rate (each sample stands for that many packets, whatever rate its agent uses), the
 * time it was received on the detector's clock, and the data center and node of its agent
 * ({@link AgentDirectory}). Runs on the collector's thread.
 */
public final class SampleIngest implements SflowCollector.PacketSampleConsumer {
    /** Header bytes kept per sample: the data plane samples as many; more is never looked at. */
    public static final int MAX_HEADER_BYTES = 256;

    private final AgentDirectory directory;
    private final Consumer<Sample> detector;
    private final LongSupplier clock;
    // The collector's thread only: samples come in runs from one agent (a datagram at a time).
    private InetAddress lastAddress;
    private AgentDirectory.Agent lastAgent;

    /**
     * @param directory who the agents are
     * @param detector where samples go
     * @param clock the detector's clock in nanoseconds (monotonic, never negative)
     */
    public SampleIngest(AgentDirectory directory, Consumer<Sample> detector, LongSupplier clock) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.detector = Objects.requireNonNull(detector, "detector");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void accept(RawPacketHeaderView header) {
        FlowSampleView flow = header.sample();
        InetAddress address = flow.datagram().agentAddress();
        AgentDirectory.Agent agent;
        if (address == lastAddress) { // the decoder caches address objects: identity is equality here
            agent = directory.current(lastAgent);
        } else {
            agent = directory.lookup(address);
            lastAddress = address;
            lastAgent = agent;
        }
        int length = Math.min(header.headerLength(), MAX_HEADER_BYTES);
        byte[] packet = new byte[length];
        header.buffer().get(header.headerOffset(), packet, 0, length);
        long onWire = Math.max(header.headerLength(), header.frameLength() - header.stripped());
        int wireLength = (int) Math.min(onWire, Integer.MAX_VALUE);
        int samplingRate = (int) Math.min(flow.samplingRate(), Integer.MAX_VALUE);
        AgentDirectory.Assignment where = agent.assignment();
        agent.sample();
        detector.accept(
                new Sample(packet, wireLength, samplingRate, clock.getAsLong(), where.datacenter(), where.node()));
    }
}
