package org.levee.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.levee.lab.FrameField.RandomLabel;
import org.levee.lab.FrameField.RandomNumber;
import org.levee.lab.FrameField.RandomSource;

/** Checks a captured flood frame (possibly cut to {@link EdgeTap#SNAP} bytes) against what its kind promises. */
final class FloodFrameAssert {
    private FloodFrameAssert() {}

    static Inet4Address source(byte[] frame) {
        try {
            return (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(frame, 26, 30));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static void matches(FrameRecipe recipe, FloodPath path, byte[] frame) {
        if (recipe.isIpv6()) {
            matches6(recipe, path, frame);
            return;
        }
        FloodKind kind = recipe.kind();
        ByteBuffer f = ByteBuffer.wrap(frame);
        assertThat(Arrays.copyOfRange(frame, 0, 6))
                .as("%s destination MAC", kind)
                .isEqualTo(path.destinationMac().bytes());
        assertThat(Arrays.copyOfRange(frame, 6, 12))
                .as("%s source MAC", kind)
                .isEqualTo(path.sourceMac().bytes());
        assertThat(f.getShort(12)).as("%s EtherType", kind).isEqualTo((short) 0x0800);
        assertThat(Checksums.ipHeaderValid(frame))
                .as("%s IPv4 header checksum", kind)
                .isTrue();
        assertThat(Checksums.ipTotalLength(frame)).as("%s IPv4 length", kind).isEqualTo(recipe.frameLength() - 14);
        assertThat(Arrays.copyOfRange(frame, 30, 34))
                .as("%s destination", kind)
                .isEqualTo(path.victim().getAddress());
        for (Subnet24 spared : path.spared()) {
            assertThat(spared.contains(source(frame)))
                    .as("%s source %s in %s", kind, source(frame), spared)
                    .isFalse();
        }
        if (frame.length >= recipe.frameLength()) {
            assertThat(Checksums.l4Valid(frame)).as("%s TCP/UDP checksum", kind).isTrue();
        }
        int sourcePort = f.getShort(34) & 0xffff;
        int destinationPort = f.getShort(36) & 0xffff;
        int ttl = frame[22] & 0xff;
        switch (kind) {
            case SYN_FLOOD -> {
                assertThat(frame[23]).as("protocol").isEqualTo((byte) 6);
                assertThat(ttl).as("SYN TTL").isEqualTo(FloodFrames.SYN_TTL);
                assertThat(destinationPort).isEqualTo(FloodFrames.SYN_PORT);
                assertThat(frame[47]).as("TCP flags").isEqualTo((byte) 0x02);
                assertThat(f.getShort(48) & 0xffff).as("window").isEqualTo(FloodFrames.SYN_WINDOW);
                assertThat(Arrays.copyOfRange(frame, 54, 60))
                        .as("MSS and SACK-permitted options")
                        .containsExactly(2, 4, 5, (byte) 0xb4, 4, 2);
                assertThat(Arrays.copyOfRange(frame, 60, 62))
                        .as("timestamp option kind and length")
                        .containsExactly(8, 10);
                assertThat(f.getInt(66)).as("timestamp echo reply").isZero();
                assertThat(f.getInt(42)).as("acknowledgement number").isZero();
                assertThat(Arrays.copyOfRange(frame, 70, 74))
                        .as("NOP, window scale")
                        .containsExactly(1, 3, 3, FloodFrames.SYN_WINDOW_SCALE);
            }
            case DNS_AMPLIFICATION -> {
                assertThat(sourcePort).isEqualTo(53);
                assertThat(destinationPort).isGreaterThanOrEqualTo(1024);
                assertThat(f.getShort(44) & 0xffff).as("DNS flags: response").isEqualTo(0x8180);
                assertThat(f.getShort(48)).as("answers").isEqualTo((short) FloodFrames.DNS_AMPLIFICATION_ANSWERS);
                assertThat(ascii(frame, 55, 62)).isEqualTo("example");
            }
            case MEMCACHED_AMPLIFICATION -> {
                assertThat(sourcePort).isEqualTo(11211);
                assertThat(ascii(frame, 50, 56)).isEqualTo("VALUE ");
            }
            case DNS_RANDOM_SUBDOMAIN -> {
                assertThat(destinationPort).isEqualTo(53);
                assertThat(f.getShort(44) & 0xffff).as("DNS flags: query").isEqualTo(0x0100);
                assertThat(frame[54]).as("label length").isEqualTo((byte) FloodFrames.RANDOM_LABEL_LENGTH);
                assertThat(ascii(frame, 55, 67)).matches("[a-z0-9]{12}");
                assertThat(ascii(frame, 67, 82)).isEqualTo("\u0006victim\u0007example");
            }
            case SYN_FLOOD_V6, UDP_RANDOM_PORTS_V6 -> throw new AssertionError(kind + " frame with an IPv4 header");
            case UDP_RANDOM_PORTS -> {
                assertThat(frame[23]).as("protocol").isEqualTo((byte) 17);
                assertThat(destinationPort).isBetween(1, 65535);
            }
        }
        if (kind != FloodKind.SYN_FLOOD && kind != FloodKind.UDP_RANDOM_PORTS) {
            assertThat(ttl).as("reflector TTL").isBetween(40, 60);
        }
    }

    /** An IPv6 flood frame: addresses, next header, hop limit, checksum and the kind's fixed fields. */
    static void matches6(FrameRecipe recipe, FloodPath path, byte[] frame) {
        FloodKind kind = recipe.kind();
        ByteBuffer f = ByteBuffer.wrap(frame);
        assertThat(Arrays.copyOfRange(frame, 0, 6))
                .as("%s destination MAC", kind)
                .isEqualTo(path.destinationMac().bytes());
        assertThat(f.getShort(12)).as("%s EtherType", kind).isEqualTo((short) 0x86dd);
        assertThat(frame[14] & 0xf0).as("%s IP version", kind).isEqualTo(0x60);
        assertThat(Checksums.ipTotalLength(frame)).as("%s IPv6 length", kind).isEqualTo(recipe.frameLength() - 14);
        assertThat(Arrays.copyOfRange(frame, 38, 54))
                .as("%s destination", kind)
                .isEqualTo(path.victim6().getAddress());
        assertThat(frame[21] & 0xff).as("%s hop limit", kind).isEqualTo(64);
        if (frame.length >= recipe.frameLength()) {
            assertThat(Checksums.l4Valid(frame)).as("%s TCP/UDP checksum", kind).isTrue();
        }
        int destinationPort = f.getShort(56) & 0xffff;
        switch (kind) {
            case SYN_FLOOD_V6 -> {
                assertThat(frame[20]).as("next header").isEqualTo((byte) 6);
                assertThat(destinationPort).isEqualTo(FloodFrames.SYN_PORT);
                assertThat(frame[67]).as("TCP flags").isEqualTo((byte) 0x02);
                assertThat(f.getShort(68) & 0xffff).as("window").isEqualTo(FloodFrames.SYN_WINDOW);
            }
            case UDP_RANDOM_PORTS_V6 -> {
                assertThat(frame[20]).as("next header").isEqualTo((byte) 17);
                assertThat(destinationPort).isBetween(1, 65535);
            }
            default -> throw new AssertionError(kind + " frame with an IPv6 header");
        }
    }

    /** The IPv6 source address of {@code frame} as text. */
    static String source6(byte[] frame) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(frame, 22, 38)).getHostAddress();
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static String ascii(byte[] frame, int from, int to) {
        return new String(frame, from, to - from, StandardCharsets.ISO_8859_1);
    }

    /**
     * Frames of {@code recipe} are the template outside their random fields, have valid
     * checksums, keep every random field in its range, and vary it.
     */
    static void randomFieldsAsSpecified(FrameRecipe recipe, FloodPath path, List<byte[]> frames) throws Exception {
        FloodKind kind = recipe.kind();
        byte[] template = recipe.template();
        int runs = frames.size();
        Set<Integer> randomBytes = new HashSet<>();
        for (FrameField f : recipe.fields()) {
            for (int b = f.offset(); b < f.offset() + f.length(); b++) {
                randomBytes.add(b);
            }
        }
        for (byte[] frame : frames) {
            assertThat(frame).hasSameSizeAs(template);
            assertThat(Checksums.ipHeaderValid(frame))
                    .as("IPv4 header checksum of %s", kind)
                    .isTrue();
            assertThat(Checksums.l4Valid(frame))
                    .as("TCP/UDP checksum of %s", kind)
                    .isTrue();
            int ipChecksum = Checksums.IP_OFFSET + 10;
            int l4Checksum = recipe.l4ChecksumOffset();
            for (int b = 0; b < frame.length; b++) {
                if (!randomBytes.contains(b)
                        && b != ipChecksum
                        && b != ipChecksum + 1
                        && b != l4Checksum
                        && b != l4Checksum + 1) {
                    assertThat(frame[b])
                            .as("%s byte %d outside the random fields", kind, b)
                            .isEqualTo(template[b]);
                }
            }
            for (FrameField f : recipe.fields()) {
                checkInRange(kind, f, frame, path);
            }
        }
        for (FrameField f : recipe.fields()) {
            Set<Long> values = new HashSet<>();
            frames.forEach(frame -> values.add(value(frame, f.offset(), Math.min(f.length(), 8))));
            assertThat(values.size())
                    .as("distinct values of %s field %s in %d frames", kind, f, runs)
                    .isGreaterThan(f instanceof RandomNumber n && n.span() < 100 ? (int) n.span() / 2 : runs * 9 / 10);
        }
    }

    private static void checkInRange(FloodKind kind, FrameField f, byte[] frame, FloodPath path) throws Exception {
        switch (f) {
            case RandomNumber n ->
                assertThat(value(frame, n.offset(), n.length()))
                        .as("%s %s", kind, n)
                        .isBetween(n.min(), n.max());
            case RandomSource s -> {
                byte[] a = java.util.Arrays.copyOfRange(frame, s.offset(), s.offset() + 4);
                Inet4Address source = (Inet4Address) InetAddress.getByAddress(a);
                int first = a[0] & 0xff;
                assertThat(first)
                        .as("first byte of source %s", source)
                        .isBetween(1, 223)
                        .isNotEqualTo(127);
                for (Subnet24 spared : path.spared()) {
                    assertThat(spared.contains(source))
                            .as("%s in spared %s", source, spared)
                            .isFalse();
                }
            }
            case FrameField.RandomSource6 s -> {
                long first = value(frame, s.offset(), 4);
                assertThat(first >>> 29).as("%s source in 2000::/3", kind).isEqualTo(1L);
                assertThat(first).as("%s source outside 2001:db8::/32", kind).isNotEqualTo(0x20010db8L);
            }
            case RandomLabel l -> {
                for (int b = l.offset(); b < l.offset() + l.length(); b++) {
                    char c = (char) (frame[b] & 0xff);
                    assertThat(Character.isLowerCase(c) || Character.isDigit(c))
                            .as("label character '%s'", c)
                            .isTrue();
                }
            }
        }
    }

    static long value(byte[] frame, int offset, int length) {
        long v = 0;
        for (int i = 0; i < length; i++) {
            v = v << 8 | (frame[offset + i] & 0xff);
        }
        return v;
    }
}
