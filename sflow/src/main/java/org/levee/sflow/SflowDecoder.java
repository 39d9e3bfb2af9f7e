package org.levee.sflow;

import static org.levee.sflow.SflowFormatException.Reason.BAD_ADDRESS_TYPE;
import static org.levee.sflow.SflowFormatException.Reason.BAD_VERSION;
import static org.levee.sflow.SflowFormatException.Reason.COUNT_PAST_END;
import static org.levee.sflow.SflowFormatException.Reason.HEADER_LONGER_THAN_FRAME;
import static org.levee.sflow.SflowFormatException.Reason.LENGTH_PAST_END;
import static org.levee.sflow.SflowFormatException.Reason.LENGTH_PAST_RECORD;
import static org.levee.sflow.SflowFormatException.Reason.LENGTH_PAST_SAMPLE;
import static org.levee.sflow.SflowFormatException.Reason.TRAILING_BYTES;
import static org.levee.sflow.SflowFormatException.Reason.TRUNCATED;
import static org.levee.sflow.SflowFormatException.Reason.ZERO_SAMPLING_RATE;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.levee.sflow.SflowFormatException.Reason;

/**
 * Reads sFlow v5 datagrams. It throws nothing but {@link SflowFormatException} on bad bytes, never
 * allocates more than the datagram's own size whatever its counts and lengths say, and never reads
 * outside the bytes it was given.
 *
 * <h2>What is refused, and how much of the datagram goes with it</h2>
 * <ul>
 *   <li><b>The whole datagram</b> when its header or its framing is wrong: a version other than 5,
 *       an agent address type other than IPv4/IPv6, a header cut short, a sample count needing more
 *       bytes than remain, a sample length running past the datagram's end, bytes after the last
 *       sample. Nothing of it can be trusted then: where one sample ends is where the next starts.
 *   <li><b>Only that sample</b> when the framing holds but a flow or counter sample's content is
 *       wrong: fields cut short, a sampling rate of 0, a record count needing more bytes than the
 *       sample has, a record length running past the sample, a header length running past its
 *       record, more header bytes than the frame length, bytes after the last record. The other
 *       samples of the datagram are decoded; the refused one is reported to {@link
 *       SflowVisitor#sampleRejected} (the collector counts it per reason). The strict {@link
 *       #decode(ByteBuffer)} refuses the whole datagram instead.
 * </ul>
 *
 * <p>Formats it does not decode are not errors: a sample of another format, a flow record other
 * than the raw packet header and a counter record other than generic interface counters are
 * handed over as (format, bytes) — {@link UnknownSample}, {@link UnknownFlowRecord}, {@link
 * UnknownCounterRecord} in the record API — for the caller to keep, count or skip.
 *
 * <p>Lengths follow XDR: a structure's length field counts its data without padding, and the next
 * structure starts at the next 4-byte boundary.
 *
 * <p>An instance keeps reusable views and a cache of agent addresses: the visitor path allocates
 * nothing per datagram from a known agent. One instance per thread.
 */
public final class SflowDecoder {
    /** Slots of the agent address cache of {@link #SflowDecoder()}. */
    public static final int DEFAULT_AGENT_CACHE_SIZE = 16_384;

    private final AgentAddressCache agents;
    private final DatagramView datagram = new DatagramView();
    private final FlowSampleView flow = new FlowSampleView(datagram);
    private final RawPacketHeaderView raw = new RawPacketHeaderView(flow);

    // The datagram being decoded, and where in it: for the messages of errors.
    private ByteBuffer buffer;
    private int base;
    private int sampleIndex;
    private int sampleFormat;
    private boolean sampleFormatRead;
    private int recordIndex;
    private int recordFormat;
    private int sampleLimit;
    private int recordLimit;

    public SflowDecoder() {
        this(DEFAULT_AGENT_CACHE_SIZE);
    }

    /** A decoder that remembers up to {@code agentCacheSize} agent addresses (rounded down to a power of 2). */
    public SflowDecoder(int agentCacheSize) {
        agents = new AgentAddressCache(agentCacheSize);
    }

