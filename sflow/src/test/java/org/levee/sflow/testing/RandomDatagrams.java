package org.levee.sflow.testing;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.levee.sflow.CounterRecord;
import org.levee.sflow.CounterSample;
import org.levee.sflow.FlowRecord;
import org.levee.sflow.FlowSample;
import org.levee.sflow.GenericInterfaceCounters;
import org.levee.sflow.InterfaceId;
import org.levee.sflow.RawPacketHeader;
import org.levee.sflow.SflowDatagram;
import org.levee.sflow.SflowFormats;
import org.levee.sflow.SflowSample;
import org.levee.sflow.SourceId;
import org.levee.sflow.UnknownCounterRecord;
import org.levee.sflow.UnknownFlowRecord;
import org.levee.sflow.UnknownSample;

/**
 * Seeded random datagrams covering the whole model: IPv4 and IPv6 agents, compact and expanded
 * flow and counter samples, raw headers of any protocol and length (unaligned ones too), unknown
 * samples and records of aligned and unaligned lengths, and values at the ends of every range.
 */
public final class RandomDatagrams {
    private final Random random;

    public RandomDatagrams(long seed) {
        random = new Random(seed);
    }

    public SflowDatagram next() {
        int count = random.nextInt(9);
        List<SflowSample> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            samples.add(sample());
        }
        return new SflowDatagram(agent(), random.nextInt(), u32(), u32(), samples);
    }

    public InetAddress agent() {
        try {
            if (random.nextBoolean()) {
                byte[] bytes = new byte[4];
                random.nextBytes(bytes);
                return InetAddress.getByAddress(bytes);
            }
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            if (random.nextInt(8) == 0) { // IPv4-mapped: must stay IPv6
                java.util.Arrays.fill(bytes, 0, 10, (byte) 0);
                bytes[10] = (byte) 0xff;
                bytes[11] = (byte) 0xff;
            }
            return Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public SflowSample sample() {
        return switch (random.nextInt(10)) {
            case 0, 1, 2, 3, 4, 5 -> flowSample();
            case 6, 7, 8 -> counterSample();
            default -> new UnknownSample(unknownFormat(0x7fff), bytes(random.nextInt(40)));
        };
    }

    public FlowSample flowSample() {
        boolean expanded = random.nextInt(3) == 0;
        List<FlowRecord> records = new ArrayList<>();
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            records.add(
                    random.nextInt(3) > 0
                            ? rawHeader()
                            : new UnknownFlowRecord(
                                    unknownFormat(SflowFormats.RAW_PACKET_HEADER), bytes(random.nextInt(30))));
        }
        long rate = random.nextInt(4) == 0 ? 1 + random.nextInt(4096) : 1 + (u32() % 0xffff_fffeL);
        return new FlowSample(
                u32(), source(expanded), rate, u32(), u32(), iface(expanded), iface(expanded), records, expanded);
    }

    public RawPacketHeader rawHeader() {
        byte[] header = bytes(random.nextInt(5) == 0 ? random.nextInt(5) : random.nextInt(300));
        long frameLength = header.length + (random.nextBoolean() ? random.nextInt(64) : u32() % (0xffff_ffffL - 300));
        int protocol = random.nextInt(4) > 0 ? SflowFormats.HEADER_PROTOCOL_ETHERNET : random.nextInt(20);
        return new RawPacketHeader(protocol, frameLength, random.nextBoolean() ? 4 : u32(), header);
    }

    public CounterSample counterSample() {
        boolean expanded = random.nextInt(3) == 0;
        List<CounterRecord> records = new ArrayList<>();
        int count = random.nextInt(3);
        for (int i = 0; i < count; i++) {
            records.add(
                    random.nextInt(3) > 0
                            ? counters()
                            : new UnknownCounterRecord(
                                    unknownFormat(SflowFormats.GENERIC_INTERFACE_COUNTERS), bytes(random.nextInt(60))));
        }
        return new CounterSample(u32(), source(expanded), records, expanded);
    }

    public GenericInterfaceCounters counters() {
        return new GenericInterfaceCounters(
                random.nextInt(),
                random.nextInt(),
                random.nextLong(),
                random.nextInt(),
                random.nextInt(),
                random.nextLong(),
                u32(),
                u32(),
                u32(),
                u32(),
                u32(),
                u32(),
                random.nextLong(),
                u32(),
                u32(),
                u32(),
                u32(),
                u32(),
                random.nextInt());
    }

    private SourceId source(boolean expanded) {
        return expanded
                ? new SourceId(random.nextInt(), random.nextInt())
                : new SourceId(random.nextInt(256), random.nextInt(1 << 24));
    }

    private InterfaceId iface(boolean expanded) {
        return expanded
                ? new InterfaceId(random.nextInt(), random.nextInt())
                : new InterfaceId(random.nextInt(4), random.nextInt(1 << 30));
    }

    /** A data format other than {@code known}: sometimes of another enterprise. */
    private int unknownFormat(int known) {
        while (true) {
            int format = random.nextBoolean() ? random.nextInt(0x1000) : random.nextInt();
            boolean standardKnown = format == known
                    || (known == 0x7fff
                            && format >= SflowFormats.FLOW_SAMPLE
                            && format <= SflowFormats.COUNTER_SAMPLE_EXPANDED);
            if (!standardKnown) {
                return format;
            }
        }
    }

    private long u32() {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 0xffff_ffffL;
            default -> random.nextLong() & 0xffff_ffffL;
        };
    }

    private byte[] bytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}
