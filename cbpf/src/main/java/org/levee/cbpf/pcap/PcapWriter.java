package org.levee.cbpf.pcap;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes classic pcap files, with microsecond or nanosecond timestamps, in either byte order
 * (tcpdump, tshark and libpcap read all four). Closing the writer closes the stream.
 */
public final class PcapWriter implements AutoCloseable {
    /** Timestamp resolution of a classic pcap file. */
    public enum Resolution {
        MICROSECONDS,
        NANOSECONDS
    }

    private final OutputStream out;
    private final ByteOrder order;
    private final Resolution resolution;
    private final int linkType;
    private final int snaplen;

    /**
     * Starts a file on {@code out}: writes the file header at once.
     *
     * @param linkType the {@code LINKTYPE_*} of every record (e.g. {@code LinkType.EN10MB.fileLinkType()})
     * @param snaplen  the snapshot length recorded in the header; longer records are refused
     */
    public PcapWriter(OutputStream out, int linkType, int snaplen, Resolution resolution, ByteOrder order)
            throws IOException {
        this.out = out;
        this.order = order;
        this.resolution = resolution;
        this.linkType = linkType;
        this.snaplen = CaptureLengths.snaplen(snaplen);
        ByteBuffer header = ByteBuffer.allocate(PcapReader.FILE_HEADER_SIZE).order(order);
        header.putInt(resolution == Resolution.NANOSECONDS ? PcapReader.MAGIC_NANOS : PcapReader.MAGIC_MICROS);
        header.putShort((short) 2).putShort((short) 4); // version 2.4
        header.putInt(0).putInt(0); // thiszone, sigfigs: always 0
        header.putInt(snaplen).putInt(linkType);
        out.write(header.array());
    }

    /** A little-endian, microsecond file at {@code file} (replaced if it exists). */
    public static PcapWriter create(Path file, LinkType linkType) throws IOException {
        return new PcapWriter(
                new BufferedOutputStream(Files.newOutputStream(file)),
                linkType.fileLinkType(),
                Libpcap.DEFAULT_SNAPLEN,
                Resolution.MICROSECONDS,
                ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes {@code records} (all of {@code linkType}) to a new little-endian microsecond file. */
    public static void write(Path file, LinkType linkType, List<PcapRecord> records) throws IOException {
        try (PcapWriter writer = create(file, linkType)) {
            for (PcapRecord record : records) {
                writer.write(record);
            }
        }
    }

    public void write(PcapRecord record) throws IOException {
        if (record.linkType() != linkType) {
            throw new IllegalArgumentException(
                    "record of link type " + record.linkType() + " in a file of link type " + linkType);
        }
        write(record.timestampNanos(), record.data(), record.originalLength());
    }

    /**
     * Appends one packet: {@code data} captured at {@code timestampNanos} (≥ 0; truncated to the
     * file's resolution), {@code originalLength} bytes long on the wire.
     */
    public void write(long timestampNanos, byte[] data, int originalLength) throws IOException {
        if (timestampNanos < 0) {
            throw new IllegalArgumentException("timestampNanos must be >= 0, got " + timestampNanos);
        }
        CaptureLengths.checkRecord(data, originalLength, snaplen);
        long seconds = timestampNanos / 1_000_000_000L;
        long nanos = timestampNanos % 1_000_000_000L;
        if (seconds > 0xffff_ffffL) {
            throw new IllegalArgumentException("timestamp " + timestampNanos + " ns is past 2106, pcap's limit");
        }
        ByteBuffer header = ByteBuffer.allocate(PcapReader.RECORD_HEADER_SIZE).order(order);
        header.putInt((int) seconds);
        header.putInt((int) (resolution == Resolution.NANOSECONDS ? nanos : nanos / 1000));
        header.putInt(data.length).putInt(originalLength);
        out.write(header.array());
        out.write(data);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
