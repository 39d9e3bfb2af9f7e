package org.levee.detector.sample;

import static org.levee.detector.sample.DecodedPacket.ABSENT;

import org.levee.rules.IpAddress;
import org.levee.rules.Sample;

/**
 * Decodes a sample's bytes: Ethernet, up to two VLAN tags (802.1Q, 802.1ad), IPv4 with options,
 * IPv6 with extension headers, fragments, TCP, UDP, ICMP. It never throws on arbitrary bytes: a
 * packet that is not IP, or whose IP header is cut short or malformed, decodes to null, and a
 * field past the captured prefix is absent.
 */
public final class SampleDecoder {

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88a8;

    private SampleDecoder() {}

    /** Decodes {@code sample}'s bytes, or returns null when they are not an IP packet. */
    public static DecodedPacket decode(Sample sample) {
        return decode(sample.packet(), sample.wireLength());
    }

    /** Decodes an Ethernet frame, or returns null when it is not an IP packet. */
    public static DecodedPacket decode(byte[] p, int wireLength) {
        if (p.length < 14) {
            return null;
        }
        int at = 12;
        int etherType = u16(p, at);
        for (int tags = 0; tags < 2 && (etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ); tags++) {
            at += 4;
            if (at + 2 > p.length) {
                return null;
            }
            etherType = u16(p, at);
        }
        int network = at + 2;
        if (etherType == ETHERTYPE_IPV4) {
            return ipv4(p, wireLength, network);
        }
        if (etherType == ETHERTYPE_IPV6) {
            return ipv6(p, wireLength, network);
        }
        return null;
    }

    private static DecodedPacket ipv4(byte[] p, int wireLength, int ip) {
        if (ip + 20 > p.length || (p[ip] & 0xf0) != 0x40) {
            return null;
        }
        int headerLength = (p[ip] & 0x0f) * 4;
        int totalLength = u16(p, ip + 2);
        if (headerLength < 20 || totalLength < headerLength) {
            return null;
        }
        int fragmentField = u16(p, ip + 6);
        int fragmentOffset = fragmentField & 0x1fff;
        boolean moreFragments = (fragmentField & 0x2000) != 0;
        int protocol = p[ip + 9] & 0xff;
        IpAddress source = IpAddress.ipv4(i32(p, ip + 12));
        IpAddress destination = IpAddress.ipv4(i32(p, ip + 16));
        int transport = fragmentOffset == 0 && ip + headerLength <= p.length ? ip + headerLength : ABSENT;
        int end = Math.min(p.length, ip + totalLength);
        return transport(
                p,
                wireLength,
                4,
                source,
                destination,
                protocol,
                p[ip + 8] & 0xff,
                totalLength,
                u16(p, ip + 4),
                (fragmentField & 0x4000) != 0 ? 1 : 0,
                fragmentOffset != 0,
                moreFragments || fragmentOffset != 0,
                transport,
                end);
    }

    private static DecodedPacket ipv6(byte[] p, int wireLength, int ip) {
        if (ip + 40 > p.length || (p[ip] & 0xf0) != 0x60) {
            return null;
        }
        int payloadLength = u16(p, ip + 4);
        IpAddress source = IpAddress.ipv6(i64(p, ip + 8), i64(p, ip + 16));
        IpAddress destination = IpAddress.ipv6(i64(p, ip + 24), i64(p, ip + 32));
        int next = p[ip + 6] & 0xff;
        int at = ip + 40;
        boolean extensions = false;
        boolean laterFragment = false;
        boolean fragment = false;
        // Walk hop-by-hop, routing, fragment and destination options headers (at most 8).
        for (int i = 0; i < 8 && (next == 0 || next == 43 || next == 44 || next == 60); i++) {
            extensions = true;
            if (at + 8 > p.length) {
                next = ABSENT;
                break;
            }
            if (next == 44) {
                fragment = true;
                laterFragment = (u16(p, at + 2) & 0xfff8) != 0;
                next = p[at] & 0xff;
                at += 8;
            } else {
                int nextNext = p[at] & 0xff;
                at += 8 + (p[at + 1] & 0xff) * 8;
                next = nextNext;
            }
        }
        // Transport fields are only offered when the transport header follows the fixed header,
        // where a filter expression finds it (ip6[40 + ...]).
        int transport = !extensions && at <= p.length ? at : ABSENT;
        int end = Math.min(p.length, ip + 40 + payloadLength);
        return transport(
                p,
                wireLength,
                6,
                source,
                destination,
                next,
                p[ip + 7] & 0xff,
                payloadLength + 40,
                ABSENT,
                ABSENT,
                laterFragment,
                fragment,
                transport,
                end);
    }

    private static DecodedPacket transport(
            byte[] p,
            int wireLength,
            int version,
            IpAddress source,
            IpAddress destination,
            int protocol,
            int ttl,
            int ipLength,
            int ipId,
            int dontFragment,
            boolean laterFragment,
            boolean fragment,
            int transport,
            int end) {
        int sourcePort = ABSENT;
        int destinationPort = ABSENT;
        int tcpFlags = ABSENT;
        int tcpWindow = ABSENT;
        long payloadPrefix = ABSENT;
        int transportOffset = ABSENT;
        TrafficClass trafficClass;
        if (laterFragment) {
            trafficClass = TrafficClass.FRAGMENT;
        } else if (protocol == DecodedPacket.TCP) {
            trafficClass = TrafficClass.TCP_OTHER;
            if (transport >= 0 && transport + 20 <= end) {
                transportOffset = transport;
                sourcePort = u16(p, transport);
                destinationPort = u16(p, transport + 2);
                tcpFlags = p[transport + 13] & 0xff;
                tcpWindow = u16(p, transport + 14);
                if ((tcpFlags & 0x12) == 0x02) {
                    trafficClass = TrafficClass.TCP_SYN;
                }
                int headerLength = (p[transport + 12] & 0xf0) >>> 2;
                if (headerLength >= 20 && transport + headerLength + 4 <= end) {
                    payloadPrefix = i32(p, transport + headerLength) & 0xffffffffL;
                }
            }
        } else if (protocol == DecodedPacket.UDP) {
            trafficClass = TrafficClass.UDP;
            if (transport >= 0 && transport + 8 <= end) {
                transportOffset = transport;
                sourcePort = u16(p, transport);
                destinationPort = u16(p, transport + 2);
                if (transport + 12 <= end) {
                    payloadPrefix = i32(p, transport + 8) & 0xffffffffL;
                }
            }
        } else if (protocol == (version == 4 ? DecodedPacket.ICMP : DecodedPacket.ICMPV6)) {
            trafficClass = TrafficClass.ICMP;
        } else {
            trafficClass = fragment && protocol == ABSENT ? TrafficClass.FRAGMENT : TrafficClass.OTHER;
        }
        return new DecodedPacket(
                p,
                wireLength,
                version,
                source,
                destination,
                protocol,
                trafficClass,
                ttl,
                ipLength,
                ipId,
                dontFragment,
                sourcePort,
                destinationPort,
                tcpFlags,
                tcpWindow,
                payloadPrefix,
                transportOffset);
    }

    private static int u16(byte[] p, int at) {
        return ((p[at] & 0xff) << 8) | (p[at + 1] & 0xff);
    }

    private static int i32(byte[] p, int at) {
        return ((p[at] & 0xff) << 24) | ((p[at + 1] & 0xff) << 16) | ((p[at + 2] & 0xff) << 8) | (p[at + 3] & 0xff);
    }

    private static long i64(byte[] p, int at) {
        return ((long) i32(p, at) << 32) | (i32(p, at + 4) & 0xffffffffL);
    }
}
