package org.levee.signatures;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Builds test frames byte by byte: Ethernet (optionally tagged), IPv4 with options and any flags,
 * IPv6, UDP and TCP. Checksums are left zero: no filter here reads them.
 */
final class Frames {
    private Frames() {}

    static final byte[] SRC4 = {(byte) 192, 0, 2, 1};
    static final byte[] DST4 = {(byte) 198, 51, 100, 2};
    static final byte[] SRC6 = v6(1);
    static final byte[] DST6 = v6(2);

    private static byte[] v6(int last) {
        byte[] address = new byte[16];
        address[0] = 0x20;
        address[1] = 0x01;
        address[2] = 0x0d;
        address[3] = (byte) 0xb8;
        address[15] = (byte) last;
        return address;
    }

    /** An Ethernet II frame; {@code tagTpid} 0 for none, else 0x8100 or 0x88a8 with VLAN 42. */
    static byte[] ethernet(int tagTpid, int ethertype, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1});
        if (tagTpid != 0) {
            short16(out, tagTpid);
            short16(out, 42);
        }
        short16(out, ethertype);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static byte[] ethernet(int ethertype, byte[] payload) {
        return ethernet(0, ethertype, payload);
    }

    /** IPv4 header fields a test may vary. */
    record Ipv4(int tos, int id, int flagsAndOffset, int ttl, int protocol, byte[] options, Integer totalLength) {
        static Ipv4 of(int protocol) {
            return new Ipv4(0, 0x1234, 0x4000, 64, protocol, new byte[0], null);
        }

        Ipv4 withOptions(byte[] value) {
            return new Ipv4(tos, id, flagsAndOffset, ttl, protocol, value, totalLength);
        }

        Ipv4 withFlagsAndOffset(int value) {
            return new Ipv4(tos, id, value, ttl, protocol, options, totalLength);
        }

        Ipv4 withTtl(int value) {
            return new Ipv4(tos, id, flagsAndOffset, value, protocol, options, totalLength);
        }

        Ipv4 withId(int value) {
            return new Ipv4(tos, value, flagsAndOffset, ttl, protocol, options, totalLength);
        }

        Ipv4 withTos(int value) {
            return new Ipv4(value, id, flagsAndOffset, ttl, protocol, options, totalLength);
        }

        Ipv4 withTotalLength(int value) {
            return new Ipv4(tos, id, flagsAndOffset, ttl, protocol, options, value);
        }

        byte[] packet(byte[] payload) {
            if (options.length % 4 != 0) {
                throw new IllegalArgumentException("IPv4 options must be whole words");
            }
            int headerLength = 20 + options.length;
            ByteBuffer b = ByteBuffer.allocate(headerLength + payload.length);
            b.put((byte) (0x40 | headerLength / 4));
            b.put((byte) tos);
            b.putShort((short) (totalLength != null ? totalLength : headerLength + payload.length));
            b.putShort((short) id);
            b.putShort((short) flagsAndOffset);
            b.put((byte) ttl);
            b.put((byte) protocol);
            b.putShort((short) 0);
            b.put(SRC4).put(DST4).put(options).put(payload);
            return b.array();
        }
    }

    /** IPv6 header fields a test may vary. */
    record Ipv6(int trafficClass, int flow, int nextHeader, int hopLimit, Integer payloadLength) {
        static Ipv6 of(int nextHeader) {
            return new Ipv6(0, 0, nextHeader, 64, null);
        }

        Ipv6 withHopLimit(int value) {
            return new Ipv6(trafficClass, flow, nextHeader, value, payloadLength);
        }

        Ipv6 withFlow(int value) {
            return new Ipv6(trafficClass, value, nextHeader, hopLimit, payloadLength);
        }

        Ipv6 withTrafficClass(int value) {
            return new Ipv6(value, flow, nextHeader, hopLimit, payloadLength);
        }

        Ipv6 withPayloadLength(int value) {
            return new Ipv6(trafficClass, flow, nextHeader, hopLimit, value);
        }

        byte[] packet(byte[] payload) {
            ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
            b.putInt(6 << 28 | (trafficClass & 0xff) << 20 | (flow & 0xfffff));
            b.putShort((short) (payloadLength != null ? payloadLength : payload.length));
            b.put((byte) nextHeader);
            b.put((byte) hopLimit);
            b.put(SRC6).put(DST6).put(payload);
            return b.array();
        }
    }

    static byte[] udp(int sourcePort, int destinationPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sourcePort).putShort((short) destinationPort);
        b.putShort((short) (8 + payload.length)).putShort((short) 0).put(payload);
        return b.array();
    }

    /** TCP header fields a test may vary; options are raw bytes padded by the caller. */
    record Tcp(
            int flags,
            long seq,
            long ack,
            int window,
            int urgent,
            int reserved,
            byte[] options,
            Integer dataOffsetWords) {
        static Tcp syn(byte[] options) {
            return new Tcp(0x02, 0x01020304L, 0, 64240, 0, 0, options, null);
        }

        byte[] segment(byte[] payload) {
            int words = dataOffsetWords != null ? dataOffsetWords : (20 + options.length + 3) / 4;
            int headerBytes = Math.max(20 + options.length, words * 4);
            ByteBuffer b = ByteBuffer.allocate(headerBytes + payload.length);
            b.putShort((short) 40000).putShort((short) 80);
            b.putInt((int) seq).putInt((int) ack);
            b.put((byte) (words << 4 | (reserved & 0x0f)));
            b.put((byte) flags);
            b.putShort((short) window).putShort((short) 0).putShort((short) urgent);
            b.put(options);
            b.position(headerBytes);
            b.put(payload);
            return b.array();
        }
    }

    private static void short16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }
}
