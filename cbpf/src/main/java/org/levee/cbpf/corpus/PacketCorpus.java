package org.levee.cbpf.corpus;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded generator of Ethernet frames for differential tests of filters: the same seed gives
 * the same packets on every machine, so a failure names a seed and a packet index that reproduce
 * it.
 *
 * <p>Well-formed frames cover IPv4 TCP/UDP/ICMP (with and without IP and TCP options, first and
 * non-first fragments, other protocols such as GRE and SCTP), DNS queries over UDP, IPv6
 * TCP/UDP/ICMPv6 (also behind hop-by-hop and fragment extension headers), ARP, 802.1Q VLAN and
 * 802.1ad QinQ tagged frames, and unknown EtherTypes. Addresses and ports come from small pools
 * of documentation values (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and
 * well-known ports, so that host, net and port filters match some packets and miss others.
 *
 * <p>{@link #generate} also truncates each frame at header boundaries and random lengths (the
 * captured bytes shrink, the wire length does not) and adds frames of random bytes: loads past
 * the captured bytes must end filters with 0 in every implementation.
 */
public final class PacketCorpus {
    /** The corpus the differential tests of cbpf and compiler use by default. */
    public static final long DEFAULT_SEED = 0x1E5EEDL;

    private static final String[] KINDS = {
        "ipv4-tcp",
        "ipv4-tcp-options",
        "ipv4-udp",
        "ipv4-icmp",
        "ipv4-dns",
        "ipv4-fragment-first",
        "ipv4-fragment-later",
        "ipv4-other",
        "ipv6-tcp",
        "ipv6-udp",
        "ipv6-icmpv6",
        "ipv6-dns",
        "ipv6-extension",
        "arp",
        "vlan",
        "qinq",
        "ethertype-other",
    };
    private static final int[] PORTS = {20, 22, 53, 53, 80, 80, 80, 123, 443, 443, 1024, 1234, 5353, 8080, 33434, 65535
    };
    private static final byte[] HTTP_REQUEST =
            "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final String[] DNS_NAMES = {
        "example.com",
        "www.example.com",
        "a.b.example.net",
        "levee.test",
        "x",
        "long-label-for-testing-the-parser.example.org"
    };

    /**
     * One packet: the captured bytes and the length it had on the wire.
     *
     * @param kind       what generated it (e.g. "ipv4-tcp", "ipv6-udp/truncated", "random")
     * @param data       the captured bytes
     * @param wireLength its length on the wire, ≥ data.length
     */
    public record Packet(String kind, byte[] data, int wireLength) {
        public Packet {
            if (wireLength < data.length) {
                throw new IllegalArgumentException("wireLength " + wireLength + " < captured " + data.length);
            }
        }

        @Override
        public String toString() {
            return kind + " (" + data.length + " of " + wireLength + " bytes) "
                    + java.util.HexFormat.of().formatHex(data);
        }
    }

    private final Random random;

    private PacketCorpus(long seed) {
        this.random = new Random(seed);
    }

    /** The default corpus: {@link #generate}({@link #DEFAULT_SEED}, 600) — about 3,900 packets. */
    public static List<Packet> standard() {
        return generate(DEFAULT_SEED, 700);
    }

    /**
     * {@code frames} well-formed frames, each followed by four truncated copies of itself, then
     * {@code frames / 2} frames of random bytes (some starting with a real EtherType).
     */
    public static List<Packet> generate(long seed, int frames) {
        PacketCorpus corpus = new PacketCorpus(seed);
        List<Packet> packets = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            Packet frame = corpus.wellFormed(KINDS[i % KINDS.length]);
            packets.add(frame);
            for (int cut : corpus.truncationPoints(frame.data().length)) {
                packets.add(
                        new Packet(frame.kind() + "/truncated", Arrays.copyOf(frame.data(), cut), frame.wireLength()));
            }
        }
        for (int i = 0; i < frames / 2; i++) {
            packets.add(corpus.randomBytes());
        }
        return packets;
    }

    /** {@code count} well-formed frames only, of every kind in turn. */
    public static List<Packet> wellFormed(long seed, int count) {
        PacketCorpus corpus = new PacketCorpus(seed);
        List<Packet> packets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            packets.add(corpus.wellFormed(KINDS[i % KINDS.length]));
        }
        return packets;
    }

    // ---- frames ----

    private Packet wellFormed(String kind) {
        byte[] frame = switch (kind) {
            case "ipv4-tcp" -> ethernet(0x0800, ipv4(6, noOptions(), 0, false, tcp(new byte[0], payload(40))));
            case "ipv4-tcp-options" -> ethernet(0x0800, ipv4(6, ipOptions(), 0, false, tcp(tcpOptions(), payload(20))));
            case "ipv4-udp" -> ethernet(0x0800, ipv4(17, maybeOptions(), 0, false, udp(port(), port(), payload(60))));
            case "ipv4-icmp" -> ethernet(0x0800, ipv4(1, maybeOptions(), 0, false, icmp(payload(32))));
            case "ipv4-dns" -> ethernet(0x0800, ipv4(17, noOptions(), 0, false, udp(port(), 53, dnsQuery())));
            case "ipv4-fragment-first" ->
                ethernet(
                        0x0800,
                        ipv4(
                                random.nextBoolean() ? 6 : 17,
                                maybeOptions(),
                                0,
                                true,
                                random.nextBoolean()
                                        ? tcp(new byte[0], payload(64))
                                        : udp(port(), port(), payload(64))));
            case "ipv4-fragment-later" ->
                ethernet(
                        0x0800,
                        ipv4(
                                random.nextBoolean() ? 6 : 17,
                                noOptions(),
                                1 + random.nextInt(0x1ffe),
                                random.nextBoolean(),
                                payload(8 + random.nextInt(80))));
            case "ipv4-other" ->
                ethernet(
                        0x0800,
                        ipv4(
                                new int[] {2, 47, 50, 132, 89, 255, 0}[random.nextInt(7)],
                                maybeOptions(),
                                0,
                                false,
                                new Bytes()
                                        .u16(port())
                                        .u16(port())
                                        .put(payload(80))
                                        .toArray()));
            case "ipv6-tcp" ->
                ethernet(0x86dd, ipv6(6, tcp(random.nextBoolean() ? tcpOptions() : new byte[0], payload(30))));
            case "ipv6-udp" -> ethernet(0x86dd, ipv6(17, udp(port(), port(), payload(50))));
            case "ipv6-icmpv6" -> ethernet(0x86dd, ipv6(58, icmpv6(payload(24))));
            case "ipv6-dns" -> ethernet(0x86dd, ipv6(17, udp(port(), 53, dnsQuery())));
            case "ipv6-extension" -> ethernet(0x86dd, ipv6Extension());
            case "arp" -> ethernet(random.nextInt(4) == 0 ? 0x8035 : 0x0806, arp());
            case "vlan" -> tagged(new int[] {0x8100}, inner());
            case "qinq" -> tagged(new int[] {random.nextBoolean() ? 0x88a8 : 0x9100, 0x8100}, inner());
            case "ethertype-other" ->
                ethernet(
                        new int[] {0x88cc, 0x8863, 0x8847, 0x0842, 0x05dc, 0x0000}[random.nextInt(6)],
                        payload(46 + random.nextInt(40)));
            default -> throw new IllegalArgumentException("unknown packet kind " + kind);
        };
        int wire = frame.length;
        if (random.nextInt(8) == 0) {
            wire += 1 + random.nextInt(1500); // captured with a snapshot length shorter than the frame
        }
        return new Packet(kind, frame, wire);
    }

    /** An EtherType and payload for inside VLAN tags: IPv4, IPv6, ARP or another VLAN-free type. */
    private byte[][] inner() {
        return switch (random.nextInt(5)) {
            case 0 -> new byte[][] {u16(0x0800), ipv4(6, maybeOptions(), 0, false, tcp(new byte[0], payload(20)))};
            case 1 -> new byte[][] {u16(0x0800), ipv4(17, noOptions(), 0, false, udp(port(), port(), dnsQuery()))};
            case 2 ->
                new byte[][] {
                    u16(0x86dd),
                    ipv6(
                            random.nextBoolean() ? 6 : 17,
                            random.nextBoolean() ? tcp(new byte[0], payload(10)) : udp(port(), port(), payload(10)))
                };
            case 3 -> new byte[][] {u16(0x0806), arp()};
            default -> new byte[][] {u16(0x88cc), payload(46)};
        };
    }

    private byte[] ethernet(int etherType, byte[] payload) {
        Bytes frame = new Bytes().put(mac()).put(mac()).u16(etherType).put(payload);
        return frame.padTo(60);
    }

    private byte[] tagged(int[] tpids, byte[][] inner) {
        Bytes frame = new Bytes().put(mac()).put(mac());
        for (int tpid : tpids) {
            int vid =
                    random.nextInt(4) == 0 ? random.nextInt(4096) : new int[] {1, 5, 10, 100, 4094}[random.nextInt(5)];
            frame.u16(tpid).u16(random.nextInt(8) << 13 | vid);
        }
        return frame.put(inner[0]).put(inner[1]).padTo(64);
    }

    private byte[] ipv4(int protocol, byte[] options, int fragmentOffset, boolean moreFragments, byte[] payload) {
        int headerLength = 20 + options.length;
        Bytes ip = new Bytes();
        ip.u8(0x40 | headerLength / 4)
                .u8(random.nextInt(4) == 0 ? 0xb8 : random.nextInt(4) << 2); // TOS: EF or low bits
        ip.u16(headerLength + payload.length).u16(random.nextInt(65536));
        ip.u16((random.nextInt(8) == 0 ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | fragmentOffset);
        ip.u8(1 + random.nextInt(255)).u8(protocol).u16(0);
        byte[] source = ipv4Address();
        byte[] destination = ipv4Address();
        ip.put(source).put(destination).put(options);
        byte[] header = ip.toArray();
        int checksum = checksum(header, 0, header.length, 0);
        header[10] = (byte) (checksum >> 8);
        header[11] = (byte) checksum;
        if (fragmentOffset == 0 && (protocol == 6 || protocol == 17)) {
            int pseudo = sum(source) + sum(destination) + protocol + payload.length;
            fillTransportChecksum(payload, protocol, pseudo);
        }
        return new Bytes().put(header).put(payload).toArray();
    }

    private byte[] ipv6(int nextHeader, byte[] payload) {
        return ipv6(nextHeader, payload, nextHeader, 0);
    }

    /** IPv6 whose upper-layer header ({@code transport}) starts at {@code transportOffset} of the payload. */
    private byte[] ipv6(int nextHeader, byte[] payload, int transport, int transportOffset) {
        byte[] source = ipv6Address();
        byte[] destination = ipv6Address();
        if (transport == 6 || transport == 17 || transport == 58) {
            byte[] segment = Arrays.copyOfRange(payload, transportOffset, payload.length);
            fillTransportChecksum(segment, transport, sum(source) + sum(destination) + transport + segment.length);
            System.arraycopy(segment, 0, payload, transportOffset, segment.length);
        }
        return new Bytes()
                .u32(0x60000000 | random.nextInt(256) << 20 | random.nextInt(1 << 20))
                .u16(payload.length)
                .u8(nextHeader)
                .u8(1 + random.nextInt(255))
                .put(source)
                .put(destination)
                .put(payload)
                .toArray();
    }

    /** IPv6 with a hop-by-hop options header or a fragment header before TCP or UDP. */
    private byte[] ipv6Extension() {
        int transport = random.nextBoolean() ? 6 : 17;
        byte[] inner = transport == 6 ? tcp(new byte[0], payload(16)) : udp(port(), port(), payload(16));
        Bytes extension = new Bytes();
        int first;
        if (random.nextBoolean()) {
            first = 0; // hop-by-hop: next header, length 0 (8 bytes), PadN option of 4 bytes
            extension.u8(transport).u8(0).u8(1).u8(4).u32(0);
        } else {
            first = 44; // fragment header: first fragment or a later one
            int offset = random.nextBoolean() ? 0 : 1 + random.nextInt(100);
            extension
                    .u8(transport)
                    .u8(0)
                    .u16(offset << 3 | (random.nextBoolean() ? 1 : 0))
                    .u32(random.nextInt());
        }
        return ipv6(first, extension.put(inner).toArray(), transport, 8);
    }

    private byte[] tcp(byte[] options, byte[] payload) {
        int headerLength = 20 + options.length;
        int flags = random.nextInt(4) == 0
                ? random.nextInt(256)
                : new int[] {0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x01}[random.nextInt(8)];
        return new Bytes()
                .u16(port())
                .u16(port())
                .u32(random.nextInt())
                .u32(random.nextInt())
                .u8(headerLength / 4 << 4)
                .u8(flags)
                .u16(random.nextInt(65536))
                .u16(0)
                .u16(random.nextInt(4) == 0 ? 1 : 0)
                .put(options)
                .put(
                        switch (random.nextInt(4)) {
                            case 0 -> new byte[0];
                            case 1 -> HTTP_REQUEST;
                            default -> payload;
                        })
                .toArray();
    }

    private byte[] udp(int sourcePort, int destinationPort, byte[] payload) {
        return new Bytes()
                .u16(sourcePort)
                .u16(destinationPort)
                .u16(8 + payload.length)
                .u16(0)
                .put(payload)
                .toArray();
    }

    private byte[] icmp(byte[] payload) {
        int[][] typeCodes = {{8, 0}, {0, 0}, {3, 3}, {3, 1}, {11, 0}, {5, 1}, {13, 0}};
        int[] typeCode = typeCodes[random.nextInt(typeCodes.length)];
        if (typeCode[0] == 3 || typeCode[0] == 11 || typeCode[0] == 5) {
            // Errors and redirects quote the offending datagram's IP header and first 8 bytes.
            payload = ipv4(17, noOptions(), 0, false, udp(port(), port(), new byte[0]));
        }
        byte[] message = new Bytes()
                .u8(typeCode[0])
                .u8(typeCode[1])
                .u16(0)
                .u32(random.nextInt())
                .put(payload)
                .toArray();
        int checksum = checksum(message, 0, message.length, 0);
        message[2] = (byte) (checksum >> 8);
        message[3] = (byte) checksum;
        return message;
    }

    private byte[] icmpv6(byte[] payload) {
        int[][] typeCodes = {{128, 0}, {129, 0}, {1, 4}, {135, 0}, {136, 0}, {133, 0}, {2, 0}};
        int[] typeCode = typeCodes[random.nextInt(typeCodes.length)];
        return new Bytes()
                .u8(typeCode[0])
                .u8(typeCode[1])
                .u16(0)
                .u32(random.nextInt())
                .put(payload)
                .toArray();
    }

    private byte[] arp() {
        return new Bytes()
                .u16(1)
                .u16(0x0800)
                .u8(6)
                .u8(4)
                .u16(1 + random.nextInt(2))
                .put(mac())
                .put(ipv4Address())
                .put(mac())
                .put(ipv4Address())
                .toArray();
    }

    /** A DNS query: header, one question for a name from the pool, type A/AAAA/ANY/TXT, class IN. */
    private byte[] dnsQuery() {
        Bytes dns = new Bytes()
                .u16(random.nextInt(65536))
                .u16(random.nextInt(4) == 0 ? 0x0000 : 0x0100)
                .u16(1)
                .u16(0)
                .u16(0)
                .u16(0);
        for (String label : DNS_NAMES[random.nextInt(DNS_NAMES.length)].split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            dns.u8(bytes.length).put(bytes);
        }
        dns.u8(0).u16(new int[] {1, 28, 255, 16}[random.nextInt(4)]).u16(1);
        return dns.toArray();
    }

    // ---- fields ----

    private byte[] mac() {
        return switch (random.nextInt(6)) {
            case 0 -> new byte[] {-1, -1, -1, -1, -1, -1};
            case 1 -> new byte[] {0x01, 0x00, 0x5e, 0, 0, (byte) random.nextInt(4)};
            case 2 -> new byte[] {0x02, 0, 0, 0, 0, 1};
            default -> {
                byte[] mac = new byte[6];
                random.nextBytes(mac);
                mac[0] &= (byte) 0xfe;
                yield mac;
            }
        };
    }

    private byte[] ipv4Address() {
        int[][] pool = {{192, 0, 2}, {198, 51, 100}, {203, 0, 113}};
        return switch (random.nextInt(12)) {
            case 0 -> new byte[] {(byte) 224, 0, 0, (byte) (1 + random.nextInt(3))};
            case 3, 4 -> new byte[] {(byte) 192, 0, 2, 1}; // the host the tests name most
            case 1 -> new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 255};
            case 2 -> new byte[] {127, 0, 0, 1};
            default -> {
                int[] prefix = pool[random.nextInt(pool.length)];
                int host = new int[] {1, 2, 10, 99, 255, 0, 128}[random.nextInt(7)];
                yield new byte[] {(byte) prefix[0], (byte) prefix[1], (byte) prefix[2], (byte) host};
            }
        };
    }

    private byte[] ipv6Address() {
        byte[] address = new byte[16];
        switch (random.nextInt(6)) {
            case 0 -> { // ff02::1 or ff02::2
                address[0] = (byte) 0xff;
                address[1] = 0x02;
                address[15] = (byte) (1 + random.nextInt(2));
            }
            case 1 -> address[15] = 1; // ::1
            default -> {
                address[0] = 0x20;
                address[1] = 0x01;
                address[2] = 0x0d;
                address[3] = (byte) 0xb8;
                address[5] = (byte) random.nextInt(3);
                address[15] = (byte) new int[] {1, 2, 0x53, 0xff}[random.nextInt(4)];
            }
        }
        return address;
    }

    private int port() {
        return random.nextInt(4) == 0 ? random.nextInt(65536) : PORTS[random.nextInt(PORTS.length)];
    }

    private byte[] payload(int maxLength) {
        byte[] payload = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(payload);
        return payload;
    }

    private byte[] noOptions() {
        return new byte[0];
    }

    private byte[] maybeOptions() {
        return random.nextInt(3) == 0 ? ipOptions() : noOptions();
    }

    /** 4 to 40 bytes of IPv4 options: router alert, NOPs, a record-route, end of list. */
    private byte[] ipOptions() {
        Bytes options = new Bytes();
        switch (random.nextInt(3)) {
            case 0 -> options.u8(0x94).u8(4).u16(0); // router alert
            case 1 -> options.u8(1).u8(1).u8(1).u8(0); // NOPs, end
            default -> {
                int slots = 1 + random.nextInt(8);
                options.u8(7).u8(3 + 4 * slots).u8(4);
                for (int i = 0; i < slots; i++) {
                    options.put(ipv4Address());
                }
            }
        }
        return options.padTo((options.size() + 3) & ~3);
    }

    /** TCP options of a SYN: MSS, SACK permitted, timestamps, NOP, window scale. */
    private byte[] tcpOptions() {
        Bytes options = new Bytes().u8(2).u8(4).u16(1460);
        if (random.nextBoolean()) {
            options.u8(4).u8(2).u8(8).u8(10).u32(random.nextInt()).u32(0);
        }
        options.u8(1).u8(3).u8(3).u8(random.nextInt(15));
        return options.padTo((options.size() + 3) & ~3);
    }

    private int[] truncationPoints(int length) {
        int[] boundaries = {
            1, 6, 12, 13, 14, 15, 17, 18, 22, 23, 26, 30, 33, 34, 36, 38, 40, 42, 46, 47, 50, 54, 55, 56, 58, 62, 66, 70
        };
        int[] cuts = new int[4];
        for (int i = 0; i < cuts.length; i++) {
            int cut = i < 2 ? boundaries[random.nextInt(boundaries.length)] : random.nextInt(length);
            cuts[i] = Math.min(cut, Math.max(0, length - 1));
        }
        return cuts;
    }

    private Packet randomBytes() {
        byte[] data = new byte[random.nextInt(120)];
        random.nextBytes(data);
        if (data.length >= 14 && random.nextBoolean()) {
            int type = new int[] {0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8}[random.nextInt(5)];
            data[12] = (byte) (type >> 8);
            data[13] = (byte) type;
        }
        return new Packet("random", data, data.length + (random.nextInt(4) == 0 ? random.nextInt(2000) : 0));
    }

    // ---- checksums ----

    private static void fillTransportChecksum(byte[] segment, int protocol, int pseudoHeaderSum) {
        int at = switch (protocol) {
            case 6 -> 16;
            case 17 -> 6;
            case 58 -> 2;
            default -> -1;
        };
        if (at < 0 || segment.length < at + 2) {
            return;
        }
        segment[at] = 0;
        segment[at + 1] = 0;
        int checksum = checksum(segment, 0, segment.length, pseudoHeaderSum);
        if (protocol == 17 && checksum == 0) {
            checksum = 0xffff;
        }
        segment[at] = (byte) (checksum >> 8);
        segment[at + 1] = (byte) checksum;
    }

    private static int sum(byte[] bytes) {
        int sum = 0;
        for (int i = 0; i < bytes.length; i += 2) {
            sum += (bytes[i] & 0xff) << 8 | (i + 1 < bytes.length ? bytes[i + 1] & 0xff : 0);
        }
        return sum;
    }

    /** The Internet checksum (RFC 1071) of bytes[from, to) plus an initial sum. */
    private static int checksum(byte[] bytes, int from, int to, int initial) {
        long sum = initial;
        for (int i = from; i < to; i += 2) {
            sum += (bytes[i] & 0xff) << 8 | (i + 1 < to ? bytes[i + 1] & 0xff : 0);
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) ~sum & 0xffff;
    }

    private static byte[] u16(int value) {
        return new byte[] {(byte) (value >> 8), (byte) value};
    }

    /** A big-endian byte builder. */
    private static final class Bytes {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u8(int value) {
            out.write(value);
            return this;
        }

        Bytes u16(int value) {
            return u8(value >> 8).u8(value);
        }

        Bytes u32(int value) {
            return u16(value >>> 16).u16(value);
        }

        Bytes put(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        int size() {
            return out.size();
        }

        /** The bytes, zero-padded to at least {@code length}. */
        byte[] padTo(int length) {
            byte[] bytes = out.toByteArray();
            return bytes.length >= length ? bytes : Arrays.copyOf(bytes, length);
        }

        byte[] toArray() {
            return out.toByteArray();
        }
    }
}
