package org.levee.lab;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.levee.lab.FrameField.RandomLabel;
import org.levee.lab.FrameField.RandomNumber;
import org.levee.lab.FrameField.RandomSource;
import org.levee.lab.FrameField.RandomSource6;

/**
 * The frames of each {@link FloodKind}, laid out as the real attacks are seen on the wire. Every
 * recipe randomises what varies in the real attack (spoofed or reflector sources, ports, ids,
 * sequence numbers, TTLs of reflectors at different distances, the random DNS label) and keeps
 * what the attack tool or the reflected protocol fixes — which is what a fingerprint can match.
 */
public final class FloodFrames {
    /** TCP port the SYN flood targets. */
    public static final int SYN_PORT = 80;
    /** Fixed SYN fields: the tool's TTL, window and option layout (MSS, SACK-permitted, timestamps, NOP, window scale). */
    public static final int SYN_TTL = 64;

    public static final int SYN_WINDOW = 64240;
    public static final int SYN_MSS = 1460;
    public static final int SYN_WINDOW_SCALE = 7;
    /** The zone the random-subdomain flood asks about. */
    public static final String VICTIM_ZONE = "victim.example";
    /** Length of the random label in front of {@link #VICTIM_ZONE}. */
    public static final int RANDOM_LABEL_LENGTH = 12;
    /** The name reflectors answer about in the DNS amplification. */
    public static final String AMPLIFIED_NAME = "example.net";

    public static final int DNS_AMPLIFICATION_ANSWERS = 5;
    public static final int TXT_LENGTH = 250;
    /** Bytes of data in each memcached answer. */
    public static final int MEMCACHED_VALUE_LENGTH = 1300;
    /** UDP payload of the random-ports flood: the smallest that fills a 64-byte frame. */
    public static final int UDP_FLOOD_PAYLOAD = 22;

    private static final int IP = Checksums.IP_OFFSET;
    private static final int L4 = Checksums.L4_OFFSET;
    private static final int EPHEMERAL_MIN = 1024;
    private static final int REFLECTOR_TTL_MIN = 40;
    private static final int REFLECTOR_TTL_MAX = 60;

    private FloodFrames() {}

    /** The recipe of {@code kind} for frames sent along {@code path}. */
    public static FrameRecipe recipe(FloodKind kind, FloodPath path) {
        return switch (kind) {
            case SYN_FLOOD -> synFlood(path);
            case DNS_AMPLIFICATION -> dnsAmplification(path);
            case MEMCACHED_AMPLIFICATION -> memcachedAmplification(path);
            case DNS_RANDOM_SUBDOMAIN -> dnsRandomSubdomain(path);
            case UDP_RANDOM_PORTS -> udpRandomPorts(path);
            case SYN_FLOOD_V6 -> synFlood6(path);
            case UDP_RANDOM_PORTS_V6 -> udpRandomPorts6(path);
        };
    }

    private static FrameRecipe synFlood(FloodPath path) {
        byte[] frame = frame(path, Checksums.PROTOCOL_TCP, SYN_TTL, true, synSegment());
        return new FrameRecipe(
                FloodKind.SYN_FLOOD,
                frame,
                List.of(
                        ipId(),
                        source(path),
                        new RandomNumber(L4, 2, EPHEMERAL_MIN, 65535),
                        new RandomNumber(L4 + 4, 4, 0, 0xffffffffL), // sequence number
                        new RandomNumber(L4 + 28, 4, 0, 0xffffffffL))); // timestamp value
    }

    /** The SYN flood's tool over IPv6: the same segment, hop limit 64, random global unicast sources. */
    private static FrameRecipe synFlood6(FloodPath path) {
        byte[] frame = frame6(path, Checksums.PROTOCOL_TCP, SYN_TTL, synSegment());
        int l4 = Checksums.L4_OFFSET_V6;
        return new FrameRecipe(
                FloodKind.SYN_FLOOD_V6,
                frame,
                List.of(
                        new RandomSource6(IP + 8),
                        new RandomNumber(l4, 2, EPHEMERAL_MIN, 65535),
                        new RandomNumber(l4 + 4, 4, 0, 0xffffffffL),
                        new RandomNumber(l4 + 28, 4, 0, 0xffffffffL)));
    }

    private static FrameRecipe udpRandomPorts6(FloodPath path) {
        byte[] frame = frame6(path, Checksums.PROTOCOL_UDP, 64, udp(0, 0, new byte[UDP_FLOOD_PAYLOAD]));
        int l4 = Checksums.L4_OFFSET_V6;
        return new FrameRecipe(
                FloodKind.UDP_RANDOM_PORTS_V6,
                frame,
                List.of(
                        new RandomSource6(IP + 8),
                        new RandomNumber(l4, 2, EPHEMERAL_MIN, 65535),
                        new RandomNumber(l4 + 2, 2, 1, 65535)));
    }

