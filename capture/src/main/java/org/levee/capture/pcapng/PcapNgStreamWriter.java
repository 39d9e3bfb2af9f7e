package org.levee.capture.pcapng;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a pcapng stream the way xdpcap and xdpdump lay it out: one section, one Interface
 * Description Block per interface (name, optional description and filter, nanosecond
 * {@code if_tsresol}), then one Enhanced Packet Block per packet with its original length, the
 * inbound direction in {@code epb_flags} and, when known, the XDP verdict in {@code epb_verdict}
 * (verdict type 2, "Linux eBPF XDP", an 8-byte value).
 *
 * <p>Every block is written with a single {@code write} call, so a stream cut between calls ends
 * on a whole block. With {@code flushEachPacket} the stream is flushed after every block, for
 * readers that follow a pipe live ({@code levee capture -w - | tcpdump -r -}). Blocks are in
 * the machine's byte order, as libpcap writes them. Not thread-safe.
 */
public final class PcapNgStreamWriter implements AutoCloseable {
    static final int SECTION_HEADER = 0x0a0d0d0a;
    static final int INTERFACE_DESCRIPTION = 0x00000001;
    static final int ENHANCED_PACKET = 0x00000006;
    static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;

    static final int OPT_END = 0;
    static final int SHB_USERAPPL = 4;
    static final int IF_NAME = 2;
    static final int IF_DESCRIPTION = 3;
    static final int IF_TSRESOL = 9;
    static final int IF_FILTER = 11;
    static final int EPB_FLAGS = 2;
    static final int EPB_VERDICT = 7;

    /** {@code if_filter}'s first byte: the filter is a libpcap filter string. */
    static final int FILTER_LIBPCAP_STRING = 0;
    /** {@code epb_verdict}'s first byte: the verdict is an XDP action. */
    static final int VERDICT_TYPE_XDP = 2;
    /** {@code epb_flags}: direction bits 01, inbound. */
    static final int FLAG_INBOUND = 1;
    /** {@code if_tsresol} 9: timestamps count nanoseconds. */
    static final int NANOSECONDS = 9;

    private final OutputStream out;
    private final List<PcapNgInterface> interfaces;
    private final boolean flushEachPacket;
    private final ByteOrder order = ByteOrder.nativeOrder();
    private long packets;

