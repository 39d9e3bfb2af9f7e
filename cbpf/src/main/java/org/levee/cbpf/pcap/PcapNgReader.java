package org.levee.cbpf.pcap;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads pcapng files: sections (Section Header Blocks, each with its own byte order), Interface
 * Description Blocks (link type, snapshot length, {@code if_tsresol}), Enhanced, Simple and
 * obsolete Packet Blocks. Every other block (name resolution, statistics, secrets, custom…) is
 * skipped. Interfaces are numbered per section, as the format says.
 */
public final class PcapNgReader {
    static final int SECTION_HEADER = 0x0a0d0d0a;
    static final int INTERFACE_DESCRIPTION = 0x00000001;
    static final int OBSOLETE_PACKET = 0x00000002;
    static final int SIMPLE_PACKET = 0x00000003;
    static final int ENHANCED_PACKET = 0x00000006;
    static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;
    static final int OPTION_END = 0;
    static final int OPTION_IF_TSRESOL = 9;

    private PcapNgReader() {}

    /** True when {@code file} starts with a pcapng Section Header Block type (same in both orders). */
    static boolean startsWithSectionHeader(byte[] file) {
        return file.length >= 4 && ByteBuffer.wrap(file).getInt(0) == SECTION_HEADER;
    }

    /** One interface of the current section: its link type, snapshot length and tick length. */
    private record Interface(int linkType, long snaplen, BigInteger ticksPerSecond) {}

    public static List<PcapRecord> read(byte[] file) throws PcapFormatException {
        if (!startsWithSectionHeader(file)) {
            throw new PcapFormatException(0, "not a pcapng file: it does not start with a Section Header Block");
        }
        ByteBuffer in = ByteBuffer.wrap(file);
        List<PcapRecord> records = new ArrayList<>();
        List<Interface> interfaces = new ArrayList<>();
        ByteOrder sectionOrder = ByteOrder.BIG_ENDIAN;
        int offset = 0;
        while (offset < file.length) {
            if (file.length - offset < 12) {
                throw new PcapFormatException(
                        offset,
                        "truncated block header: " + (file.length - offset) + " bytes left, a block has at least 12");
            }
            // The Section Header Block type reads the same in both byte orders; it sets the order
            // of everything up to the next section.
            if (in.order(ByteOrder.BIG_ENDIAN).getInt(offset) == SECTION_HEADER) {
                interfaces.clear();
                sectionOrder = byteOrderOf(in, offset);
            }
            in.order(sectionOrder);
            int type = in.getInt(offset);
            long length = Integer.toUnsignedLong(in.getInt(offset + 4));
            if (length < 12 || length % 4 != 0) {
                throw new PcapFormatException(
                        offset + 4,
                        String.format(
                                "block of type 0x%08x has total length %d: it must be a multiple of 4 and at least 12",
                                type, length));
            }
            if (length > file.length - offset) {
                throw new PcapFormatException(
                        offset + 4,
                        String.format(
                                "block of type 0x%08x is truncated: its length is %d but only %d bytes are left",
                                type, length, file.length - offset));
            }
            int end = offset + (int) length;
            long trailer = Integer.toUnsignedLong(in.getInt(end - 4));
            if (trailer != length) {
                throw new PcapFormatException(
                        end - 4,
                        String.format(
                                "block of type 0x%08x: trailing length %d differs from the leading length %d",
                                type, trailer, length));
            }
            Block block = new Block(in, offset, end);
            switch (type) {
                case SECTION_HEADER -> readSectionHeader(block);
                case INTERFACE_DESCRIPTION -> interfaces.add(readInterface(block));
                case ENHANCED_PACKET -> records.add(readEnhancedPacket(block, interfaces, false));
                case OBSOLETE_PACKET -> records.add(readEnhancedPacket(block, interfaces, true));
                case SIMPLE_PACKET -> records.add(readSimplePacket(block, interfaces));
                default -> {} // not about packets: skip it
            }
            offset = end;
        }
        return records;
    }

    /** The body of a block: bounds-checked reads relative to the block start. */
    private record Block(ByteBuffer in, int start, int end) {
        int bodyEnd() {
            return end - 4;
        }

        void require(int position, int bytes, String what) throws PcapFormatException {
            if (position < start || position + (long) bytes > bodyEnd()) {
                throw new PcapFormatException(
                        position,
                        String.format(
                                "block of type 0x%08x at offset %d is too short for %s",
                                in.getInt(start), start, what));
            }
        }

        int u16(int position, String what) throws PcapFormatException {
            require(position, 2, what);
            return Short.toUnsignedInt(in.getShort(position));
        }

        long u32(int position, String what) throws PcapFormatException {
            require(position, 4, what);
            return Integer.toUnsignedLong(in.getInt(position));
        }
    }

