package org.levee.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.levee.capture.pcapng.PcapNgInterface;
import org.levee.capture.pcapng.PcapNgStreamWriter;
import org.levee.ebpf.XdpAction;

/** Where captured packets go: a pcapng stream or summary lines. */
public sealed interface PacketOutput extends AutoCloseable {

    /** Writes one packet seen at {@code epochNanos}. */
    void packet(CaptureRecord record, long epochNanos) throws IOException;

    /** Pushes what was written so far to the reader; called after each batch of packets. */
    void flush() throws IOException;

    @Override
    void close() throws IOException;

    /**
     * A pcapng stream with one interface per action ({@code XDPdrop}, …, in slot order), the
     * filter text as {@code if_filter} and the verdict in each packet's {@code epb_verdict}.
     *
     * @param description      the interfaces' {@code if_description}, e.g. "levee capture on eth0"
     * @param flushEachPacket  flush after every packet (for pipes read live)
     */
    static PacketOutput pcapng(
            OutputStream out,
            Iterable<XdpAction> actions,
            CaptureFilter filter,
            int snaplen,
            String description,
            boolean flushEachPacket)
            throws IOException {
        return new Pcapng(out, actions, filter, snaplen, description, flushEachPacket);
    }

    /** One {@link PacketSummary} line per packet, times in {@code zone}. */
    static PacketOutput summary(PrintWriter out, ZoneId zone) {
        return new Summary(out, zone);
    }

    /** The pcapng form. */
    final class Pcapng implements PacketOutput {
        private final PcapNgStreamWriter writer;
        private final Map<XdpAction, Integer> interfaceIds = new EnumMap<>(XdpAction.class);

        private Pcapng(
                OutputStream out,
                Iterable<XdpAction> actions,
                CaptureFilter filter,
                int snaplen,
                String description,
                boolean flushEachPacket)
                throws IOException {
            List<PcapNgInterface> interfaces = new ArrayList<>();
            for (XdpAction action : actions) {
                interfaceIds.put(action, interfaces.size());
                interfaces.add(new PcapNgInterface(
                        ActionNames.interfaceName(action),
                        description,
                        filter.capturesAll() ? null : filter.text(),
                        PcapNgInterface.ETHERNET,
                        snaplen));
            }
            this.writer = new PcapNgStreamWriter(out, "levee capture", interfaces, flushEachPacket);
        }

        @Override
        public void packet(CaptureRecord record, long epochNanos) throws IOException {
            Integer id = interfaceIds.get(record.action());
            if (id == null) {
                throw new IllegalArgumentException("a " + ActionNames.label(record.action())
                        + " packet arrived but this file has no interface for that action");
            }
            writer.writePacket(
                    id,
                    epochNanos,
                    record.data(),
                    record.originalLength(),
                    record.action().code());
        }

        @Override
        public void flush() throws IOException {
            writer.flush();
        }

        @Override
        public void close() throws IOException {
            writer.close();
        }
    }

    /** The summary-line form. */
    final class Summary implements PacketOutput {
        private final PrintWriter out;
        private final ZoneId zone;

        private Summary(PrintWriter out, ZoneId zone) {
            this.out = out;
            this.zone = zone;
        }

        @Override
        public void packet(CaptureRecord record, long epochNanos) {
            out.println(PacketSummary.line(epochNanos, zone, record.action(), record.data(), record.originalLength()));
        }

        @Override
        public void flush() throws IOException {
            out.flush();
            if (out.checkError()) {
                throw new IOException("the output was closed");
            }
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
