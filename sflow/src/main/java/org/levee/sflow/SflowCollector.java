package org.levee.sflow;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.levee.sflow.SflowFormatException.Reason;

/**
 * Receives sFlow v5 over UDP from any agent — Levee edges, switches, routers, hsflowd, pmacct —
 * and hands every flow sample's raw Ethernet header to a consumer: the controller side of fleet
 * mode.
 *
 * <p>One platform thread, {@code levee-sflow-collector}, receives into one 64 KiB buffer, decodes
 * the datagram with {@link SflowDecoder}'s visitor and calls the consumer for each flow sample
 * (compact or expanded) with a raw packet header of protocol Ethernet, with a view of the header
 * inside the receive buffer: nothing is copied or allocated per sample. The consumer runs on that
 * thread and must be quick; whatever it keeps it must copy. Everything else is counted and skipped:
 * other flow records (extended switch data, ...), raw headers of other protocols, counter samples,
 * samples of unknown formats. Bad input is counted per {@link Reason}: a datagram whose header or
 * framing is wrong is dropped whole, a bad sample alone (see {@link SflowDecoder}). Nothing a
 * datagram holds stops the collector, nor does an exception from the consumer (counted and logged
 * at most once a minute). Memory is bounded: one receive buffer, the kernel's socket buffer, and at
 * most {@link Config#maxAgents()} agents and {@link Config#maxFormats()} skipped formats counted
 * by name; sequence numbers are followed for at most {@value #MAX_SEQUENCES} sub-agents in all,
 * {@value Agent#MAX_SUB_AGENTS} per agent (the agent address and sub-agent id are whatever a
 * datagram says: spoofed datagrams must not fill the heap). Losses of further sub-agents are not
 * counted; their samples are delivered all the same.
 *
 * <p>Per agent (address from the datagram, not the UDP source) it counts datagrams and samples,
 * and datagrams lost by the gaps in each sub-agent's sequence numbers.
 */
