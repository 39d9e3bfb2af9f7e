package org.levee.sflow;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes sFlow v5 datagrams: XDR, big-endian, every variable-length field padded to 4 bytes. Every
 * record in a datagram is valid by construction (the records check themselves), so encoding never
 * fails except for a buffer too small.
 */
public final class SflowEncoder {
    private SflowEncoder() {}

    /** Bytes of a datagram's header with an IPv4 agent address. */
    public static final int HEADER_SIZE_IPV4 = 28;
    /** Bytes of a datagram's header with an IPv6 agent address. */
    public static final int HEADER_SIZE_IPV6 = 40;

    /** The datagram's bytes. */
    public static byte[] encode(SflowDatagram datagram) {
        ByteBuffer out = ByteBuffer.allocate(encodedSize(datagram));
        encode(datagram, out);
        return out.array();
    }

    /**
     * Writes the datagram at {@code out}'s position and advances it.
     *
     * @throws java.nio.BufferOverflowException if fewer than {@link #encodedSize(SflowDatagram)} bytes remain
     * @throws IllegalArgumentException if {@code out} is not big-endian
     */
    public static void encode(SflowDatagram datagram, ByteBuffer out) {
        bigEndian(out);
        if (out.remaining() < encodedSize(datagram)) {
            throw new java.nio.BufferOverflowException();
        }
        writeHeader(
                datagram.agentAddress(),
                datagram.subAgentId(),
                datagram.sequenceNumber(),
                datagram.uptimeMillis(),
                datagram.samples().size(),
                out);
        for (SflowSample sample : datagram.samples()) {
            writeSample(sample, out);
        }
    }

    /** The datagram's size in bytes. */
    public static int encodedSize(SflowDatagram datagram) {
        long size = headerSize(datagram.agentAddress());
        for (SflowSample sample : datagram.samples()) {
            size += encodedSize(sample);
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sFlow datagram of " + size + " bytes is too large");
        }
        return (int) size;
    }

    /** Bytes of a datagram's header with this agent address. */
    public static int headerSize(InetAddress agentAddress) {
        return agentAddress instanceof Inet4Address ? HEADER_SIZE_IPV4 : HEADER_SIZE_IPV6;
    }

    /**
     * Writes a datagram's header: version, agent address, sub-agent id, sequence number, uptime and
     * the number of samples that follow.
     */
    public static void writeHeader(
            InetAddress agentAddress,
            int subAgentId,
            long sequenceNumber,
            long uptimeMillis,
            int sampleCount,
            ByteBuffer out) {
        bigEndian(out);
        Unsigned.u32("datagram sequence_number", sequenceNumber);
        Unsigned.u32("uptime", uptimeMillis);
        out.putInt(SflowDatagram.VERSION);
        out.putInt(agentAddress instanceof Inet4Address ? SflowDatagram.ADDRESS_IPV4 : SflowDatagram.ADDRESS_IPV6);
        out.put(agentAddress.getAddress());
        out.putInt(subAgentId)
                .putInt((int) sequenceNumber)
                .putInt((int) uptimeMillis)
                .putInt(sampleCount);
    }

    /** A sample's size in bytes, its format and length fields included. */
    public static int encodedSize(SflowSample sample) {
        return 8 + padded(dataLength(sample));
    }

    /** Writes one sample, its format and length fields included, and advances {@code out}. */
    public static void writeSample(SflowSample sample, ByteBuffer out) {
        bigEndian(out);
        out.putInt(sample.format()).putInt(dataLength(sample));
        switch (sample) {
            case FlowSample flow -> writeFlowSample(flow, out);
            case CounterSample counters -> writeCounterSample(counters, out);
            case UnknownSample unknown -> {
                unknown.writeData(out);
                pad(unknown.length(), out);
            }
        }
    }

