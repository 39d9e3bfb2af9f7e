package org.levee.sflow.testing;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/** Ethernet frames with chosen addresses and ports, for sampled headers and for carrying datagrams in pcaps. */
public final class TestFrames {
    private TestFrames() {}

    public static final int TCP = 6;
    public static final int UDP = 17;

    /** An Ethernet frame with an IPv4 or IPv6 packet (by the addresses' family) carrying UDP or TCP. */
    public static byte[] frame(
            InetAddress source,
            InetAddress destination,
            int protocol,
            int sourcePort,
            int destinationPort,
            byte[] payload) {
        boolean v6 = source instanceof Inet6Address;
        if (v6 != destination instanceof Inet6Address) {
            throw new IllegalArgumentException("mixed address families: " + source + " " + destination);
        }
        int l4 = (protocol == TCP ? 20 : 8) + payload.length;
        int ip = v6 ? 40 : 20;
        ByteBuffer b = ByteBuffer.allocate(14 + ip + l4);
        b.put(new byte[] {2, 0, 0, 0, 0, 2}).put(new byte[] {2, 0, 0, 0, 0, 1}).putShort((short)
                (v6 ? 0x86dd : 0x0800));
        int ipStart = b.position();
        if (v6) {
            b.putInt(0x6000_0000).putShort((short) l4).put((byte) protocol).put((byte) 64);
            b.put(source.getAddress()).put(destination.getAddress());
        } else {
            b.put((byte) 0x45)
                    .put((byte) 0)
                    .putShort((short) (20 + l4))
                    .putShort((short) 1)
                    .putShort((short) 0x4000)
                    .put((byte) 64)
                    .put((byte) protocol)
                    .putShort((short) 0)
                    .put(source.getAddress())
                    .put(destination.getAddress());
            b.putShort(ipStart + 10, checksum(b.array(), ipStart, 20));
        }
        b.putShort((short) sourcePort).putShort((short) destinationPort);
        if (protocol == TCP) {
            b.putInt(1)
                    .putInt(0)
                    .putShort((short) 0x5002)
                    .putShort((short) 1024)
                    .putShort((short) 0)
                    .putShort((short) 0);
        } else {
            b.putShort((short) (8 + payload.length)).putShort((short) 0);
        }
        b.put(payload);
        return b.array();
    }

    /** A UDP datagram in an Ethernet frame over IPv4 or IPv6: how an sFlow datagram travels. */
    public static byte[] udp(
            InetAddress source, int sourcePort, InetAddress destination, int destinationPort, byte[] payload) {
        return frame(source, destination, UDP, sourcePort, destinationPort, payload);
    }

    private static short checksum(byte[] bytes, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += ((bytes[offset + i] & 0xff) << 8) | (bytes[offset + i + 1] & 0xff);
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }

    public static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** The IPv4 address of a documentation network, e.g. {@code v4(198, 51, 100, 7)}. */
    public static Inet4Address v4(int a, int b, int c, int d) {
        return (Inet4Address) address(a + "." + b + "." + c + "." + d);
    }
}
