package org.levee.lab;

import java.util.random.RandomGenerator;
import org.levee.lab.FrameField.RandomLabel;
import org.levee.lab.FrameField.RandomNumber;
import org.levee.lab.FrameField.RandomSource;
import org.levee.lab.FrameField.RandomSource6;

/**
 * Frames of a {@link FrameRecipe} with every random field drawn in Java, by the same rules as
 * {@link FloodProgram} draws them in the kernel, and both checksums fixed: what the
 * {@link SocketGenerator} sends, from a ring of distinct frames built before the flood starts.
 */
public final class RandomFrames {
    private static final int SOURCE_FIRST_BYTES = 223; // 1..223: no 0/8, multicast or reserved
    private static final int LABEL_ALPHABET = 36; // a–z, 0–9

    private RandomFrames() {}

    /** One frame of {@code recipe}: the template with its fields drawn from {@code random}. */
    public static byte[] draw(FrameRecipe recipe, RandomGenerator random) {
        byte[] frame = recipe.template();
        for (FrameField field : recipe.fields()) {
            switch (field) {
                case RandomNumber n -> put(frame, n.offset(), n.length(), random.nextLong(n.min(), n.max() + 1));
                case RandomSource s -> put(frame, s.offset(), 4, source(s, random));
                case RandomSource6 s -> {
                    int first = random.nextInt() & 0x1fffffff | 0x20000000; // 2000::/3
                    if (first == RandomSource6.DOCUMENTATION) {
                        first ^= 1;
                    }
                    put(frame, s.offset(), 4, first & 0xffffffffL);
                    for (int w = 1; w < 4; w++) {
                        put(frame, s.offset() + 4 * w, 4, random.nextInt() & 0xffffffffL);
                    }
                }
                case RandomLabel l -> {
                    for (int i = 0; i < l.length(); i++) {
                        int c = random.nextInt(LABEL_ALPHABET);
                        frame[l.offset() + i] = (byte) (c < 26 ? 'a' + c : '0' + c - 26);
                    }
                }
            }
        }
        fixChecksums(frame, recipe.l4ChecksumOffset(), recipe.isUdp());
        return frame;
    }

    /** A spoofed source as {@link RandomSource} defines it. */
    static long source(RandomSource s, RandomGenerator random) {
        int first = 1 + random.nextInt(SOURCE_FIRST_BYTES);
        if (first == 127) {
            first = 126; // no loopback
        }
        int address = first << 24 | random.nextInt(1 << 24);
        for (Subnet24 spared : s.spared()) {
            if (address >>> 8 == spared.network()) {
                address ^= 0x100; // into the neighbour /24
            }
        }
        return address & 0xffffffffL;
    }

    private static void put(byte[] frame, int offset, int length, long value) {
        for (int i = length - 1; i >= 0; i--) {
            frame[offset + i] = (byte) value;
            value >>>= 8;
        }
    }

    /**
     * Recomputes the IPv4 header checksum (IPv6 has none) and the TCP/UDP checksum (a UDP sum of
     * 0 is sent as 0xffff).
     */
    static void fixChecksums(byte[] frame, int l4ChecksumAt, boolean udp) {
        int ip = Checksums.IP_OFFSET;
        if (!Checksums.isIpv6(frame)) {
            frame[ip + 10] = 0;
            frame[ip + 11] = 0;
            int ipSum = ~Checksums.fold(Checksums.sumWords(frame, ip, Checksums.L4_OFFSET)) & 0xffff;
            // Words were summed little-endian (see Checksums): the sum goes back the same way.
            frame[ip + 10] = (byte) ipSum;
            frame[ip + 11] = (byte) (ipSum >>> 8);
        }
        frame[l4ChecksumAt] = 0;
        frame[l4ChecksumAt + 1] = 0;
        byte[] pseudo = Checksums.pseudoHeader(frame);
        long sum = Checksums.sumWords(pseudo, 0, pseudo.length)
                + Checksums.sumWords(frame, Checksums.l4Offset(frame), frame.length);
        int l4Sum = ~Checksums.fold(sum) & 0xffff;
        if (udp && l4Sum == 0) {
            l4Sum = 0xffff;
        }
        frame[l4ChecksumAt] = (byte) l4Sum;
        frame[l4ChecksumAt + 1] = (byte) (l4Sum >>> 8);
    }
}
