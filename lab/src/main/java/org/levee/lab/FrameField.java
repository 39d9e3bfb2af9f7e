package org.levee.lab;

import java.util.List;

/**
 * A part of a flood frame that the generator's XDP program rewrites for every packet it sends,
 * from {@code bpf_get_prandom_u32()}. Offsets count from the start of the Ethernet frame.
 */
public sealed interface FrameField {
    /** First byte the field writes. */
    int offset();

    /** How many bytes it writes. */
    int length();

    /**
     * A uniformly drawn integer in [{@code min}, {@code max}], written big-endian in 1, 2 or 4
     * bytes: ports, IP ids, TTLs, DNS ids, TCP sequence numbers, timestamps.
     */
    record RandomNumber(int offset, int length, long min, long max) implements FrameField {
        public RandomNumber {
            if (offset < 0) {
                throw new IllegalArgumentException("random number at offset " + offset + ": offset is negative");
            }
            if (length != 1 && length != 2 && length != 4) {
                throw new IllegalArgumentException(
                        "random number at offset " + offset + ": length " + length + " is not 1, 2 or 4");
            }
            long largest = (1L << (8 * length)) - 1;
            if (min < 0 || max > largest || min > max) {
                throw new IllegalArgumentException("random number at offset " + offset + ": range [" + min + ", " + max
                        + "] does not fit " + length + " bytes (0.." + largest + ") or is empty");
            }
        }

        /** How many distinct values it takes. */
        public long span() {
            return max - min + 1;
        }
    }

    /**
     * A spoofed IPv4 source address: any unicast address in 1.0.0.0–223.255.255.255 except
     * loopback 127/8 and the {@code spared} /24 subnets (the lab's own: a packet from the victim's
     * subnet or from the legitimate clients would be wrong). A drawn 127/8 address becomes 126/8,
     * a drawn address in a spared /24 moves to its neighbour /24 (last bit of the third byte
     * flipped), which must not be spared too.
     */
    record RandomSource(int offset, List<Subnet24> spared) implements FrameField {
        public RandomSource {
            if (offset < 0) {
                throw new IllegalArgumentException("random source at offset " + offset + ": offset is negative");
            }
            spared = List.copyOf(spared);
            for (Subnet24 s : spared) {
                Subnet24 neighbour = new Subnet24(s.network() ^ 1);
                if (spared.contains(neighbour)) {
                    throw new IllegalArgumentException("random source at offset " + offset + ": spared subnets " + s
                            + " and " + neighbour + " are neighbours; an address drawn in one would move to the other");
                }
            }
        }

        @Override
        public int length() {
            return 4;
        }
    }

    /**
     * A spoofed IPv6 source address: any global unicast address (2000::/3) outside 2001:db8::/32,
     * the documentation prefix the lab's own addresses come from (a drawn 2001:db8:… address moves
     * to 2001:db9:…).
     */
    record RandomSource6(int offset) implements FrameField {
        /** The first 32 bits of the lab's prefix, 2001:db8::/32. */
        public static final int DOCUMENTATION = 0x20010db8;

        public RandomSource6 {
            if (offset < 0) {
                throw new IllegalArgumentException("random IPv6 source at offset " + offset + ": offset is negative");
            }
        }

        @Override
        public int length() {
            return 16;
        }
    }

    /** A DNS label of random lowercase letters and digits, as random-subdomain ("water torture") floods use. */
    record RandomLabel(int offset, int length) implements FrameField {
        public RandomLabel {
            if (offset < 0) {
                throw new IllegalArgumentException("random label at offset " + offset + ": offset is negative");
            }
            if (length < 1 || length > 63) {
                throw new IllegalArgumentException("random label at offset " + offset + ": length " + length
                        + " is not a DNS label length (1–63)");
            }
        }
    }
}
