package org.levee.lab;

/**
 * Internet checksums (RFC 1071) of IPv4 frames: Ethernet (14 bytes) + IPv4 without options +
 * TCP/UDP. Sums are taken over 16-bit words read little-endian, as a BPF program on x86 or arm64
 * reads them with a half-word load; the one's-complement sum is byte-order independent, so a
 * checksum stored little-endian from that sum is the right network-order checksum.
 */
public final class Checksums {
    /** Where the IPv4 header starts in an Ethernet frame. */
    public static final int IP_OFFSET = 14;
    /** Where TCP/UDP starts: the IPv4 header has no options in the lab's frames. */
    public static final int L4_OFFSET = 34;
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

    /** The offset of the TCP or UDP checksum field in {@code frame}, by the IPv4 protocol byte. */
    public static int l4ChecksumOffset(byte[] frame) {
        int protocol = frame[IP_OFFSET + 9] & 0xff;
        return switch (protocol) {
            case PROTOCOL_TCP -> L4_OFFSET + 16;
            case PROTOCOL_UDP -> L4_OFFSET + 6;
            default -> throw new IllegalArgumentException("IPv4 protocol " + protocol + " at byte " + (IP_OFFSET + 9)
                    + " is neither TCP (6) nor UDP (17)");
        };
    }

    /** The IPv4 total length field, big-endian at bytes 16–17. */
    public static int ipTotalLength(byte[] frame) {
        return (frame[IP_OFFSET + 2] & 0xff) << 8 | frame[IP_OFFSET + 3] & 0xff;
    }

    /** The TCP/UDP pseudo-header (source, destination, zero, protocol, L4 length) of {@code frame}. */
    public static byte[] pseudoHeader(byte[] frame) {
        int l4Length = ipTotalLength(frame) - 20;
        byte[] pseudo = new byte[12];
        System.arraycopy(frame, IP_OFFSET + 12, pseudo, 0, 8);
        pseudo[9] = frame[IP_OFFSET + 9];
        pseudo[10] = (byte) (l4Length >> 8);
        pseudo[11] = (byte) l4Length;
        return pseudo;
    }

    /** True when the IPv4 header checksum of {@code frame} is right (the words including it sum to 0xffff). */
    public static boolean ipHeaderValid(byte[] frame) {
        return fold(sumWords(frame, IP_OFFSET, L4_OFFSET)) == 0xffff;
    }

    /**
     * True when the TCP/UDP checksum is right over the whole segment; a UDP checksum of zero means
     * "none" and is valid. {@code frame} must hold the whole IP packet.
     */
    public static boolean l4Valid(byte[] frame) {
        int end = IP_OFFSET + ipTotalLength(frame);
        if (end > frame.length) {
            throw new IllegalArgumentException("frame of " + frame.length + " bytes is shorter than its IPv4 total length says ("
                    + end + " bytes with Ethernet)");
        }
        int checksumOffset = l4ChecksumOffset(frame);
        if (frame[IP_OFFSET + 9] == PROTOCOL_UDP && frame[checksumOffset] == 0 && frame[checksumOffset + 1] == 0) {
            return true;
        }
        return fold(sumWords(pseudoHeader(frame), 0, 12) + sumWords(frame, L4_OFFSET, end)) == 0xffff;
    }
}