    /**
     * Writes the Section Header Block and the Interface Description Blocks of {@code interfaces}
     * (interface ids are their indexes) to {@code out}.
     *
     * @param application the {@code shb_userappl} text, e.g. {@code levee capture}
     */
    public PcapNgStreamWriter(
            OutputStream out, String application, List<PcapNgInterface> interfaces, boolean flushEachPacket)
            throws IOException {
        if (interfaces.isEmpty()) {
            throw new IllegalArgumentException("a pcapng stream needs at least one interface");
        }
        this.out = out;
        this.interfaces = List.copyOf(interfaces);
        this.flushEachPacket = flushEachPacket;
        Options shbOptions = new Options().text(SHB_USERAPPL, application);
        ByteBuffer shb = block(SECTION_HEADER, 16, shbOptions);
        shb.putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0).putLong(-1); // length unknown
        finish(shb, shbOptions);
        for (PcapNgInterface i : this.interfaces) {
            Options options = new Options().text(IF_NAME, i.name());
            if (i.description() != null) {
                options.text(IF_DESCRIPTION, i.description());
            }
            if (i.filter() != null) {
                byte[] text = i.filter().getBytes(StandardCharsets.UTF_8);
                byte[] value = new byte[text.length + 1];
                value[0] = FILTER_LIBPCAP_STRING;
                System.arraycopy(text, 0, value, 1, text.length);
                options.bytes(IF_FILTER, value);
            }
            options.bytes(IF_TSRESOL, new byte[] {NANOSECONDS});
            ByteBuffer idb = block(INTERFACE_DESCRIPTION, 8, options);
            idb.putShort((short) i.linkType()).putShort((short) 0).putInt(i.snaplen());
            finish(idb, options);
        }
        out.flush();
    }

    /** The interfaces, in id order. */
    public List<PcapNgInterface> interfaces() {
        return interfaces;
    }

    /** Packets written so far. */
    public long packets() {
        return packets;
    }

    /**
     * Appends one Enhanced Packet Block on interface {@code interfaceId}.
     *
     * @param timestampNanos  nanoseconds since the Unix epoch
     * @param data            the captured bytes (at most the interface's snaplen)
     * @param originalLength  the packet's length on the wire (at least {@code data.length})
     * @param xdpVerdict      the XDP action to record in {@code epb_verdict}, or negative for none
     */
    public void writePacket(int interfaceId, long timestampNanos, byte[] data, long originalLength, int xdpVerdict)
            throws IOException {
        if (interfaceId < 0 || interfaceId >= interfaces.size()) {
            throw new IllegalArgumentException("interface id " + interfaceId + " is not one of the " + interfaces.size()
                    + " interfaces of this stream");
        }
        PcapNgInterface iface = interfaces.get(interfaceId);
        if (data.length > iface.snaplen()) {
            throw new IllegalArgumentException("packet of " + data.length + " captured bytes exceeds the snaplen "
                    + iface.snaplen() + " of interface " + interfaceId + " (" + iface.name() + ")");
        }
        if (originalLength < data.length || originalLength > 0xffffffffL) {
            throw new IllegalArgumentException("original length " + originalLength + " must be between the "
                    + data.length + " captured bytes and 2^32 - 1");
        }
        Options options = new Options().u32(EPB_FLAGS, FLAG_INBOUND);
        if (xdpVerdict >= 0) {
            ByteBuffer verdict = ByteBuffer.allocate(9).order(order);
            verdict.put((byte) VERDICT_TYPE_XDP).putLong(xdpVerdict);
            options.bytes(EPB_VERDICT, verdict.array());
        }
        int padded = pad(data.length);
        ByteBuffer epb = block(ENHANCED_PACKET, 20 + padded, options);
        epb.putInt(interfaceId).putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos);
        epb.putInt(data.length).putInt((int) originalLength).put(data).put(new byte[padded - data.length]);
        finish(epb, options);
        packets++;
        if (flushEachPacket) {
            out.flush();
        }
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** Flushes and closes the underlying stream. */
    @Override
    public void close() throws IOException {
        try {
            out.flush();
        } finally {
            out.close();
        }
    }

    private static int pad(int length) {
        return (length + 3) & ~3;
    }

    private ByteBuffer block(int type, int fixedBody, Options options) {
        int total = 8 + fixedBody + options.length() + 4;
        return ByteBuffer.allocate(total).order(order).putInt(type).putInt(total);
    }

    private void finish(ByteBuffer block, Options options) throws IOException {
        options.writeTo(block);
        block.putInt(block.capacity());
        if (block.hasRemaining()) {
            throw new IllegalStateException("pcapng block size miscounted: " + block.remaining() + " bytes unused");
        }
        out.write(block.array());
    }

    /** A block's options, each padded to 4 bytes, closed by {@code opt_endofopt} when not empty. */
    private final class Options {
        private final ArrayList<byte[]> values = new ArrayList<>();
        private final ArrayList<Integer> codes = new ArrayList<>();

        Options text(int code, String value) {
            return bytes(code, value.getBytes(StandardCharsets.UTF_8));
        }

        Options u32(int code, int value) {
            return bytes(code, ByteBuffer.allocate(4).order(order).putInt(value).array());
        }

        Options bytes(int code, byte[] value) {
            if (value.length > 0xffff) {
                throw new IllegalArgumentException(
                        "pcapng option " + code + " of " + value.length + " bytes exceeds 65535");
            }
            codes.add(code);
            values.add(value);
            return this;
        }

        int length() {
            if (values.isEmpty()) {
                return 0;
            }
            int n = 4; // opt_endofopt
            for (byte[] v : values) {
                n += 4 + pad(v.length);
            }
            return n;
        }

        void writeTo(ByteBuffer block) {
            if (values.isEmpty()) {
                return;
            }
            for (int i = 0; i < values.size(); i++) {
                byte[] v = values.get(i);
                block.putShort((short) (int) codes.get(i))
                        .putShort((short) v.length)
                        .put(v)
                        .put(new byte[pad(v.length) - v.length]);
            }
            block.putShort((short) OPT_END).putShort((short) 0);
        }
    }
}
