package org.levee.upstream;

import java.nio.ByteBuffer;
import org.levee.rules.IpAddress;

/**
 * A well-formed Ethernet frame with an IPv4 or IPv6 packet, built field by field for the
 * differential tests.
 *
 * @param destination   destination address (its version is the packet's)
 * @param protocol      IPv4 protocol / IPv6 upper-layer protocol
 * @param sourcePort    TCP/UDP source port
 * @param destinationPort TCP/UDP destination port
 * @param tcpFlags      TCP flags byte
 * @param ipLength      IPv4 total length / IPv6 total length (payload length + 40)
 * @param tos           IPv4 TOS / IPv6 traffic class byte
 * @param dontFragment  IPv4 DF
 * @param moreFragments IPv4 MF / IPv6 fragment header M
 * @param fragmentOffset fragment offset in 8-byte units (IPv6: with a fragment header when non-zero or moreFragments)
 * @param hopByHop      IPv6: a hop-by-hop options header before everything else
 * @param vlan          an 802.1Q tag
 */
record TestPacket(
        IpAddress destination,
        int protocol,
        int sourcePort,
        int destinationPort,
        int tcpFlags,
        int ipLength,
        int tos,
        boolean dontFragment,
        boolean moreFragments,
        int fragmentOffset,
        boolean hopByHop,
        boolean vlan) {

    static final IpAddress SOURCE4 = IpAddress.parse("198.51.100.7");
    static final IpAddress SOURCE6 = IpAddress.parse("2001:db8:ffff::7");

    int version() {
        return destination.version();
    }

    boolean ipv6FragmentHeader() {
        return version() == 6 && (fragmentOffset != 0 || moreFragments);
    }

    /** Bytes of headers before the transport header (IP header and IPv6 extension headers). */
    int networkHeaders() {
        return version() == 4 ? 20 : 40 + (hopByHop ? 8 : 0) + (ipv6FragmentHeader() ? 8 : 0);
    }

    /** The transport header's length, 0 when this packet has none (a later fragment, a protocol without one here). */
    int transportHeader() {
        if (fragmentOffset != 0) {
            return 0;
        }
        return protocol == 6 ? 20 : protocol == 17 ? 8 : 0;
    }

    /** The smallest IP length this packet can have. */
    int minimumLength() {
        return networkHeaders() + transportHeader();
    }

    byte[] frame() {
        int l2 = vlan ? 18 : 14;
        int length = Math.max(ipLength, minimumLength());
        ByteBuffer b = ByteBuffer.allocate(l2 + length);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2});
        if (vlan) {
            b.putShort((short) 0x8100).putShort((short) 42);
        }
        b.putShort((short) (version() == 4 ? 0x0800 : 0x86dd));
        int nextAfterNetwork = protocol;
        if (version() == 4) {
            b.put((byte) 0x45).put((byte) tos).putShort((short) length).putShort((short) 0x1234);
            int flags = (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | (fragmentOffset & 0x1fff);
            b.putShort((short) flags).put((byte) 64).put((byte) protocol).putShort((short) 0);
            b.put(SOURCE4.toBytes()).put(destination.toBytes());
        } else {
            int first = hopByHop ? 0 : ipv6FragmentHeader() ? 44 : protocol;
            b.putInt(0x60000000 | (tos << 20) | 0x12345)
                    .putShort((short) (length - 40))
                    .put((byte) first)
                    .put((byte) 64);
            b.put(SOURCE6.toBytes()).put(destination.toBytes());
            if (hopByHop) {
                b.put((byte) (ipv6FragmentHeader() ? 44 : protocol))
                        .put((byte) 0)
                        .put(new byte[] {1, 4, 0, 0, 0, 0});
            }
            if (ipv6FragmentHeader()) {
                b.put((byte) protocol)
                        .put((byte) 0)
                        .putShort((short) ((fragmentOffset << 3) | (moreFragments ? 1 : 0)))
                        .putInt(0x0bad);
            }
        }
        if (transportHeader() == 8) {
            b.putShort((short) sourcePort)
                    .putShort((short) destinationPort)
                    .putShort((short) (length - networkHeaders()))
                    .putShort((short) 0);
        } else if (transportHeader() == 20) {
            b.putShort((short) sourcePort)
                    .putShort((short) destinationPort)
                    .putInt(1)
                    .putInt(0)
                    .put((byte) 0x50)
                    .put((byte) tcpFlags)
                    .putShort((short) 1024)
                    .putInt(0);
        }
        return b.array();
    }
}
