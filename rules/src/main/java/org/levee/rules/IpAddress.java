package org.levee.rules;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as two longs, so that it is cheap to hash and compare. IPv4 addresses
 * live in the low 32 bits of {@code low}, with {@code high} zero.
 *
 * @param version 4 or 6
 * @param high the first 64 bits of an IPv6 address, 0 for IPv4
 * @param low the last 64 bits of an IPv6 address, or the IPv4 address (unsigned)
 */
public record IpAddress(int version, long high, long low) {

    public IpAddress {
        if (version != 4 && version != 6) {
            throw new IllegalArgumentException("IP version must be 4 or 6, not " + version);
        }
        if (version == 4 && (high != 0 || (low >>> 32) != 0)) {
            throw new IllegalArgumentException("IPv4 address does not fit in 32 bits");
        }
    }

    /**
     * Mixes every bit of the address into the hash (the finaliser of MurmurHash3): real address
     * sets are clustered (.1 to .20 of many /24s), and a plain sum of the fields leaves most of
     * a hash table's buckets empty.
     */
    @Override
    public int hashCode() {
        long h = high * 0x9e3779b97f4a7c15L ^ low ^ version;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress a && a.low == low && a.high == high && a.version == version;
    }

    public static IpAddress ipv4(int address) {
        return new IpAddress(4, 0, address & 0xffffffffL);
    }

    public static IpAddress ipv6(long high, long low) {
        return new IpAddress(6, high, low);
    }

    /** The longest literal: an IPv6 address with an embedded IPv4 one. */
    private static final int MAX_LITERAL = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255".length();
    /** Four dotted numbers, or hex digits, dots and colons with a colon (the JDK reads those as IPv6 only). */
    private static final java.util.regex.Pattern LITERAL =
            java.util.regex.Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F.]*:[0-9a-fA-F:.]*");

    /**
     * True when the JDK will read {@code text} as an address literal, without asking DNS: four
     * dotted numbers ("1.2.3" would be 1.2.0.3, and "cafe" or "add.bad" are host names), or an IPv6
     * literal. Linear in the length, which is checked first.
     */
    static boolean isLiteral(String text) {
        return text.length() <= MAX_LITERAL && LITERAL.matcher(text).matches();
    }

    /** Parses a literal address ("192.0.2.1", "2001:db8::1"); never resolves names. */
    public static IpAddress parse(String text) {
        if (text == null || !isLiteral(text)) {
            throw new IllegalArgumentException("not an IP address literal: '" + text + "'");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: '" + text + "'", e);
        }
        return fromBytes(bytes);
    }

    /** An address from its 4 or 16 network-order bytes. */
    public static IpAddress fromBytes(byte[] bytes) {
        if (bytes.length == 4) {
            return ipv4(((bytes[0] & 0xff) << 24)
                    | ((bytes[1] & 0xff) << 16)
                    | ((bytes[2] & 0xff) << 8)
                    | (bytes[3] & 0xff));
        }
        if (bytes.length == 16) {
            return ipv6(longAt(bytes, 0), longAt(bytes, 8));
        }
        throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
    }

    private static long longAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    /** The address's bits in network order. */
    public byte[] toBytes() {
        if (version == 4) {
            return new byte[] {(byte) (low >>> 24), (byte) (low >>> 16), (byte) (low >>> 8), (byte) low};
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return b;
    }

    public int bitLength() {
        return version == 4 ? 32 : 128;
    }

    /** This address with every bit after the first {@code length} cleared. */
    public IpAddress mask(int length) {
        if (length < 0 || length > bitLength()) {
            throw new IllegalArgumentException(
                    "prefix length " + length + " out of range 0.." + bitLength() + " for " + this);
        }
        if (version == 4) {
            long m = length == 0 ? 0 : (0xffffffffL << (32 - length)) & 0xffffffffL;
            return new IpAddress(4, 0, low & m);
        }
        long h = length >= 64 ? high : length == 0 ? 0 : high & (-1L << (64 - length));
        long l = length <= 64 ? 0 : length == 128 ? low : low & (-1L << (128 - length));
        return new IpAddress(6, h, l);
    }

    /**
     * Dotted quad for IPv4; for IPv6 the RFC 5952 form: lower-case hex groups without leading
     * zeros, the longest run of two or more zero groups (the first of equals) written {@code ::}.
     */
    @Override
    public String toString() {
        if (version == 4) {
            return (low >>> 24) + "." + ((low >>> 16) & 0xff) + "." + ((low >>> 8) & 0xff) + "." + (low & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            groups[4 + i] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