    /** Decodes {@code bytes}, refusing the whole datagram for any problem, also inside one sample. */
    public static SflowDatagram decode(byte[] bytes) throws SflowFormatException {
        return decode(ByteBuffer.wrap(bytes));
    }

    /**
     * Decodes the bytes from {@code buffer}'s position to its limit (leaving both as they are),
     * refusing the whole datagram for any problem, also inside one sample.
     */
    public static SflowDatagram decode(ByteBuffer buffer) throws SflowFormatException {
        DatagramBuilder builder = new DatagramBuilder(null);
        new SflowDecoder(1).run(buffer, builder, true);
        return builder.build();
    }

    /**
     * Decodes the bytes from {@code buffer}'s position to its limit (leaving both as they are), as
     * the collector does: a sample that is not valid is left out of the result and handed to {@code
     * rejectedSamples}; a datagram whose header or framing is wrong is refused whole.
     */
    public static SflowDatagram decode(ByteBuffer buffer, Consumer<SflowFormatException> rejectedSamples)
            throws SflowFormatException {
        DatagramBuilder builder = new DatagramBuilder(rejectedSamples);
        new SflowDecoder(1).run(buffer, builder, false);
        return builder.build();
    }

    /**
     * Visits the datagram from {@code buffer}'s position to its limit (leaving both as they are):
     * its header, then each valid sample and its records, with views of the buffer. A sample that
     * is not valid goes to {@link SflowVisitor#sampleRejected} and the next one is visited.
     *
     * @throws SflowFormatException if the datagram's header or framing is wrong (see the class
     *     comment); samples before the problem have not been visited then
     */
    public void decode(ByteBuffer buffer, SflowVisitor visitor) throws SflowFormatException {
        run(buffer, visitor, false);
    }

    private void run(ByteBuffer source, SflowVisitor visitor, boolean strict) throws SflowFormatException {
        ByteBuffer b = source.order() == ByteOrder.BIG_ENDIAN
                ? source
                : source.duplicate().order(ByteOrder.BIG_ENDIAN);
        buffer = b;
        base = b.position();
        int end = b.limit();
        sampleIndex = -1;
        recordIndex = -1;
        sampleLimit = -1;
        recordLimit = -1;
        try {
            int first = header(b, end, visitor);
            samples(b, first, end, visitor, strict);
        } finally {
            buffer = null;
            raw.buffer = null;
        }
    }

    /** Reads the datagram's header and checks its framing; returns where the first sample starts. */
    private int header(ByteBuffer b, int end, SflowVisitor visitor) throws SflowFormatException {
        int at = base;
        long version = u32(at, end, "version");
        if (version != SflowDatagram.VERSION) {
            throw fail(BAD_VERSION, at, "version", "is " + version + ", expected " + SflowDatagram.VERSION);
        }
        at += 4;
        long addressType = u32(at, end, "agent_address type");
        int addressLength =
                addressType == SflowDatagram.ADDRESS_IPV4 ? 4 : addressType == SflowDatagram.ADDRESS_IPV6 ? 16 : -1;
        if (addressLength < 0) {
            throw fail(
                    BAD_ADDRESS_TYPE,
                    at,
                    "agent_address type",
                    "is " + addressType + ", expected 1 (IPv4) or 2 (IPv6)");
        }
        at += 4;
        if (end - at < addressLength) {
            throw truncated(at, end, "agent_address", addressLength);
        }
        datagram.agentAddress = agents.lookup(b, at, addressLength);
        at += addressLength;
        datagram.subAgentId = (int) u32(at, end, "sub_agent_id");
        datagram.sequenceNumber = u32(at + 4, end, "sequence_number");
        datagram.uptimeMillis = u32(at + 8, end, "uptime");
        long count = u32(at + 12, end, "samples");
        at += 16;
        datagram.sampleCount = (int) Math.min(count, Integer.MAX_VALUE);
        datagram.length = end - base;
        visitor.datagram(datagram);

        if (count > (end - at) / 8) {
            throw fail(
                    COUNT_PAST_END,
                    at - 4,
                    "samples",
                    "counts " + count + " samples, which need at least " + 8 * count + " bytes, but " + (end - at)
                            + " remain");
        }
        int sample = at;
        for (int i = 0; i < count; i++) {
            sampleIndex = i;
            sampleFormatRead = false;
            sampleFormat = (int) u32(sample, end, "data_format");
            sampleFormatRead = true;
            long length = u32(sample + 4, end, "length");
            if (padded(length) > end - sample - 8) {
                throw fail(
                        LENGTH_PAST_END,
                        sample + 4,
                        "length",
                        "is " + length + " but " + (end - sample - 8) + " bytes remain in the datagram");
            }
            sample += 8 + (int) padded(length);
        }
        sampleIndex = -1;
        if (sample != end) {
            throw fail(
                    TRAILING_BYTES,
                    sample,
                    "samples",
                    "has " + count + " samples, followed by " + (end - sample) + " more bytes");
        }
        return at;
    }