    /** The SYN flood's TCP header: random port, sequence and timestamp; fixed window and option layout. */
    private static byte[] synSegment() {
        ByteBuffer tcp = ByteBuffer.allocate(40);
        tcp.putShort((short) 0)
                .putShort((short) SYN_PORT) // source port: random
                .putInt(0)
                .putInt(0) // sequence: random; acknowledgement 0
                .put((byte) (10 << 4))
                .put((byte) 0x02) // data offset 10 words; SYN
                .putShort((short) SYN_WINDOW)
                .putShort((short) 0)
                .putShort((short) 0)
                .put(new byte[] {2, 4, (byte) (SYN_MSS >> 8), (byte) SYN_MSS}) // MSS
                .put(new byte[] {4, 2}) // SACK permitted
                .put(new byte[] {8, 10})
                .putInt(0)
                .putInt(0) // timestamps: value random, echo 0
                .put((byte) 1) // NOP
                .put(new byte[] {3, 3, (byte) SYN_WINDOW_SCALE}); // window scale
        return tcp.array();
    }

    private static FrameRecipe dnsAmplification(FloodPath path) {
        ByteArrayOutputStream dns = new ByteArrayOutputStream();
        dns.writeBytes(
                dnsHeader(0x8180, 1, DNS_AMPLIFICATION_ANSWERS, 0, 0)); // response, recursion desired and available
        dns.writeBytes(name(AMPLIFIED_NAME));
        dns.writeBytes(new byte[] {0, (byte) 255, 0, 1}); // ANY, IN
        byte[] text = txt(TXT_LENGTH);
        for (int i = 0; i < DNS_AMPLIFICATION_ANSWERS; i++) {
            ByteBuffer rr = ByteBuffer.allocate(12 + 1 + text.length);
            rr.putShort((short) 0xc00c)
                    .putShort((short) 16)
                    .putShort((short) 1)
                    .putInt(3600) // name → question, TXT, IN, TTL
                    .putShort((short) (1 + text.length))
                    .put((byte) text.length)
                    .put(text);
            dns.writeBytes(rr.array());
        }
        byte[] frame = frame(path, Checksums.PROTOCOL_UDP, REFLECTOR_TTL_MAX, false, udp(53, 0, dns.toByteArray()));
        return new FrameRecipe(
                FloodKind.DNS_AMPLIFICATION,
                frame,
                List.of(
                        ipId(),
                        reflectorTtl(),
                        source(path),
                        new RandomNumber(L4 + 2, 2, EPHEMERAL_MIN, 65535), // the victim's "query" port
                        new RandomNumber(L4 + 8, 2, 0, 65535))); // DNS id
    }

    private static FrameRecipe memcachedAmplification(FloodPath path) {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.writeBytes(
                new byte[] {0, 0, 0, 0, 0, 1, 0, 0}); // UDP frame header: request id (random), sequence 0, 1 datagram
        payload.writeBytes(("VALUE a 0 " + MEMCACHED_VALUE_LENGTH + "\r\n").getBytes(StandardCharsets.US_ASCII));
        byte[] value = new byte[MEMCACHED_VALUE_LENGTH];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ('A' + i % 26);
        }
        payload.writeBytes(value);
        payload.writeBytes("\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] frame =
                frame(path, Checksums.PROTOCOL_UDP, REFLECTOR_TTL_MAX, false, udp(11211, 0, payload.toByteArray()));
        return new FrameRecipe(
                FloodKind.MEMCACHED_AMPLIFICATION,
                frame,
                List.of(
                        ipId(),
                        reflectorTtl(),
                        source(path),
                        new RandomNumber(L4 + 2, 2, EPHEMERAL_MIN, 65535),
                        new RandomNumber(L4 + 8, 2, 0, 65535))); // request id
    }

    private static FrameRecipe dnsRandomSubdomain(FloodPath path) {
        ByteArrayOutputStream dns = new ByteArrayOutputStream();
        dns.writeBytes(dnsHeader(0x0100, 1, 0, 0, 1)); // query, recursion desired, one additional (EDNS0)
        String placeholder = "x".repeat(RANDOM_LABEL_LENGTH);
        dns.writeBytes(name(placeholder + "." + VICTIM_ZONE));
        dns.writeBytes(new byte[] {0, 1, 0, 1}); // A, IN
        dns.writeBytes(new byte[] {0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0}); // OPT: root, 4096-byte UDP payload
        byte[] frame = frame(path, Checksums.PROTOCOL_UDP, REFLECTOR_TTL_MAX, false, udp(0, 53, dns.toByteArray()));
        int labelAt = L4 + 8 + 12 + 1; // after the UDP and DNS headers and the label's length byte
        return new FrameRecipe(
                FloodKind.DNS_RANDOM_SUBDOMAIN,
                frame,
                List.of(
                        ipId(),
                        reflectorTtl(),
                        source(path),
                        new RandomNumber(L4, 2, EPHEMERAL_MIN, 65535),
                        new RandomNumber(L4 + 8, 2, 0, 65535),
                        new RandomLabel(labelAt, RANDOM_LABEL_LENGTH)));
    }

