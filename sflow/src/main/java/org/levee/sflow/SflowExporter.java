package org.levee.sflow;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends packet samples and interface counters as sFlow v5 datagrams over UDP to one or more
 * collectors: the edge side of fleet mode.
 *
 * <h2>Threading</h2>
 * The callers' threads (a ring-buffer reader, a counter poller) only build a sample and offer it
 * to a bounded queue: they never wait for the network, and never for long for a lock. When the
 * queue is full the sample is dropped: counted in {@link Stats#samplesDropped()} and added to the
 * {@code drops} of its source's next flow sample, which is how sFlow tells a collector that
 * samples were lost. One platform daemon thread, {@code levee-sflow-exporter}, takes the samples
 * in order, batches them per sub-agent, and sends a batch when the next sample would not fit the
 * datagram size or when its oldest sample has waited the flush interval (100 ms by default). Sends
 * are non-blocking: a full socket buffer or an error from a collector (an ICMP port unreachable
 * comes back as one) loses that datagram for that collector only, and is counted in {@link
 * Stats#sendErrors()}.
 *
 * <h2>Addresses and numbers</h2>
 * One connected UDP socket per collector. The agent address of the datagrams sent to a collector
 * is, unless the configuration sets one, the local address the kernel picked for that socket when
 * it was connected: the address of the interface the route to the collector goes out of, so the
 * collector sees the same address in the datagram and as its UDP source. It is read once at start
 * ({@link #agentAddresses()}); restart the exporter if routes change. Each sub-agent numbers its
 * own datagrams from 1 (a datagram sent to several collectors has one number); each source numbers
 * its own flow samples and its own counter samples from 1; the uptime is milliseconds since
 * {@link #start}.
 *
 * <h2>Size</h2>
 * No datagram is larger than {@link Config#maxDatagramSize()} (1400 bytes by default), nor than the
 * MTU of the interface toward any collector minus the IP and UDP headers: datagrams are never
 * fragmented.
 */
public final class SflowExporter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SflowExporter.class.getName());

    /**
     * How the exporter works.
     *
     * @param collectors where to send every datagram (at least one)
     * @param agentAddress the agent address of every datagram, or null for the local address
     *     toward each collector
     * @param maxDatagramSize largest UDP payload sent (bytes), also bounded by each route's MTU
     * @param flushInterval longest time a sample waits for its datagram to fill
     * @param queueCapacity samples waiting for the sender thread, at most
     * @param maxHeaderBytes packet bytes kept in a flow sample, at most (Levee's data plane
     *     samples at most 256)
     */
    public record Config(
            List<InetSocketAddress> collectors,
            InetAddress agentAddress,
            int maxDatagramSize,
            Duration flushInterval,
            int queueCapacity,
            int maxHeaderBytes) {

        public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(100);
        public static final int DEFAULT_QUEUE_CAPACITY = 16_384;
        public static final int DEFAULT_MAX_HEADER_BYTES = 256;

        public Config {
            collectors = List.copyOf(collectors);
            if (collectors.isEmpty()) {
                throw new IllegalArgumentException("sFlow exporter needs at least one collector");
            }
            for (InetSocketAddress collector : collectors) {
                if (collector.isUnresolved()) {
                    throw new IllegalArgumentException("sFlow collector " + collector + " is not resolved");
                }
            }
            Objects.requireNonNull(flushInterval, "flushInterval");
            if (flushInterval.isNegative() || flushInterval.isZero() || flushInterval.toSeconds() > 60) {
                throw new IllegalArgumentException("sFlow flush interval " + flushInterval + " is outside (0, 60 s]");
            }
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("sFlow queue capacity " + queueCapacity + " must be at least 1");
            }
            if (maxHeaderBytes < 1 || maxHeaderBytes > 1024) {
                throw new IllegalArgumentException("sFlow max header bytes " + maxHeaderBytes + " is outside 1..1024");
            }
            int smallest = SflowEncoder.HEADER_SIZE_IPV6 + largestFlowSample(maxHeaderBytes);
            if (maxDatagramSize < smallest || maxDatagramSize > SflowPacker.MAX_UDP_PAYLOAD) {
                throw new IllegalArgumentException("sFlow max datagram size " + maxDatagramSize + " is outside "
                        + smallest + ".." + SflowPacker.MAX_UDP_PAYLOAD + " (a datagram must hold a flow sample of "
                        + maxHeaderBytes + " header bytes)");
            }
        }

        /** Defaults: local agent addresses, 1400-byte datagrams, 100 ms, 16,384 queued samples, 256 header bytes. */
        public static Config of(List<InetSocketAddress> collectors) {
            return new Config(
                    collectors,
                    null,
                    SflowPacker.DEFAULT_MAX_DATAGRAM_SIZE,
                    DEFAULT_FLUSH_INTERVAL,
                    DEFAULT_QUEUE_CAPACITY,
                    DEFAULT_MAX_HEADER_BYTES);
        }

        public Config withAgentAddress(InetAddress address) {
            return new Config(collectors, address, maxDatagramSize, flushInterval, queueCapacity, maxHeaderBytes);
        }

        public Config withMaxDatagramSize(int size) {
            return new Config(collectors, agentAddress, size, flushInterval, queueCapacity, maxHeaderBytes);
        }

        public Config withFlushInterval(Duration interval) {
            return new Config(collectors, agentAddress, maxDatagramSize, interval, queueCapacity, maxHeaderBytes);
        }

        public Config withQueueCapacity(int capacity) {
            return new Config(collectors, agentAddress, maxDatagramSize, flushInterval, capacity, maxHeaderBytes);
        }

        public Config withMaxHeaderBytes(int bytes) {
            return new Config(collectors, agentAddress, maxDatagramSize, flushInterval, queueCapacity, bytes);
        }
    }

    /**
     * What the exporter has done so far.
     *
     * @param datagramsSent datagrams handed to the kernel, summed over collectors
     * @param samplesSent samples in those datagrams, summed over collectors
     * @param bytesSent bytes of those datagrams (UDP payload), summed over collectors
     * @param sendErrors datagrams not sent to a collector (socket buffer full, ICMP error, ...)
     * @param samplesDropped samples refused because the queue was full
     */
    public record Stats(long datagramsSent, long samplesSent, long bytesSent, long sendErrors, long samplesDropped) {}

    private sealed interface Item permits Queued, Flush, Stop {}

    private record Queued(int subAgentId, SflowSample sample) implements Item {}

    private record Flush(CountDownLatch done) implements Item {}

    private enum Stop implements Item {
        STOP
    }

    private final Config config;
    private final List<Target> targets;
    private final int maxBodySize;
    private final BlockingQueue<Item> queue;
    private final long startNanos = System.nanoTime();
    private final AtomicLong datagramsSent = new AtomicLong();
    private final AtomicLong samplesSent = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong samplesDropped = new AtomicLong();
    private final Thread sender;
    private volatile boolean closing;

    private SflowExporter(Config config, List<Target> targets) {
        this.config = config;
        this.targets = targets;
        int body = Integer.MAX_VALUE;
        for (Target target : targets) {
            body = Math.min(body, target.maxDatagramSize - SflowEncoder.headerSize(target.agentAddress));
        }
        this.maxBodySize = body;
        this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
        this.sender = Thread.ofPlatform().name("levee-sflow-exporter").daemon().unstarted(this::run);
    }

    /**
     * Opens one connected UDP socket per collector, reads the agent addresses and the MTUs of their
     * routes, and starts the sender thread.
     *
     * @throws IOException if a socket cannot be opened or connected (no route to a collector)
     */
    public static SflowExporter start(Config config) throws IOException {
        List<Target> targets = new ArrayList<>();
        try {
            for (InetSocketAddress collector : config.collectors()) {
                targets.add(Target.open(collector, config));
            }
        } catch (IOException | RuntimeException e) {
            for (Target target : targets) {
                target.close();
            }
            throw e;
        }
        SflowExporter exporter = new SflowExporter(config, List.copyOf(targets));
        exporter.sender.start();
        return exporter;
    }

    /**
     * The data source of interface {@code ifIndex}, under sub-agent {@code subAgentId} (keep it
     * stable per interface: collectors track sequence numbers per agent and sub-agent). Keep the
     * returned source: it holds the interface's sequence numbers.
     */
    public Source source(int subAgentId, int ifIndex) {
        if (ifIndex < 0 || ifIndex > 0x3fff_ffff) {
            throw new IllegalArgumentException("ifIndex " + ifIndex + " is outside 0.." + 0x3fff_ffff);
        }
        return new Source(subAgentId, ifIndex);
    }

    /** The agent address put in the datagrams sent to each collector. */
    public Map<InetSocketAddress, InetAddress> agentAddresses() {
        Map<InetSocketAddress, InetAddress> addresses = new LinkedHashMap<>();
        for (Target target : targets) {
            addresses.put(target.collector, target.agentAddress);
        }
        return addresses;
    }

    /** The largest datagram sent to any collector, after the MTU bound. */
    public int maxDatagramSize() {
        int size = 0;
        for (Target target : targets) {
            size = Math.max(size, target.maxDatagramSize);
        }
        return size;
    }

    public Stats stats() {
        return new Stats(
                datagramsSent.get(), samplesSent.get(), bytesSent.get(), sendErrors.get(), samplesDropped.get());
    }

    /**
     * Sends everything queued before this call now, without waiting for the flush interval, and
     * waits until it has been handed to the kernel.
     *
     * @return false if that took longer than {@code timeout} or the exporter is closed
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        if (closing) {
            return false;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Flush flush = new Flush(new CountDownLatch(1));
        if (!queue.offer(flush, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        return flush.done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Sends what is queued, stops the sender thread (waiting up to 5 s for it) and closes the sockets. */
    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        queue.offer(Stop.STOP);
        try {
            sender.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Target target : targets) {
            target.close();
        }
    }

    /**
     * One interface's samples: its sequence numbers and the samples lost before they were queued.
     * Thread-safe; its calls never block for longer than a short lock.
     */
    public final class Source {
        private final int subAgentId;
        private final int ifIndex;
        private long flowSequence;
        private long counterSequence;
        private long queueDrops;

        private Source(int subAgentId, int ifIndex) {
            this.subAgentId = subAgentId;
            this.ifIndex = ifIndex;
        }

        public int subAgentId() {
            return subAgentId;
        }

        public int ifIndex() {
            return ifIndex;
        }

        /**
         * Queues a flow sample of one packet: its first bytes (at most the configured header bytes are
         * kept) with source and input interface = this interface.
         *
         * @param samplingRate N of "1 in N" the packet was sampled at (1..2^32-1)
         * @param samplePool packets seen on the interface so far (wrapped to 32 bits)
         * @param drops samples lost so far before they reached the caller, e.g. in the ring buffer
         *     (wrapped to 32 bits; the exporter adds its own queue's losses)
         * @param frame the packet, from its Ethernet header
         * @param length how many bytes of {@code frame} were captured
         * @param frameLength the packet's length on the wire, at least {@code length}
         * @return false if the sample was dropped (queue full, exporter closed)
         */
        public boolean packetSample(
                long samplingRate, long samplePool, long drops, byte[] frame, int length, long frameLength) {
            if (samplingRate < 1 || samplingRate > Unsigned.MAX_U32) {
                throw new IllegalArgumentException(
                        "sampling rate " + samplingRate + " is outside 1.." + Unsigned.MAX_U32);
            }
            Objects.checkFromIndexSize(0, length, frame.length);
            if (frameLength < length || frameLength > Unsigned.MAX_U32) {
                throw new IllegalArgumentException(
                        "frame length " + frameLength + " is outside " + length + ".." + Unsigned.MAX_U32);
            }
            byte[] header = Arrays.copyOf(frame, Math.min(length, config.maxHeaderBytes()));
            synchronized (this) {
                long sequence = (flowSequence + 1) & Unsigned.MAX_U32;
                FlowSample sample = new FlowSample(
                        sequence,
                        SourceId.ifIndex(ifIndex),
                        samplingRate,
                        samplePool & Unsigned.MAX_U32,
                        (drops + queueDrops) & Unsigned.MAX_U32,
                        InterfaceId.ifIndex(ifIndex),
                        InterfaceId.UNKNOWN,
                        List.of(RawPacketHeader.ethernet(header, frameLength)),
                        false);
                if (offer(sample)) {
                    flowSequence = sequence;
                    return true;
                }
                queueDrops++;
                return false;
            }
        }

        /** {@link #packetSample(long, long, long, byte[], int, long)} of all of {@code frame}. */
        public boolean packetSample(long samplingRate, long samplePool, long drops, byte[] frame, long frameLength) {
            return packetSample(samplingRate, samplePool, drops, frame, frame.length, frameLength);
        }

        /** Queues a counter sample of this interface (callers send one every polling interval, e.g. 10 s). */
        public boolean counterSample(GenericInterfaceCounters counters) {
            synchronized (this) {
                long sequence = (counterSequence + 1) & Unsigned.MAX_U32;
                CounterSample sample = new CounterSample(sequence, SourceId.ifIndex(ifIndex), List.of(counters), false);
                if (offer(sample)) {
                    counterSequence = sequence;
                    return true;
                }
                return false;
            }
        }

        private boolean offer(SflowSample sample) {
            if (closing || !queue.offer(new Queued(subAgentId, sample))) {
                samplesDropped.incrementAndGet();
                return false;
            }
            return true;
        }
    }

    static int largestFlowSample(int headerBytes) {
        // format, length, 32 bytes of flow sample, then one record: format, length, 16 bytes, header
        return 8 + 32 + 8 + 16 + SflowEncoder.padded(headerBytes);
    }

    // ---- the sender thread ----

    /** The samples of one sub-agent waiting for their datagram. */
    private final class Batch {
        final int subAgentId;
        final ByteBuffer body = ByteBuffer.allocate(maxBodySize);
        int samples;
        long deadlineNanos;
        long nextSequence = 1;

        Batch(int subAgentId) {
            this.subAgentId = subAgentId;
        }
    }

    private void run() {
        Map<Integer, Batch> batches = new LinkedHashMap<>();
        long interval = config.flushInterval().toNanos();
        boolean stopping = false;
        while (true) {
            // close() also says so through the flag, in case its STOP found the queue full.
            stopping |= closing;
            Item item;
            try {
                if (stopping) {
                    item = queue.poll();
                } else {
                    long wait = interval;
                    long now = System.nanoTime();
                    for (Batch batch : batches.values()) {
                        if (batch.samples > 0) {
                            wait = Math.min(wait, batch.deadlineNanos - now);
                        }
                    }
                    item = queue.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                stopping = true;
                continue;
            }
            switch (item) {
                case null -> {
                    if (stopping) {
                        batches.values().forEach(this::send);
                        return;
                    }
                }
                case Queued queued -> {
                    Batch batch = batches.computeIfAbsent(queued.subAgentId(), Batch::new);
                    int size = SflowEncoder.encodedSize(queued.sample());
                    if (size > batch.body.remaining()) {
                        send(batch);
                    }
                    if (size > batch.body.remaining()) {
                        // Only a counter sample of many records could be this large: never a Levee one.
                        LOG.log(System.Logger.Level.WARNING, "sFlow sample of {0} bytes does not fit a datagram", size);
                        sendErrors.incrementAndGet();
                    } else {
                        if (batch.samples == 0) {
                            batch.deadlineNanos = System.nanoTime() + interval;
                        }
                        SflowEncoder.writeSample(queued.sample(), batch.body);
                        batch.samples++;
                    }
                }
                case Flush flush -> {
                    batches.values().forEach(this::send);
                    flush.done().countDown();
                }
                case Stop ignored -> stopping = true;
            }
            long now = System.nanoTime();
            for (Batch batch : batches.values()) {
                if (batch.samples > 0 && now - batch.deadlineNanos >= 0) {
                    send(batch);
                }
            }
        }
    }

    /** Sends a batch's datagram to every collector and empties it. */
    private void send(Batch batch) {
        if (batch.samples == 0) {
            return;
        }
        long uptime = ((System.nanoTime() - startNanos) / 1_000_000) & Unsigned.MAX_U32;
        batch.body.flip();
        for (Target target : targets) {
            target.header.clear();
            SflowEncoder.writeHeader(
                    target.agentAddress, batch.subAgentId, batch.nextSequence, uptime, batch.samples, target.header);
            target.header.flip();
            ByteBuffer body = batch.body.duplicate();
            int bytes = target.header.remaining() + body.remaining();
            try {
                long written = target.channel.write(new ByteBuffer[] {target.header, body});
                if (written == bytes) {
                    datagramsSent.incrementAndGet();
                    samplesSent.addAndGet(batch.samples);
                    bytesSent.addAndGet(bytes);
                } else {
                    target.failed("socket buffer full: datagram not sent", sendErrors);
                }
            } catch (IOException e) {
                target.failed(e.toString(), sendErrors);
            }
        }
        batch.body.clear();
        batch.samples = 0;
        batch.nextSequence = (batch.nextSequence + 1) & Unsigned.MAX_U32;
    }

    /** One collector: its connected socket, our address toward it, the MTU bound of its route. */
    private static final class Target {
        final InetSocketAddress collector;
        final DatagramChannel channel;
        final InetAddress agentAddress;
        final int maxDatagramSize;
        final ByteBuffer header = ByteBuffer.allocate(SflowEncoder.HEADER_SIZE_IPV6);
        private long lastWarningNanos = System.nanoTime() - 120_000_000_000L;

        private Target(
                InetSocketAddress collector, DatagramChannel channel, InetAddress agentAddress, int maxDatagramSize) {
            this.collector = collector;
            this.channel = channel;
            this.agentAddress = agentAddress;
            this.maxDatagramSize = maxDatagramSize;
        }

        static Target open(InetSocketAddress collector, Config config) throws IOException {
            DatagramChannel channel = DatagramChannel.open();
            try {
                channel.connect(collector);
                channel.configureBlocking(false);
                InetAddress local = ((InetSocketAddress) channel.getLocalAddress()).getAddress();
                InetAddress agent = config.agentAddress() != null ? config.agentAddress() : local;
                int ipHeader = collector.getAddress() instanceof Inet4Address ? 20 : 40;
                int size = config.maxDatagramSize();
                int mtu = mtu(local);
                if (mtu > 0) {
                    size = Math.min(size, mtu - ipHeader - 8);
                }
                int smallest = SflowEncoder.HEADER_SIZE_IPV6 + largestFlowSample(config.maxHeaderBytes());
                if (size < smallest) {
                    throw new IOException("the route to sFlow collector " + collector + " has an MTU of " + mtu
                            + ": too small for a datagram of " + smallest + " bytes");
                }
                return new Target(collector, channel, agent, size);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        private static int mtu(InetAddress local) {
            try {
                NetworkInterface device = NetworkInterface.getByInetAddress(local);
                return device == null ? -1 : device.getMTU();
            } catch (SocketException e) {
                return -1;
            }
        }

        void failed(String why, AtomicLong errors) {
            errors.incrementAndGet();
            long now = System.nanoTime();
            if (now - lastWarningNanos > 60_000_000_000L) {
                lastWarningNanos = now;
                LOG.log(
                        System.Logger.Level.WARNING,
                        "sFlow datagram to {0} not sent: {1} (said at most once a minute)",
                        collector,
                        why);
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the sFlow socket to " + collector, e);
            }
        }
    }
}
