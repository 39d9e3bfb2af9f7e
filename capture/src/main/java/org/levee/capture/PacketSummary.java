package org.levee.capture;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import org.levee.ebpf.XdpAction;

/**
 * One line per packet, in the spirit of {@code tcpdump -n}: time, action, then the network and
 * transport layer of an Ethernet frame (VLAN tags skipped), then the length:
 * <pre>
 * 15:09:45.123456789 drop IP 192.0.2.1.40000 > 192.0.2.2.9: UDP, length 60
 * 15:09:45.123460000 pass IP6 2001:db8::1 > 2001:db8::2: ICMP6, length 118
 * </pre>
 * The length is the frame's original length. Truncated headers print what could be read; ports
 * are printed for TCP, UDP and SCTP in IPv4 first fragments and in IPv6 packets whose next
 * header is the transport (extension headers are not followed).
 */
public final class PacketSummary {
    private PacketSummary() {}

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88a8;

    /** The summary line of {@code packet} (captured bytes) seen at {@code epochNanos} in {@code zone}. */
    public static String line(long epochNanos, ZoneId zone, XdpAction action, byte[] packet, int originalLength) {
        Instant at = Instant.ofEpochSecond(
                Math.floorDiv(epochNanos, 1_000_000_000L), Math.floorMod(epochNanos, 1_000_000_000L));
        String time = TIME.format(at.atZone(zone)) + String.format(".%09d", at.getNano());
        return time + " " + ActionNames.label(action) + " " + describe(packet) + ", length " + originalLength;
    }

    /** The protocol part of the line: "IP 192.0.2.1.5 > 192.0.2.2.9: UDP". */
    static String describe(byte[] p) {
        if (p.length < 14) {
            return "truncated Ethernet frame";
        }
        int offset = 12;
        int type = u16(p, offset);
        while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && offset + 6 <= p.length) {
            offset += 4;
            type = u16(p, offset);
        }
        if (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) {
            return "truncated VLAN tag";
        }
        int l3 = offset + 2;
        return switch (type) {
            case ETHERTYPE_IPV4 -> ipv4(p, l3);
            case ETHERTYPE_IPV6 -> ipv6(p, l3);
            case ETHERTYPE_ARP -> "ARP";
            default -> String.format("ethertype 0x%04x", type);
        };
    }

    private static String ipv4(byte[] p, int at) {
        if (p.length < at + 20) {
            return "IP truncated";
        }
        int headerLength = (p[at] & 0x0f) * 4;
        int protocol = p[at + 9] & 0xff;
        String src = address(p, at + 12, 4);
        String dst = address(p, at + 16, 4);
        boolean firstFragment = (u16(p, at + 6) & 0x1fff) == 0;
        return "IP " + transport(p, at + headerLength, protocol, src, dst, firstFragment);
    }

    private static String ipv6(byte[] p, int at) {
        if (p.length < at + 40) {
            return "IP6 truncated";
        }
        int protocol = p[at + 6] & 0xff;
        String src = address(p, at + 8, 16);
        String dst = address(p, at + 24, 16);
        return "IP6 " + transport(p, at + 40, protocol, src, dst, true);
    }

    private static String transport(byte[] p, int at, int protocol, String src, String dst, boolean ports) {
        String name = switch (protocol) {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 1 -> "ICMP";
            case 58 -> "ICMP6";
            case 132 -> "SCTP";
            default -> "proto " + protocol;
        };
        boolean hasPorts = protocol == 6 || protocol == 17 || protocol == 132;
        if (hasPorts && ports && p.length >= at + 4) {
            return src + "." + u16(p, at) + " > " + dst + "." + u16(p, at + 2) + ": " + name;
        }
        return src + " > " + dst + ": " + name;
    }

    private static String address(byte[] p, int at, int length) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(p, at, at + length))
                    .getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + length + " bytes is always valid", e);
        }
    }

    private static int u16(byte[] p, int at) {
        return (p[at] & 0xff) << 8 | (p[at + 1] & 0xff);
    }
}
