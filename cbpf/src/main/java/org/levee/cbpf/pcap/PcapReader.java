package org.levee.cbpf.pcap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads classic pcap files: microsecond ({@code 0xa1b2c3d4}) and nanosecond ({@code 0xa1b23c4d})
 * timestamps, written in either byte order.
 */
public final class PcapReader {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int FILE_HEADER_SIZE = 24;
    static final int RECORD_HEADER_SIZE = 16;
    /** Larger records are corruption: libpcap's own limit for any link type is 256 KiB. */
    static final int MAX_RECORD_SIZE = 16 * 1024 * 1024;

    private PcapReader() {}

    public static List<PcapRecord> read(byte[] file) throws PcapFormatException {
        if (file.length < FILE_HEADER_SIZE) {
            throw new PcapFormatException(
                    0, "truncated pcap file header: " + file.length + " of " + FILE_HEADER_SIZE + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt(0);
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
            in.order(ByteOrder.BIG_ENDIAN);
            magic = in.getInt(0);
            if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
                throw new PcapFormatException(
                        0,
                        String.format(
                                "not a pcap or pcapng file: magic number 0x%08x is neither 0xa1b2c3d4 (pcap, µs), "
                                        + "0xa1b23c4d (pcap, ns) nor 0x0a0d0d0a (pcapng)",
                                in.order(ByteOrder.BIG_ENDIAN).getInt(0)));
            }
        }
        long fractionToNanos = magic == MAGIC_NANOS ? 1 : 1000;
        int major = Short.toUnsignedInt(in.getShort(4));
        if (major != 2) {
            throw new PcapFormatException(
                    4, "unsupported pcap version " + major + "." + in.getShort(6) + " (expected 2.x)");
        }
        int linkType = in.getInt(20) & 0xffff; // the upper bits may carry FCS information
        List<PcapRecord> records = new ArrayList<>();
        int offset = FILE_HEADER_SIZE;
        while (offset < file.length) {
            if (file.length - offset < RECORD_HEADER_SIZE) {
                throw new PcapFormatException(
                        offset,
                        "truncated record header: " + (file.length - offset) + " of " + RECORD_HEADER_SIZE
                                + " bytes (record " + records.size() + ")");
            }
            long seconds = Integer.toUnsignedLong(in.getInt(offset));
            long fraction = Integer.toUnsignedLong(in.getInt(offset + 4));
            long captured = Integer.toUnsignedLong(in.getInt(offset + 8));
            long original = Integer.toUnsignedLong(in.getInt(offset + 12));
            if (fraction * fractionToNanos >= 1_000_000_000L) {
                throw new PcapFormatException(
                        offset + 4,
                        "record " + records.size() + ": sub-second timestamp " + fraction
                                + (fractionToNanos == 1 ? " ns" : " µs") + " is not below one second");
            }
            if (captured > MAX_RECORD_SIZE) {
                throw new PcapFormatException(
                        offset + 8,
                        "record " + records.size() + ": captured length " + captured + " is implausible (limit "
                                + MAX_RECORD_SIZE + ")");
            }
            if (original > Integer.MAX_VALUE) {
                throw new PcapFormatException(
                        offset + 12, "record " + records.size() + ": original length " + original + " is implausible");
            }
            int dataOffset = offset + RECORD_HEADER_SIZE;
            if (file.length - dataOffset < captured) {
                throw new PcapFormatException(
                        dataOffset,
                        "record " + records.size() + " is truncated: " + (file.length - dataOffset) + " of " + captured
                                + " captured bytes");
            }
            byte[] data = java.util.Arrays.copyOfRange(file, dataOffset, dataOffset + (int) captured);
            records.add(new PcapRecord(
                    seconds * 1_000_000_000L + fraction * fractionToNanos, data, (int) original, linkType));
            offset = dataOffset + (int) captured;
        }
        return records;
    }
}
