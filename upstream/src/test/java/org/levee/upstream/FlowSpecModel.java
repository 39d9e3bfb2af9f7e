package org.levee.upstream;

import java.util.Arrays;
import org.levee.rules.IpAddress;

/**
 * What a router applying a FlowSpec route does with a packet, written from RFC 8955 §4.2.2 and RFC
 * 8956 §3 independently of the translator: the packet's fields are read from its bytes (behind any
 * VLAN tag: routers see IP packets), and each component tested on them. A packet without the
 * field a component needs (ports of a later fragment or of ICMP, TCP flags of UDP) does not match
 * it.
 */
final class FlowSpecModel {
    private FlowSpecModel() {}

    static boolean matches(FlowSpecNlri nlri, byte[] frame) {
        int at = 12;
        int type = u16(frame, at);
        if (type == 0x8100) {
            at += 4;
            type = u16(frame, at);
        }
        int ip = at + 2;
        long protocol;
        long length;
        long dscp;
        int fragmentFlags;
        IpAddress destination;
        int transport;
        if (type == 0x0800) {
            if (nlri.ipVersion() != 4) {
                return false;
            }
            int ihl = (frame[ip] & 0x0f) * 4;
            dscp = (frame[ip + 1] & 0xff) >> 2;
            length = u16(frame, ip + 2);
            int flags = u16(frame, ip + 6);
            boolean offsetZero = (flags & 0x1fff) == 0;
            fragmentFlags = TcpdumpSubset.fragmentFlags((flags & 0x4000) != 0, (flags & 0x2000) != 0, offsetZero);
            protocol = frame[ip + 9] & 0xff;
            destination = IpAddress.fromBytes(Arrays.copyOfRange(frame, ip + 16, ip + 20));
            transport = offsetZero ? ip + ihl : -1;
        } else if (type == 0x86dd) {
            if (nlri.ipVersion() != 6) {
                return false;
            }
            dscp = ((u16(frame, ip) >> 4) & 0xff) >> 2;
            length = u16(frame, ip + 4) + 40L;
            destination = IpAddress.fromBytes(Arrays.copyOfRange(frame, ip + 24, ip + 40));
            int next = frame[ip + 6] & 0xff;
            int header = ip + 40;
            fragmentFlags = 0;
            transport = -2;
            while (transport == -2) {
                switch (next) {
                    case 0, 43, 60 -> {
                        next = frame[header] & 0xff;
                        header += ((frame[header + 1] & 0xff) + 1) * 8;
                    }
                    case 44 -> {
                        int offsetAndM = u16(frame, header + 2);
                        boolean offsetZero = (offsetAndM >> 3) == 0;
                        boolean more = (offsetAndM & 1) != 0;
                        fragmentFlags = TcpdumpSubset.fragmentFlags(false, more, offsetZero);
                        next = frame[header] & 0xff;
                        header += 8;
                        if (!offsetZero) {
                            transport = -1;
                        }
                    }
                    default -> transport = header;
                }
            }
            protocol = next;
        } else {
            return false;
        }
        if (!nlri.destination().contains(destination)) {
            return false;
        }
        boolean ports = transport >= 0 && (protocol == 6 || protocol == 17);
        for (FlowSpecComponent c : nlri.components()) {
            boolean ok = switch (c.type()) {
                case PROTOCOL -> c.test(protocol);
                case SOURCE_PORT -> ports && c.test(u16(frame, transport));
                case DESTINATION_PORT -> ports && c.test(u16(frame, transport + 2));
                case TCP_FLAGS -> ports && protocol == 6 && c.test(frame[transport + 13] & 0xff);
                case PACKET_LENGTH -> c.test(length);
                case DSCP -> c.test(dscp);
                case FRAGMENT -> c.test(fragmentFlags);
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }
}
