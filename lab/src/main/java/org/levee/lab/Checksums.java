package org.levee.lab;

/**
 * Internet checksums (RFC 1071) of the lab's frames: Ethernet (14 bytes), then IPv4 without
 * options or IPv6 without extension headers, then TCP or UDP. Sums are taken over 16-bit words read little-endian, as a BPF program on x86 or arm64
 * reads them with a half-word load; the one's-complement sum is byte-order independent, so a
 * checksum stored little-endian from that sum is the right network-order checksum.
 */
public final class Checksums {
    /** Where the IPv4 header starts in an Ethernet frame. */
    public static final int IP_OFFSET = 14;
    /** Where TCP/UDP starts in an IPv4 frame: the IPv4 header has no options in the lab's frames. */
    public static final int L4_OFFSET = 34;
    /** Where TCP/UDP starts in an IPv6 frame: no extension headers in the lab's frames. */
    public static final int L4_OFFSET_V6 = 54;

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_IPV6 = 0x86dd;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    private Checksums() {}

    /** Sum of the little-endian 16-bit words of {@code bytes[from, to)}; an odd last byte is padded with zero. */
    public static long sumWords(byte[] bytes, int from, int to) {
        long sum = 0;
        for (int i = from; i < to; i += 2) {
            int low = bytes[i] & 0xff;
            int high = i + 1 < to ? bytes[i + 1] & 0xff : 0;
            sum += low | high << 8;
        }
        return sum;
    }

    /** Folds a sum of words into 16 bits with end-around carry. */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** True when {@code frame}'s EtherType (bytes 12–13) is IPv6; false for anything else (IPv4). */
    public static boolean isIpv6(byte[] frame) {
        return ((frame[12] & 0xff) << 8 | frame[13] & 0xff) == ETHERTYPE_IPV6;
    }

    /** Where TCP/UDP starts in {@code frame}. */
    public static int l4Offset(byte[] frame) {
        return isIpv6(frame) ? L4_OFFSET_V6 : L4_OFFSET;
    }

    /** The IPv4 protocol or IPv6 next-header byte. */
    public static int protocol(byte[] frame) {
        return frame[isIpv6(frame) ? IP_OFFSET + 6 : IP_OFFSET + 9] & 0xff;
    }

    /** Where the IPv4 protocol or IPv6 next-header byte is. */
    public static int protocolOffset(byte[] frame) {
        return isIpv6(frame) ? IP_OFFSET + 6 : IP_OFFSET + 9;
    }

    /** Where the source address starts (4 bytes for IPv4, 16 for IPv6; the destination follows it). */
    public static int sourceOffset(byte[] frame) {
        return isIpv6(frame) ? IP_OFFSET + 8 : IP_OFFSET + 12;
    }

    /** The offset of the TCP or UDP checksum field in {@code frame}, by the protocol (next-header) byte. */
    public static int l4ChecksumOffset(byte[] frame) {
        int protocol = protocol(frame);
        return switch (protocol) {
            case PROTOCOL_TCP -> l4Offset(frame) + 16;
            case PROTOCOL_UDP -> l4Offset(frame) + 6;
            default ->
                throw new IllegalArgumentException((isIpv6(frame) ? "IPv6 next header " : "IPv4 protocol ") + protocol
                        + " at byte " + protocolOffset(frame) + " is neither TCP (6) nor UDP (17)");
        };
    }

    /** The IP packet's length: IPv4's total length field (bytes 16–17), or 40 plus IPv6's payload length (bytes 18–19). */
    public static int ipTotalLength(byte[] frame) {
        int field = (frame[IP_OFFSET + 2] & 0xff) << 8 | frame[IP_OFFSET + 3] & 0xff;
        if (isIpv6(frame)) {
            return 40 + ((frame[IP_OFFSET + 4] & 0xff) << 8 | frame[IP_OFFSET + 5] & 0xff);
        }
        return field;
    }

    /**
     * The TCP/UDP pseudo-header of {@code frame}: for IPv4 source, destination, zero, protocol,
     * L4 length (12 bytes); for IPv6 source, destination, 32-bit L4 length, three zeros, next
     * header (40 bytes). Its address bytes sit at {@link #sourceOffset} in the frame.
     */
    public static byte[] pseudoHeader(byte[] frame) {
        int l4Length = IP_OFFSET + ipTotalLength(frame) - l4Offset(frame);
        if (isIpv6(frame)) {
            byte[] pseudo = new byte[40];
            System.arraycopy(frame, sourceOffset(frame), pseudo, 0, 32);
            pseudo[34] = (byte) (l4Length >> 8);
            pseudo[35] = (byte) l4Length;
            pseudo[39] = (byte) protocol(frame);
            return pseudo;
        }
        byte[] pseudo = new byte[12];
        System.arraycopy(frame, sourceOffset(frame), pseudo, 0, 8);
        pseudo[9] = (byte) protocol(frame);
        pseudo[10] = (byte) (l4Length >> 8);
        pseudo[11] = (byte) l4Length;
        return pseudo;
    }

    /**
     * True when the IPv4 header checksum of {@code frame} is right (the words including it sum to
     * 0xffff); IPv6 has no header checksum, so always true there.
     */
    public static boolean ipHeaderValid(byte[] frame) {
        return isIpv6(frame) || fold(sumWords(frame, IP_OFFSET, L4_OFFSET)) == 0xffff;
    }

    /**
     * True when the TCP/UDP checksum is right over the whole segment; a UDP checksum of zero means
     * "none" and is valid. {@code frame} must hold the whole IP packet.
     */
    public static boolean l4Valid(byte[] frame) {
        int end = IP_OFFSET + ipTotalLength(frame);
        if (end > frame.length) {
            throw new IllegalArgumentException("frame of " + frame.length
                    + " bytes is shorter than its IPv4 total length says (" + end + " bytes with Ethernet)");
        }
        int checksumOffset = l4ChecksumOffset(frame);
        if (!isIpv6(frame)
                && protocol(frame) == PROTOCOL_UDP
                && frame[checksumOffset] == 0
                && frame[checksumOffset + 1] == 0) {
            return true; // IPv6 has no "no checksum" for UDP
        }
        byte[] pseudo = pseudoHeader(frame);
        return fold(sumWords(pseudo, 0, pseudo.length) + sumWords(frame, l4Offset(frame), end)) == 0xffff;
    }
}
