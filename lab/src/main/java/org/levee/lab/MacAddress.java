package org.levee.lab;

import java.util.HexFormat;

/** A 48-bit Ethernet address. */
public record MacAddress(long value) {
    private static final HexFormat COLONS = HexFormat.ofDelimiter(":");

    public MacAddress {
        if (value < 0 || value >= 1L << 48) {
            throw new IllegalArgumentException("MAC address value " + Long.toHexString(value) + " is not 48 bits");
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff}. */
    public static MacAddress parse(String text) {
        if (!text.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address like 02:00:00:00:00:01");
        }
        return of(COLONS.parseHex(text));
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + bytes.length);
        }
        long v = 0;
        for (byte b : bytes) {
            v = v << 8 | (b & 0xff);
        }
        return new MacAddress(v);
    }

    public byte[] bytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (value >>> (40 - 8 * i));
        }
        return b;
    }

    @Override
    public String toString() {
        return COLONS.formatHex(bytes());
    }
}