    private void samples(ByteBuffer b, int first, int end, SflowVisitor visitor, boolean strict)
            throws SflowFormatException {
        int at = first;
        for (int i = 0; i < datagram.sampleCount; i++) {
            int format = b.getInt(at);
            int length = b.getInt(at + 4); // checked: the sample fits the datagram
            int start = at + 8;
            at = start + (int) padded(length);
            sampleIndex = i;
            sampleFormat = format;
            sampleFormatRead = true;
            sampleLimit = start + length;
            recordLimit = -1;
            recordIndex = -1;
            try {
                switch (format) {
                    case SflowFormats.FLOW_SAMPLE -> flowSample(b, start, start + length, false, visitor);
                    case SflowFormats.FLOW_SAMPLE_EXPANDED -> flowSample(b, start, start + length, true, visitor);
                    case SflowFormats.COUNTER_SAMPLE -> counterSample(b, start, start + length, false, visitor);
                    case SflowFormats.COUNTER_SAMPLE_EXPANDED -> counterSample(b, start, start + length, true, visitor);
                    default -> visitor.unknownSample(datagram, format, b, start, length);
                }
            } catch (SflowFormatException e) {
                if (strict) {
                    throw e;
                }
                visitor.sampleRejected(datagram, e);
            }
        }
        sampleIndex = -1;
        sampleLimit = -1;
    }

