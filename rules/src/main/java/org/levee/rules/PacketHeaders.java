package org.levee.rules;

import java.util.Optional;

/**
 * The destination address of an Ethernet frame (untagged, or with up to two VLAN tags), read
 * without a decoder: the rules module needs only this to tell whether a sample lies inside a
 * rule's destinations.
 */
final class PacketHeaders {
    private PacketHeaders() {}

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88a8;

    /** The IPv4 or IPv6 destination of {@code frame}; empty when it is not IP or is cut short. */
    static Optional<IpAddress> destination(byte[] frame) {
        int offset = 12;
        for (int tags = 0; tags <= 2; tags++) {
            if (frame.length < offset + 2) {
                return Optional.empty();
            }
            int type = ((frame[offset] & 0xff) << 8) | (frame[offset + 1] & 0xff);
            int ip = offset + 2;
            if (type == ETHERTYPE_IPV4 && frame.length >= ip + 20) {
                byte[] a = new byte[4];
                System.arraycopy(frame, ip + 16, a, 0, 4);
                return Optional.of(IpAddress.fromBytes(a));
            }
            if (type == ETHERTYPE_IPV6 && frame.length >= ip + 40) {
                byte[] a = new byte[16];
                System.arraycopy(frame, ip + 24, a, 0, 16);
                return Optional.of(IpAddress.fromBytes(a));
            }
            if (type != ETHERTYPE_VLAN && type != ETHERTYPE_QINQ) {
                return Optional.empty();
            }
            offset += 4;
        }
        return Optional.empty();
    }
}