    /** A sample's length field: its data's bytes, without the padding after an unknown sample's data. */
    private static int dataLength(SflowSample sample) {
        long size = switch (sample) {
            case FlowSample flow -> {
                long records = 0;
                for (FlowRecord record : flow.records()) {
                    records += 8 + padded(recordDataSize(record));
                }
                yield (flow.expanded() ? 44 : 32) + records;
            }
            case CounterSample counters -> {
                long records = 0;
                for (CounterRecord record : counters.records()) {
                    records += 8 + padded(recordDataSize(record));
                }
                yield (counters.expanded() ? 16 : 12) + records;
            }
            case UnknownSample unknown -> unknown.length();
        };
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("sFlow sample of " + size + " bytes is too large");
        }
        return (int) size;
    }

    private static void writeFlowSample(FlowSample sample, ByteBuffer out) {
        out.putInt((int) sample.sequenceNumber());
        SourceId source = sample.source();
        if (sample.expanded()) {
            out.putInt(source.sourceClass()).putInt(source.index());
        } else {
            out.putInt(source.sourceClass() << 24 | source.index());
        }
        out.putInt((int) sample.samplingRate())
                .putInt((int) sample.samplePool())
                .putInt((int) sample.drops());
        writeInterface(sample.input(), sample.expanded(), out);
        writeInterface(sample.output(), sample.expanded(), out);
        out.putInt(sample.records().size());
        for (FlowRecord record : sample.records()) {
            int length = recordDataSize(record);
            out.putInt(record.format()).putInt(length);
            switch (record) {
                case RawPacketHeader header -> {
                    out.putInt(header.headerProtocol())
                            .putInt((int) header.frameLength())
                            .putInt((int) header.stripped())
                            .putInt(header.headerLength());
                    header.writeHeader(out);
                    pad(header.headerLength(), out);
                }
                case UnknownFlowRecord unknown -> {
                    unknown.writeData(out);
                    pad(length, out);
                }
            }
        }
    }

    private static void writeInterface(InterfaceId id, boolean expanded, ByteBuffer out) {
        if (expanded) {
            out.putInt(id.format()).putInt(id.value());
        } else {
            out.putInt(id.format() << 30 | id.value());
        }
    }

    private static void writeCounterSample(CounterSample sample, ByteBuffer out) {
        out.putInt((int) sample.sequenceNumber());
        SourceId source = sample.source();
        if (sample.expanded()) {
            out.putInt(source.sourceClass()).putInt(source.index());
        } else {
            out.putInt(source.sourceClass() << 24 | source.index());
        }
        out.putInt(sample.records().size());
        for (CounterRecord record : sample.records()) {
            int length = recordDataSize(record);
            out.putInt(record.format()).putInt(length);
            switch (record) {
                case GenericInterfaceCounters c -> {
                    out.putInt(c.ifIndex())
                            .putInt(c.ifType())
                            .putLong(c.ifSpeed())
                            .putInt(c.ifDirection())
                            .putInt(c.ifStatus())
                            .putLong(c.inOctets())
                            .putInt((int) c.inUnicastPackets())
                            .putInt((int) c.inMulticastPackets())
                            .putInt((int) c.inBroadcastPackets())
                            .putInt((int) c.inDiscards())
                            .putInt((int) c.inErrors())
                            .putInt((int) c.inUnknownProtocols())
                            .putLong(c.outOctets())
                            .putInt((int) c.outUnicastPackets())
                            .putInt((int) c.outMulticastPackets())
                            .putInt((int) c.outBroadcastPackets())
                            .putInt((int) c.outDiscards())
                            .putInt((int) c.outErrors())
                            .putInt(c.promiscuousMode());
                }
                case UnknownCounterRecord unknown -> {
                    unknown.writeData(out);
                    pad(length, out);
                }
            }
        }
    }

    /** A record's length field: its data's bytes (an opaque's own padding included for a header). */
    private static int recordDataSize(FlowRecord record) {
        return switch (record) {
            case RawPacketHeader header -> 16 + padded(header.headerLength());
            case UnknownFlowRecord unknown -> unknown.length();
        };
    }

    private static int recordDataSize(CounterRecord record) {
        return switch (record) {
            case GenericInterfaceCounters ignored -> GenericInterfaceCounters.SIZE;
            case UnknownCounterRecord unknown -> unknown.length();
        };
    }

    static int padded(int length) {
        return (length + 3) & ~3;
    }

    private static void pad(int length, ByteBuffer out) {
        for (int i = length; (i & 3) != 0; i++) {
            out.put((byte) 0);
        }
    }

    private static void bigEndian(ByteBuffer out) {
        if (out.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("sFlow is big-endian: the buffer's order is " + out.order());
        }
    }
}