    /** Checks all of one flow sample, then visits it. */
    private void flowSample(ByteBuffer b, int start, int limit, boolean expanded, SflowVisitor visitor)
            throws SflowFormatException {
        int at = start;
        long sequence = u32(at, limit, "sequence_number");
        at += 4;
        int sourceClass;
        int sourceIndex;
        if (expanded) {
            sourceClass = (int) u32(at, limit, "source_id_type");
            sourceIndex = (int) u32(at + 4, limit, "source_id_index");
            at += 8;
        } else {
            int source = (int) u32(at, limit, "source_id");
            sourceClass = source >>> 24;
            sourceIndex = source & 0xff_ffff;
            at += 4;
        }
        long samplingRate = u32(at, limit, "sampling_rate");
        if (samplingRate == 0) {
            throw fail(ZERO_SAMPLING_RATE, at, "sampling_rate", "is 0: a sample stands for at least 1 packet");
        }
        long samplePool = u32(at + 4, limit, "sample_pool");
        long drops = u32(at + 8, limit, "drops");
        at += 12;
        int inputFormat;
        int inputValue;
        int outputFormat;
        int outputValue;
        if (expanded) {
            inputFormat = (int) u32(at, limit, "input format");
            inputValue = (int) u32(at + 4, limit, "input value");
            outputFormat = (int) u32(at + 8, limit, "output format");
            outputValue = (int) u32(at + 12, limit, "output value");
            at += 16;
        } else {
            int input = (int) u32(at, limit, "input");
            int output = (int) u32(at + 4, limit, "output");
            inputFormat = input >>> 30;
            inputValue = input & 0x3fff_ffff;
            outputFormat = output >>> 30;
            outputValue = output & 0x3fff_ffff;
            at += 8;
        }
        long count = u32(at, limit, "flow_records");
        at += 4;
        if (count > (limit - at) / 8) {
            throw fail(
                    COUNT_PAST_END,
                    at - 4,
                    "flow_records",
                    "counts " + count + " records, which need at least " + 8 * count + " bytes, but " + (limit - at)
                            + " remain in the sample");
        }
        int records = at;
        for (int j = 0; j < count; j++) {
            recordIndex = j;
            recordFormat = (int) u32(at, limit, "data_format");
            long length = u32(at + 4, limit, "length");
            at += 8;
            if (padded(length) > limit - at) {
                throw fail(
                        LENGTH_PAST_SAMPLE,
                        at - 4,
                        "length",
                        "is " + length + " but " + (limit - at) + " bytes remain in the sample");
            }
            if (recordFormat == SflowFormats.RAW_PACKET_HEADER) {
                checkRawPacketHeader(at, at + (int) length);
            }
            at += (int) padded(length);
        }
        recordIndex = -1;
        if (at != limit) {
            throw fail(
                    TRAILING_BYTES,
                    at,
                    "flow_records",
                    "has " + count + " records, followed by " + (limit - at) + " more bytes in the sample");
        }

        flow.index = sampleIndex;
        flow.expanded = expanded;
        flow.sequenceNumber = sequence;
        flow.sourceClass = sourceClass;
        flow.sourceIndex = sourceIndex;
        flow.samplingRate = samplingRate;
        flow.samplePool = samplePool;
        flow.drops = drops;
        flow.inputFormat = inputFormat;
        flow.inputValue = inputValue;
        flow.outputFormat = outputFormat;
        flow.outputValue = outputValue;
        flow.recordCount = (int) count;
        visitor.flowSample(flow);
        at = records;
        for (int j = 0; j < count; j++) {
            int format = b.getInt(at);
            int length = b.getInt(at + 4);
            int data = at + 8;
            if (format == SflowFormats.RAW_PACKET_HEADER) {
                raw.buffer = b;
                raw.headerProtocol = b.getInt(data);
                raw.frameLength = b.getInt(data + 4) & 0xffff_ffffL;
                raw.stripped = b.getInt(data + 8) & 0xffff_ffffL;
                raw.headerLength = b.getInt(data + 12);
                raw.headerOffset = data + 16;
                visitor.rawPacketHeader(raw);
            } else {
                visitor.flowRecord(flow, format, b, data, length);
            }
            at = data + (int) padded(length);
        }
        visitor.flowSampleEnd(flow);
    }

    /** Checks a raw packet header record of {@code limit - at} bytes at {@code at}. */
    private void checkRawPacketHeader(int at, int limit) throws SflowFormatException {
        recordLimit = limit;
        u32(at, limit, "header_protocol");
        long frameLength = u32(at + 4, limit, "frame_length");
        u32(at + 8, limit, "stripped");
        long headerLength = u32(at + 12, limit, "header length");
        int room = limit - at - 16;
        if (headerLength > room) {
            throw fail(
                    LENGTH_PAST_RECORD,
                    at + 12,
                    "header length",
                    "is " + headerLength + " but " + room + " bytes remain in the record");
        }
        if (headerLength > frameLength) {
            throw fail(
                    HEADER_LONGER_THAN_FRAME,
                    at + 12,
                    "header length",
                    "is " + headerLength + ", more than the frame_length " + frameLength);
        }
        if (room > padded(headerLength)) {
            throw fail(
                    TRAILING_BYTES,
                    at + 16 + (int) padded(headerLength),
                    "header",
                    "is followed by " + (room - padded(headerLength)) + " more bytes in the record");
        }
        recordLimit = -1;
    }

