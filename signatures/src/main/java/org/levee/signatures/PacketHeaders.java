package org.levee.signatures;

import static org.levee.cbpf.CbpfInstruction.*;

import org.levee.cbpf.pcap.LinkType;

/**
 * Emits the checks every generator shares: from the link layer to the network layer, and from
 * the network layer to the transport header. Offsets are kept in X so one code path serves
 * tagged and untagged frames and IPv4 headers of any length.
 */
final class PacketHeaders {
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    static final int ETHERTYPE_8021Q = 0x8100;
    static final int ETHERTYPE_8021AD = 0x88a8;
    static final int PROTO_TCP = 6;
    static final int PROTO_UDP = 17;

    private PacketHeaders() {}

    /**
     * Leaves X = offset of the IP header and jumps to {@code ipv4} or {@code ipv6} when the IP
     * version nibble says so (and, on Ethernet, the ethertype agrees); a null target (a version
     * the caller does not handle) and anything else go to {@code reject}.
     */
    static void toNetworkLayer(FilterAssembler asm, LinkType link, Label ipv4, Label ipv6, Label reject) {
        Label v4 = ipv4 == null ? reject : ipv4;
        Label v6 = ipv6 == null ? reject : ipv6;
        switch (link) {
            case EN10MB -> {
                Label tagged = asm.newLabel("vlan");
                Label dispatch = asm.newLabel("ethertype");
                asm.emit(ldAbsH(12));
                asm.jump(JEQ, ETHERTYPE_8021Q, tagged, null);
                asm.jump(JEQ, ETHERTYPE_8021AD, tagged, null);
                asm.emit(ldxImm(14));
                asm.jumpAlways(dispatch);
                asm.bind(tagged);
                asm.emit(ldAbsH(16));
                asm.emit(ldxImm(18));
                asm.bind(dispatch);
                // The ethertype must agree with the IP header's version, as the kernel and p0f insist.
                Label checkV4 = ipv4 == null ? reject : asm.newLabel("ipv4-version");
                Label checkV6 = ipv6 == null ? reject : asm.newLabel("ipv6-version");
                asm.jump(JEQ, ETHERTYPE_IPV4, checkV4, null);
                asm.jump(JEQ, ETHERTYPE_IPV6, checkV6, reject);
                if (ipv4 != null) {
                    asm.bind(checkV4);
                    asm.emit(ldIndB(0));
                    asm.emit(andK(0xf0));
                    asm.jump(JEQ, 0x40, ipv4, reject);
                }
                if (ipv6 != null) {
                    asm.bind(checkV6);
                    asm.emit(ldIndB(0));
                    asm.emit(andK(0xf0));
                    asm.jump(JEQ, 0x60, ipv6, reject);
                }
            }
            case LINUX_SLL -> throw unsupported(link);
            case RAW -> {
                asm.emit(ldxImm(0));
                asm.emit(ldAbsB(0));
                asm.emit(andK(0xf0));
                asm.jump(JEQ, 0x40, v4, null);
                asm.jump(JEQ, 0x60, v6, reject);
            }
        }
    }

    /**
     * With X = IPv4 header offset: rejects anything but {@code protocol}, non-first fragments and
     * headers shorter than 20 bytes, then leaves X = offset of the transport header.
     */
    static void ipv4ToTransport(FilterAssembler asm, int protocol, Label reject) {
        asm.emit(ldIndB(9));
        asm.jump(JEQ, protocol, null, reject);
        asm.emit(ldIndH(6));
        asm.jump(JSET, 0x1fff, reject, null);
        asm.emit(ldIndB(0));
        asm.emit(andK(0x0f));
        asm.jump(JGE, 5, null, reject);
        asm.emit(lshK(2));
        asm.emit(aluX(ADD));
        asm.emit(tax());
    }

    /**
     * With X = IPv6 header offset: rejects anything whose next header is not {@code protocol}
     * (extension headers are not followed), then leaves X = offset of the transport header.
     */
    static void ipv6ToTransport(FilterAssembler asm, int protocol, Label reject) {
        asm.emit(ldIndB(6));
        asm.jump(JEQ, protocol, null, reject);
        asm.emit(txa());
        asm.emit(addK(40));
        asm.emit(tax());
    }

    /**
     * Everything up to a UDP header: the link layer, IPv4 (any header length, not a non-first
     * fragment) or IPv6 (UDP as the next header), UDP, destination port {@code port}. Leaves X =
     * offset of the UDP header; anything else goes to {@code reject}.
     */
    static void toUdpPort(FilterAssembler asm, LinkType link, int port, Label reject) {
        toUdpPort(asm, link, port, false, reject);
    }

    /** Like {@link #toUdpPort(FilterAssembler, LinkType, int, Label)}, testing the source port when {@code source}. */
    static void toUdpPort(FilterAssembler asm, LinkType link, int port, boolean source, Label reject) {
        Label ipv4 = asm.newLabel("ipv4");
        Label ipv6 = asm.newLabel("ipv6");
        Label udp = asm.newLabel("udp");
        toNetworkLayer(asm, link, ipv4, ipv6, reject);
        asm.bind(ipv4);
        ipv4ToTransport(asm, PROTO_UDP, reject);
        asm.jumpAlways(udp);
        asm.bind(ipv6);
        ipv6ToTransport(asm, PROTO_UDP, reject);
        asm.bind(udp);
        asm.emit(ldIndH(source ? 0 : 2));
        asm.jump(JEQ, port, null, reject);
    }

    /** Checks that generated filters can start from {@code link}. */
    static LinkType checkLink(LinkType link) {
        if (link != LinkType.EN10MB && link != LinkType.RAW) {
            throw unsupported(link);
        }
        return link;
    }

    private static SignatureException unsupported(LinkType link) {
        return new SignatureException("link type " + link + " is not supported: use en10mb or raw");
    }

    /** Checks that {@code port} is a port number a filter can match on. */
    static int checkPort(int port) {
        if (port < 0 || port > 0xffff) {
            throw new SignatureException("--port " + port + " is not a port number (0..65535)");
        }
        return port;
    }
}