    private static ByteOrder byteOrderOf(ByteBuffer in, int offset) throws PcapFormatException {
        if (offset + 12 > in.capacity()) {
            throw new PcapFormatException(offset, "truncated Section Header Block");
        }
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            if (in.order(order).getInt(offset + 8) == BYTE_ORDER_MAGIC) {
                return order;
            }
        }
        throw new PcapFormatException(
                offset + 8,
                String.format(
                        "Section Header Block: byte-order magic 0x%08x is not 0x1a2b3c4d in either byte order",
                        in.order(ByteOrder.BIG_ENDIAN).getInt(offset + 8)));
    }

    private static void readSectionHeader(Block block) throws PcapFormatException {
        int major = block.u16(block.start() + 12, "the version");
        if (major != 1) {
            throw new PcapFormatException(
                    block.start() + 12,
                    "Section Header Block: unsupported pcapng version " + major + " (expected 1.x)");
        }
    }

    private static Interface readInterface(Block block) throws PcapFormatException {
        int linkType = block.u16(block.start() + 8, "the link type");
        long snaplen = block.u32(block.start() + 12, "the snapshot length");
        BigInteger ticksPerSecond = BigInteger.valueOf(1_000_000); // default: microseconds
        int position = block.start() + 16;
        while (position + 4 <= block.bodyEnd()) {
            int code = block.u16(position, "an option code");
            int length = block.u16(position + 2, "an option length");
            if (code == OPTION_END) {
                break;
            }
            block.require(position + 4, length, "option " + code + " of " + length + " bytes");
            if (code == OPTION_IF_TSRESOL) {
                if (length != 1) {
                    throw new PcapFormatException(
                            position, "Interface Description Block: if_tsresol has length " + length + ", expected 1");
                }
                int resolution = Byte.toUnsignedInt(block.in().get(position + 4));
                int exponent = resolution & 0x7f;
                if ((resolution & 0x80) == 0 && exponent > 18 || (resolution & 0x80) != 0 && exponent > 62) {
                    throw new PcapFormatException(
                            position + 4,
                            "Interface Description Block: if_tsresol 0x" + Integer.toHexString(resolution)
                                    + " is finer than Levee can represent");
                }
                ticksPerSecond = (resolution & 0x80) == 0 ? BigInteger.TEN.pow(exponent) : BigInteger.TWO.pow(exponent);
            }
            position += 4 + ((length + 3) & ~3);
        }
        return new Interface(linkType, snaplen, ticksPerSecond);
    }

    private static PcapRecord readEnhancedPacket(Block block, List<Interface> interfaces, boolean obsolete)
            throws PcapFormatException {
        int start = block.start();
        long interfaceId =
                obsolete ? block.u16(start + 8, "the interface id") : block.u32(start + 8, "the interface id");
        if (interfaceId >= interfaces.size()) {
            throw new PcapFormatException(
                    start + 8,
                    (obsolete ? "Packet Block" : "Enhanced Packet Block")
                            + " refers to interface " + interfaceId + " but the section has " + interfaces.size()
                            + " Interface Description Blocks before it");
        }
        Interface iface = interfaces.get((int) interfaceId);
        long ticks = block.u32(start + 12, "the timestamp") << 32 | block.u32(start + 16, "the timestamp");
        long captured = block.u32(start + 20, "the captured length");
        long original = block.u32(start + 24, "the original length");
        int dataStart = start + 28;
        if (captured > block.bodyEnd() - dataStart) {
            throw new PcapFormatException(
                    start + 20,
                    "packet block: captured length " + captured + " exceeds the " + (block.bodyEnd() - dataStart)
                            + " bytes the block holds");
        }
        if (original > Integer.MAX_VALUE) {
            throw new PcapFormatException(start + 24, "packet block: original length " + original + " is implausible");
        }
        byte[] data = Arrays.copyOfRange(block.in().array(), dataStart, dataStart + (int) captured);
        return new PcapRecord(
                toNanos(ticks, iface.ticksPerSecond(), start + 12), data, (int) original, iface.linkType());
    }

    private static PcapRecord readSimplePacket(Block block, List<Interface> interfaces) throws PcapFormatException {
        if (interfaces.isEmpty()) {
            throw new PcapFormatException(block.start(), "Simple Packet Block before any Interface Description Block");
        }
        Interface iface = interfaces.getFirst();
        long original = block.u32(block.start() + 8, "the original length");
        if (original > Integer.MAX_VALUE) {
            throw new PcapFormatException(
                    block.start() + 8, "Simple Packet Block: original length " + original + " is implausible");
        }
        int dataStart = block.start() + 12;
        long room = block.bodyEnd() - dataStart;
        long captured = Math.min(original, iface.snaplen() == 0 ? room : Math.min(iface.snaplen(), room));
        byte[] data = Arrays.copyOfRange(block.in().array(), dataStart, dataStart + (int) captured);
        return new PcapRecord(0, data, (int) original, iface.linkType()); // simple packets carry no timestamp
    }

    /**
     * Nanoseconds since 1970 of a timestamp of {@code ticks}; refused when they do not fit a
     * signed 64-bit count (after April 2262), which a coarse {@code if_tsresol} reaches easily.
     */
    private static long toNanos(long ticks, BigInteger ticksPerSecond, int offset) throws PcapFormatException {
        BigInteger nanos = new BigInteger(Long.toUnsignedString(ticks))
                .multiply(BigInteger.valueOf(1_000_000_000L))
                .divide(ticksPerSecond);
        if (nanos.bitLength() > 63) {
            throw new PcapFormatException(
                    offset,
                    "packet block: timestamp of " + Long.toUnsignedString(ticks) + " ticks of 1/" + ticksPerSecond
                            + " s is after 2262, beyond nanoseconds in 64 bits");
        }
        return nanos.longValue();
    }
}