    private static FrameRecipe udpRandomPorts(FloodPath path) {
        byte[] payload = new byte[UDP_FLOOD_PAYLOAD];
        byte[] frame = frame(path, Checksums.PROTOCOL_UDP, 64, false, udp(0, 0, payload));
        return new FrameRecipe(
                FloodKind.UDP_RANDOM_PORTS,
                frame,
                List.of(
                        ipId(),
                        source(path),
                        new RandomNumber(L4, 2, EPHEMERAL_MIN, 65535),
                        new RandomNumber(L4 + 2, 2, 1, 65535)));
    }

    private static RandomNumber ipId() {
        return new RandomNumber(IP + 4, 2, 0, 65535);
    }

    private static RandomNumber reflectorTtl() {
        return new RandomNumber(IP + 8, 1, REFLECTOR_TTL_MIN, REFLECTOR_TTL_MAX);
    }

    private static RandomSource source(FloodPath path) {
        return new RandomSource(IP + 12, path.spared());
    }

    /** Ethernet + IPv4 (no options, checksum left to the generator) + {@code l4}. */
    private static byte[] frame(FloodPath path, int protocol, int ttl, boolean dontFragment, byte[] l4) {
        ByteBuffer f = ByteBuffer.allocate(14 + 20 + l4.length);
        f.put(path.destinationMac().bytes()).put(path.sourceMac().bytes()).putShort((short) 0x0800);
        f.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) (20 + l4.length))
                .putShort((short) 0)
                .putShort((short) (dontFragment ? 0x4000 : 0))
                .put((byte) ttl)
                .put((byte) protocol)
                .putShort((short) 0)
                .putInt(0) // source: random
                .put(path.victim().getAddress());
        f.put(l4);
        return f.array();
    }

    /** Ethernet + IPv6 (no extension headers, traffic class and flow label 0) + {@code l4}. */
    private static byte[] frame6(FloodPath path, int nextHeader, int hopLimit, byte[] l4) {
        ByteBuffer f = ByteBuffer.allocate(14 + 40 + l4.length);
        f.put(path.destinationMac().bytes()).put(path.sourceMac().bytes()).putShort((short) Checksums.ETHERTYPE_IPV6);
        f.putInt(0x60000000)
                .putShort((short) l4.length)
                .put((byte) nextHeader)
                .put((byte) hopLimit)
                .put(new byte[16]) // source: random
                .put(path.requireVictim6().getAddress());
        f.put(l4);
        return f.array();
    }

    private static byte[] udp(int sourcePort, int destinationPort, byte[] payload) {
        return ByteBuffer.allocate(8 + payload.length)
                .putShort((short) sourcePort)
                .putShort((short) destinationPort)
                .putShort((short) (8 + payload.length))
                .putShort((short) 0)
                .put(payload)
                .array();
    }

    private static byte[] dnsHeader(int flags, int questions, int answers, int authorities, int additionals) {
        return ByteBuffer.allocate(12)
                .putShort((short) 0)
                .putShort((short) flags)
                .putShort((short) questions)
                .putShort((short) answers)
                .putShort((short) authorities)
                .putShort((short) additionals)
                .array();
    }

    /** A DNS name in wire format (length-prefixed labels, then the root). */
    static byte[] name(String dotted) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : dotted.split("\\.")) {
            byte[] b = label.getBytes(StandardCharsets.US_ASCII);
            out.write(b.length);
            out.writeBytes(b);
        }
        out.write(0);
        return out.toByteArray();
    }

    /** TXT text like the long SPF/DKIM records amplifiers are picked for. */
    private static byte[] txt(int length) {
        String base = "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA";
        StringBuilder s = new StringBuilder(base);
        List<Character> alphabet = new ArrayList<>();
        for (char c = 'A'; c <= 'Z'; c++) {
            alphabet.add(c);
        }
        for (int i = 0; s.length() < length; i++) {
            s.append(alphabet.get(i * 7 % alphabet.size()));
        }
        return s.substring(0, length).getBytes(StandardCharsets.US_ASCII);
    }
}
