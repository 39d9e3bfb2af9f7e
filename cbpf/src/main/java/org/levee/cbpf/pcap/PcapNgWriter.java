package org.levee.cbpf.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes pcapng files: one section in the chosen byte order, one interface (link type, snapshot
 * length, nanosecond {@code if_tsresol}), one Enhanced Packet Block per packet. Closing the
 * writer closes the stream.
 */
public final class PcapNgWriter implements AutoCloseable {
    private final OutputStream out;
    private final ByteOrder order;
    private final int snaplen;

    public PcapNgWriter(OutputStream out, int linkType, int snaplen, ByteOrder order) throws IOException {
        this.out = out;
        this.order = order;
        this.snaplen = CaptureLengths.snaplen(snaplen);
        ByteBuffer section = block(PcapNgReader.SECTION_HEADER, 16);
        section.putInt(PcapNgReader.BYTE_ORDER_MAGIC)
                .putShort((short) 1)
                .putShort((short) 0)
                .putLong(-1);
        finish(section);
        ByteBuffer iface = block(PcapNgReader.INTERFACE_DESCRIPTION, 8 + 8 + 4);
        iface.putShort((short) linkType).putShort((short) 0).putInt(snaplen);
        iface.putShort((short) PcapNgReader.OPTION_IF_TSRESOL)
                .putShort((short) 1)
                .put((byte) 9)
                .put(new byte[3]);
        iface.putShort((short) PcapNgReader.OPTION_END).putShort((short) 0);
        finish(iface);
    }

    /** Appends one packet on interface 0. */
    public void write(long timestampNanos, byte[] data, int originalLength) throws IOException {
        CaptureLengths.checkRecord(data, originalLength, snaplen);
        int padded = (data.length + 3) & ~3;
        ByteBuffer packet = block(PcapNgReader.ENHANCED_PACKET, 20 + padded);
        packet.putInt(0).putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos);
        packet.putInt(data.length).putInt(originalLength).put(data).put(new byte[padded - data.length]);
        finish(packet);
    }

    public void write(PcapRecord record) throws IOException {
        write(record.timestampNanos(), record.data(), record.originalLength());
    }

    private ByteBuffer block(int type, int bodyLength) {
        int total = 12 + bodyLength;
        return ByteBuffer.allocate(total).order(order).putInt(type).putInt(total);
    }

    private void finish(ByteBuffer block) throws IOException {
        block.putInt(block.capacity());
        out.write(block.array());
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