public final class SflowCollector implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SflowCollector.class.getName());
    /** Sub-agents whose sequence numbers are followed, over all agents. */
    static final int MAX_SEQUENCES = 65_536;

    private static final int RECEIVE_BUFFER = 65_536;

    /**
     * How the collector works.
     *
     * @param listen the UDP address to bind (port 0: any free port, see {@link #localAddress()})
     * @param socketReceiveBuffer SO_RCVBUF asked of the kernel (bytes; it caps this at
     *     net.core.rmem_max)
     * @param maxAgents agents counted one by one; datagrams of further agents are counted together
     * @param maxFormats skipped formats counted one by one; further ones are counted together
     */
    public record Config(InetSocketAddress listen, int socketReceiveBuffer, int maxAgents, int maxFormats) {
        public static final int DEFAULT_SOCKET_RECEIVE_BUFFER = 4 << 20;
        public static final int DEFAULT_MAX_AGENTS = 10_000;
        public static final int DEFAULT_MAX_FORMATS = 256;

        public Config {
            Objects.requireNonNull(listen, "listen");
            if (socketReceiveBuffer < 1) {
                throw new IllegalArgumentException(
                        "socket receive buffer " + socketReceiveBuffer + " must be positive");
            }
            if (maxAgents < 0 || maxFormats < 0) {
                throw new IllegalArgumentException("maxAgents and maxFormats must not be negative");
            }
        }

        /** Defaults for {@code listen}: 4 MiB socket buffer, 10,000 agents, 256 formats. */
        public static Config of(InetSocketAddress listen) {
            return new Config(listen, DEFAULT_SOCKET_RECEIVE_BUFFER, DEFAULT_MAX_AGENTS, DEFAULT_MAX_FORMATS);
        }
    }

    /** Receives each sampled Ethernet header; runs on the collector's thread. */
    @FunctionalInterface
    public interface PacketSampleConsumer {
        /**
         * One flow sample's raw Ethernet header, with its sample ({@code header.sample()}: sampling
         * rate, ...) and datagram ({@code header.sample().datagram()}: agent address, sub-agent id).
         * The views are valid during this call only.
         */
        void accept(RawPacketHeaderView header);
    }

    /**
     * One agent's counts.
     *
     * @param datagrams datagrams decoded
     * @param datagramsRejected datagrams refused after their header named this agent
     * @param packetSamples raw Ethernet headers handed to the consumer
     * @param samplesRejected samples refused inside decoded datagrams
     * @param datagramsLost datagrams missing from the sub-agents' sequence numbers
     * @param sequenceResets times a sub-agent's sequence number went back (agent restarted) or
     *     arrived out of order
     */
    public record AgentStats(
            long datagrams,
            long datagramsRejected,
            long packetSamples,
            long samplesRejected,
            long datagramsLost,
            long sequenceResets) {}

    /**
     * What the collector has seen so far.
     *
     * @param datagramsReceived datagrams read from the socket
     * @param datagramsDecoded ... of which decoded (their bad samples left out)
     * @param packetSamples raw Ethernet headers handed to the consumer
     * @param counterSamples counter samples (counted only)
     * @param datagramsRejected refused datagrams, per reason
     * @param samplesRejected refused samples inside decoded datagrams, per reason
     * @param skipped what was skipped, per kind and format: {@code "sample 0:5"}, {@code "flow record
     *     0:1001"}, {@code "header protocol 11"}; {@code "other"} past the limit
     * @param agents per agent address
     * @param otherAgentsDatagrams datagrams of agents past the limit
     * @param consumerErrors exceptions thrown by the consumer
     * @param receiveErrors errors reading the socket
     * @param kernelDrops datagrams the kernel dropped because the socket's buffer was full (from
     *     /proc/net/udp; -1 if unknown)
     */
    public record Stats(
            long datagramsReceived,
            long datagramsDecoded,
            long packetSamples,
            long counterSamples,
            Map<Reason, Long> datagramsRejected,
            Map<Reason, Long> samplesRejected,
            Map<String, Long> skipped,
            Map<InetAddress, AgentStats> agents,
            long otherAgentsDatagrams,
            long consumerErrors,
            long receiveErrors,
            long kernelDrops) {

        /** Datagrams refused for any reason. */
        public long datagramsRejectedTotal() {
            return datagramsRejected.values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }

        /** Samples refused for any reason. */
        public long samplesRejectedTotal() {
            return samplesRejected.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final Config config;
    private final DatagramChannel channel;
    private final PacketSampleConsumer consumer;
    private final InetSocketAddress localAddress;
    private final Thread thread;
    private final AtomicLong datagramsReceived = new AtomicLong();
    private final AtomicLong datagramsDecoded = new AtomicLong();
    private final AtomicLong packetSamples = new AtomicLong();
    private final AtomicLong counterSamples = new AtomicLong();
    private final AtomicLongArray datagramsRejected = new AtomicLongArray(Reason.values().length);
    private final AtomicLongArray samplesRejected = new AtomicLongArray(Reason.values().length);
    private final Map<Long, AtomicLong> skipped = new ConcurrentHashMap<>();
    private final AtomicLong skippedOther = new AtomicLong();
    private final Map<InetAddress, Agent> agents = new ConcurrentHashMap<>();
    /** Sub-agents whose sequence numbers are followed, over all agents (the collector's thread only). */
    private int sequencesFollowed;

    private final AtomicLong otherAgentsDatagrams = new AtomicLong();
    private final AtomicLong consumerErrors = new AtomicLong();
    private final AtomicLong receiveErrors = new AtomicLong();
    private volatile boolean closing;

    private SflowCollector(Config config, DatagramChannel channel, PacketSampleConsumer consumer) throws IOException {
        this.config = config;
        this.channel = channel;
        this.consumer = consumer;
        this.localAddress = (InetSocketAddress) channel.getLocalAddress();
        this.thread = Thread.ofPlatform().name("levee-sflow-collector").daemon().unstarted(this::run);
    }

    /** Binds {@code config.listen()} and starts receiving. */
    public static SflowCollector start(Config config, PacketSampleConsumer consumer) throws IOException {
        Objects.requireNonNull(consumer, "consumer");
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, config.socketReceiveBuffer());
            channel.bind(config.listen());
            SflowCollector collector = new SflowCollector(config, channel, consumer);
            collector.thread.start();
            return collector;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** {@link #start(Config, PacketSampleConsumer)} with the defaults of {@link Config#of}. */
    public static SflowCollector start(InetSocketAddress listen, PacketSampleConsumer consumer) throws IOException {
        return start(Config.of(listen), consumer);
    }

    /** The bound address (with the port the kernel chose for port 0). */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** True while the receive thread runs. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    public Stats stats() {
        Map<Reason, Long> datagramReasons = new EnumMap<>(Reason.class);
        Map<Reason, Long> sampleReasons = new EnumMap<>(Reason.class);
        for (Reason reason : Reason.values()) {
            if (datagramsRejected.get(reason.ordinal()) > 0) {
                datagramReasons.put(reason, datagramsRejected.get(reason.ordinal()));
            }
            if (samplesRejected.get(reason.ordinal()) > 0) {
                sampleReasons.put(reason, samplesRejected.get(reason.ordinal()));
            }
        }
        Map<String, Long> skippedByName = new LinkedHashMap<>();
        skipped.forEach((key, count) -> skippedByName.put(skippedName(key), count.get()));
        if (skippedOther.get() > 0) {
            skippedByName.put("other", skippedOther.get());
        }
        Map<InetAddress, AgentStats> agentStats = new HashMap<>();
        agents.forEach((address, agent) -> agentStats.put(address, agent.stats()));
        return new Stats(
                datagramsReceived.get(),
                datagramsDecoded.get(),
                packetSamples.get(),
                counterSamples.get(),
                Collections.unmodifiableMap(datagramReasons),
                Collections.unmodifiableMap(sampleReasons),
                Collections.unmodifiableMap(skippedByName),
                Collections.unmodifiableMap(agentStats),
                otherAgentsDatagrams.get(),
                consumerErrors.get(),
                receiveErrors.get(),
                kernelDrops());
    }

    /** Stops receiving: closes the socket and waits (up to 5 s) for the thread to end. */
    @Override
    public void close() {
        closing = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the sFlow collector's socket", e);
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER);
        SflowDecoder decoder = new SflowDecoder();
        Ingest ingest = new Ingest();
        long lastReceiveWarning = System.nanoTime() - 120_000_000_000L;
        while (!closing) {
            buffer.clear();
            try {
                if (channel.receive(buffer) == null) {
                    continue;
                }
            } catch (ClosedChannelException e) {
                return; // close(), or an interrupt: both end the collector
            } catch (IOException e) {
                receiveErrors.incrementAndGet();
                if (System.nanoTime() - lastReceiveWarning > 60_000_000_000L) {
                    lastReceiveWarning = System.nanoTime();
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "sFlow collector: receive failed (said at most once a minute)",
                            e);
                }
                continue;
            }
            buffer.flip();
            datagramsReceived.incrementAndGet();
            ingest.reset();
            try {
                decoder.decode(buffer, ingest);
                ingest.decoded();
            } catch (SflowFormatException e) {
                ingest.rejected(e);
            }
        }
    }

    private static final int SKIPPED_SAMPLE = 1;
    private static final int SKIPPED_FLOW_RECORD = 2;
    private static final int SKIPPED_HEADER_PROTOCOL = 3;

    private void skip(int kind, int format) {
        long key = (long) kind << 32 | (format & 0xffff_ffffL);
        AtomicLong count = skipped.get(key);
        if (count == null) {
            if (skipped.size() >= config.maxFormats()) {
                skippedOther.incrementAndGet();
                return;
            }
            count = skipped.computeIfAbsent(key, k -> new AtomicLong());
        }
        count.incrementAndGet();
    }

    private static String skippedName(long key) {
        int format = (int) key;
        return switch ((int) (key >>> 32)) {
            case SKIPPED_SAMPLE -> "sample " + SflowFormats.describe(format);
            case SKIPPED_FLOW_RECORD -> "flow record " + SflowFormats.describe(format);
            default -> "header protocol " + Integer.toUnsignedString(format);
        };
    }

    private long kernelDrops() {
        int port = localAddress.getPort();
        long drops = -1;
        for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] fields = line.strip().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
                    if (fields.length < 13 || !fields[1].contains(":")) {
                        continue;
                    }
                    String localPort = fields[1].substring(fields[1].lastIndexOf(':') + 1);
                    if (localPort.matches("[0-9A-F]{4}") && Integer.parseInt(localPort, 16) == port) {
                        drops = Math.max(drops, 0) + Long.parseLong(fields[12]);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Not Linux, or a format we do not know: unknown.
            }
        }
        return drops;
    }

    /** The collector's visitor: one instance, on the collector's thread. */
    private final class Ingest implements SflowVisitor {
        private InetAddress agentAddress;
        private int subAgentId;
        private long sequenceNumber;
        private long delivered;
        private long rejected;
        private long lastConsumerWarning = System.nanoTime() - 120_000_000_000L;

        void reset() {
            agentAddress = null;
            delivered = 0;
            rejected = 0;
        }

        @Override
        public void datagram(DatagramView datagram) {
            agentAddress = datagram.agentAddress();
            subAgentId = datagram.subAgentId();
            sequenceNumber = datagram.sequenceNumber();
        }

        @Override
        public void rawPacketHeader(RawPacketHeaderView header) {
            if (header.headerProtocol() != SflowFormats.HEADER_PROTOCOL_ETHERNET) {
                skip(SKIPPED_HEADER_PROTOCOL, header.headerProtocol());
                return;
            }
            delivered++;
            try {
                consumer.accept(header);
            } catch (RuntimeException e) {
                consumerErrors.incrementAndGet();
                if (System.nanoTime() - lastConsumerWarning > 60_000_000_000L) {
                    lastConsumerWarning = System.nanoTime();
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "sFlow collector: the sample consumer failed " + "(said at most once a minute)",
                            e);
                }
            }
        }

        @Override
        public void flowRecord(FlowSampleView sample, int format, ByteBuffer buffer, int offset, int length) {
            skip(SKIPPED_FLOW_RECORD, format);
        }

        @Override
        public void counterSample(DatagramView datagram, CounterSample sample) {
            counterSamples.incrementAndGet();
        }

        @Override
        public void unknownSample(DatagramView datagram, int format, ByteBuffer buffer, int offset, int length) {
            skip(SKIPPED_SAMPLE, format);
        }

        @Override
        public void sampleRejected(DatagramView datagram, SflowFormatException problem) {
            samplesRejected.incrementAndGet(problem.reason().ordinal());
            rejected++;
        }

        void decoded() {
            datagramsDecoded.incrementAndGet();
            packetSamples.addAndGet(delivered);
            Agent agent = agent(agentAddress, true);
            if (agent == null) {
                otherAgentsDatagrams.incrementAndGet();
                return;
            }
            agent.datagrams.incrementAndGet();
            agent.packetSamples.addAndGet(delivered);
            agent.samplesRejected.addAndGet(rejected);
            agent.sequence(subAgentId, sequenceNumber);
        }

        void rejected(SflowFormatException problem) {
            datagramsRejected.incrementAndGet(problem.reason().ordinal());
            // Nothing was delivered: samples are visited only once the datagram's framing holds.
            Agent agent = agentAddress == null ? null : agent(agentAddress, false);
            if (agent != null) {
                agent.datagramsRejected.incrementAndGet();
            }
        }
    }

    /** An agent by address; a new one only for a decoded datagram and below the limit. */
    private Agent agent(InetAddress address, boolean create) {
        Agent agent = agents.get(address);
        if (agent == null && create && agents.size() < config.maxAgents()) {
            agent = agents.computeIfAbsent(address, a -> new Agent());
        }
        return agent;
    }

    /** One agent's counters: written by the collector's thread, read by {@link #stats()}. */
    private final class Agent {
        static final int MAX_SUB_AGENTS = 1024;
        private static final long REORDER_WINDOW = 64;

        final AtomicLong datagrams = new AtomicLong();
        final AtomicLong datagramsRejected = new AtomicLong();
        final AtomicLong packetSamples = new AtomicLong();
        final AtomicLong samplesRejected = new AtomicLong();
        final AtomicLong datagramsLost = new AtomicLong();
        final AtomicLong sequenceResets = new AtomicLong();
        /** Last sequence number per sub-agent; the collector's thread only. */
        private final Map<Integer, long[]> lastSequence = new HashMap<>();

        void sequence(int subAgentId, long sequenceNumber) {
            long[] last = lastSequence.get(subAgentId);
            if (last == null) {
                if (lastSequence.size() < MAX_SUB_AGENTS && sequencesFollowed < MAX_SEQUENCES) {
                    lastSequence.put(subAgentId, new long[] {sequenceNumber});
                    sequencesFollowed++;
                }
                return;
            }
            long gap = (sequenceNumber - last[0] - 1) & Unsigned.MAX_U32;
            if (gap == 0) {
                last[0] = sequenceNumber;
            } else if (gap < 1L << 31) {
                datagramsLost.addAndGet(gap);
                last[0] = sequenceNumber;
            } else {
                sequenceResets.incrementAndGet();
                long behind = (last[0] - sequenceNumber) & Unsigned.MAX_U32;
                if (behind >= REORDER_WINDOW) {
                    last[0] = sequenceNumber; // the agent restarted: follow its new numbers
                }
            }
        }

        AgentStats stats() {
            return new AgentStats(
                    datagrams.get(),
                    datagramsRejected.get(),
                    packetSamples.get(),
                    samplesRejected.get(),
                    datagramsLost.get(),
                    sequenceResets.get());
        }
    }
}