    /** Checks one counter sample, builds it and visits it. */
    private void counterSample(ByteBuffer b, int start, int limit, boolean expanded, SflowVisitor visitor)
            throws SflowFormatException {
        int at = start;
        long sequence = u32(at, limit, "sequence_number");
        at += 4;
        int sourceClass;
        int sourceIndex;
        if (expanded) {
            sourceClass = (int) u32(at, limit, "source_id_type");
            sourceIndex = (int) u32(at + 4, limit, "source_id_index");
            at += 8;
        } else {
            int source = (int) u32(at, limit, "source_id");
            sourceClass = source >>> 24;
            sourceIndex = source & 0xff_ffff;
            at += 4;
        }
        long count = u32(at, limit, "counter_records");
        at += 4;
        if (count > (limit - at) / 8) {
            throw fail(
                    COUNT_PAST_END,
                    at - 4,
                    "counter_records",
                    "counts " + count
                            + " records, which need at least " + 8 * count + " bytes, but " + (limit - at)
                            + " remain in the sample");
        }
        List<CounterRecord> records = new ArrayList<>();
        for (int j = 0; j < count; j++) {
            recordIndex = j;
            recordFormat = (int) u32(at, limit, "data_format");
            long length = u32(at + 4, limit, "length");
            at += 8;
            if (padded(length) > limit - at) {
                throw fail(
                        LENGTH_PAST_SAMPLE,
                        at - 4,
                        "length",
                        "is " + length + " but " + (limit - at) + " bytes remain in the sample");
            }
            if (recordFormat == SflowFormats.GENERIC_INTERFACE_COUNTERS) {
                records.add(interfaceCounters(b, at, at + (int) length));
            } else {
                byte[] data = new byte[(int) length];
                b.get(at, data);
                records.add(new UnknownCounterRecord(recordFormat, data));
            }
            at += (int) padded(length);
        }
        recordIndex = -1;
        if (at != limit) {
            throw fail(
                    TRAILING_BYTES,
                    at,
                    "counter_records",
                    "has " + count + " records, followed by " + (limit - at) + " more bytes in the sample");
        }
        visitor.counterSample(
                datagram, new CounterSample(sequence, new SourceId(sourceClass, sourceIndex), records, expanded));
    }

    private GenericInterfaceCounters interfaceCounters(ByteBuffer b, int at, int limit) throws SflowFormatException {
        if (limit - at < GenericInterfaceCounters.SIZE) {
            throw fail(
                    TRUNCATED,
                    at - 4,
                    "length",
                    "is " + (limit - at) + ", but generic interface counters take " + GenericInterfaceCounters.SIZE
                            + " bytes");
        }
        if (limit - at > GenericInterfaceCounters.SIZE) {
            throw fail(
                    TRAILING_BYTES,
                    at - 4,
                    "length",
                    "is " + (limit - at) + ", but generic interface counters take " + GenericInterfaceCounters.SIZE
                            + " bytes");
        }
        return new GenericInterfaceCounters(
                b.getInt(at),
                b.getInt(at + 4),
                b.getLong(at + 8),
                b.getInt(at + 16),
                b.getInt(at + 20),
                b.getLong(at + 24),
                u32(b, at + 32),
                u32(b, at + 36),
                u32(b, at + 40),
                u32(b, at + 44),
                u32(b, at + 48),
                u32(b, at + 52),
                b.getLong(at + 56),
                u32(b, at + 64),
                u32(b, at + 68),
                u32(b, at + 72),
                u32(b, at + 76),
                u32(b, at + 80),
                b.getInt(at + 84));
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xffff_ffffL;
    }

    /** The unsigned 32-bit field at {@code at}, which must end by {@code limit}. */
    private long u32(int at, int limit, String field) throws SflowFormatException {
        if (limit - at < 4) {
            throw truncated(at, limit, field, 4);
        }
        return buffer.getInt(at) & 0xffff_ffffL;
    }

    private static long padded(long length) {
        return (length + 3) & ~3L;
    }

    private SflowFormatException truncated(int at, int limit, String field, int size) {
        String container = limit == recordLimit ? "record" : limit == sampleLimit ? "sample" : "datagram";
        return fail(
                TRUNCATED,
                at,
                field,
                "needs " + size + " bytes but " + Math.max(0, limit - at) + " remain in the " + container);
    }

    private SflowFormatException fail(Reason reason, int at, String field, String problem) {
        StringBuilder message = new StringBuilder("sFlow datagram byte ").append(at - base);
        if (sampleIndex >= 0) {
            message.append(", sample ").append(sampleIndex);
            if (sampleFormatRead) {
                message.append(" (").append(sampleKind(sampleFormat)).append(')');
            }
        }
        if (recordIndex >= 0) {
            message.append(", record ")
                    .append(recordIndex)
                    .append(" (")
                    .append(recordKind(sampleFormat, recordFormat))
                    .append(')');
        }
        message.append(": field '").append(field).append("' ").append(problem);
        return new SflowFormatException(reason, at - base, field, sampleIndex, message.toString());
    }

    private static String sampleKind(int format) {
        return switch (format) {
            case SflowFormats.FLOW_SAMPLE -> "flow sample";
            case SflowFormats.FLOW_SAMPLE_EXPANDED -> "expanded flow sample";
            case SflowFormats.COUNTER_SAMPLE -> "counter sample";
            case SflowFormats.COUNTER_SAMPLE_EXPANDED -> "expanded counter sample";
            default -> "format " + SflowFormats.describe(format);
        };
    }

    private static String recordKind(int sampleFormat, int recordFormat) {
        boolean flow = sampleFormat == SflowFormats.FLOW_SAMPLE || sampleFormat == SflowFormats.FLOW_SAMPLE_EXPANDED;
        if (flow && recordFormat == SflowFormats.RAW_PACKET_HEADER) {
            return "raw packet header";
        }
        if (!flow && recordFormat == SflowFormats.GENERIC_INTERFACE_COUNTERS) {
            return "generic interface counters";
        }
        return "format " + SflowFormats.describe(recordFormat);
    }

    /** Builds the records of {@link #decode(ByteBuffer)} from the visitor's calls. */
    private static final class DatagramBuilder implements SflowVisitor {
        private final Consumer<SflowFormatException> rejectedSamples;
        private final List<SflowSample> samples = new ArrayList<>();
        private List<FlowRecord> records;
        private InetAddress agentAddress;
        private int subAgentId;
        private long sequenceNumber;
        private long uptimeMillis;

        DatagramBuilder(Consumer<SflowFormatException> rejectedSamples) {
            this.rejectedSamples = rejectedSamples;
        }

        @Override
        public void datagram(DatagramView datagram) {
            agentAddress = datagram.agentAddress();
            subAgentId = datagram.subAgentId();
            sequenceNumber = datagram.sequenceNumber();
            uptimeMillis = datagram.uptimeMillis();
        }

        @Override
        public void flowSample(FlowSampleView sample) {
            records = new ArrayList<>();
        }

        @Override
        public void rawPacketHeader(RawPacketHeaderView header) {
            records.add(header.toRecord());
        }

        @Override
        public void flowRecord(FlowSampleView sample, int format, ByteBuffer buffer, int offset, int length) {
            byte[] data = new byte[length];
            buffer.get(offset, data);
            records.add(new UnknownFlowRecord(format, data));
        }

        @Override
        public void flowSampleEnd(FlowSampleView s) {
            samples.add(new FlowSample(
                    s.sequenceNumber(),
                    new SourceId(s.sourceClass(), s.sourceIndex()),
                    s.samplingRate(),
                    s.samplePool(),
                    s.drops(),
                    new InterfaceId(s.inputFormat(), s.inputValue()),
                    new InterfaceId(s.outputFormat(), s.outputValue()),
                    records,
                    s.expanded()));
        }

        @Override
        public void counterSample(DatagramView datagram, CounterSample sample) {
            samples.add(sample);
        }

        @Override
        public void unknownSample(DatagramView datagram, int format, ByteBuffer buffer, int offset, int length) {
            byte[] data = new byte[length];
            buffer.get(offset, data);
            samples.add(new UnknownSample(format, data));
        }

        @Override
        public void sampleRejected(DatagramView datagram, SflowFormatException problem) {
            rejectedSamples.accept(problem);
        }

        SflowDatagram build() {
            return new SflowDatagram(agentAddress, subAgentId, sequenceNumber, uptimeMillis, samples);
        }
    }
}
