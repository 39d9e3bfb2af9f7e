package org.levee.lab;

import java.net.Inet4Address;
import java.net.InetAddress;

/** An IPv4 /24 subnet, e.g. 198.51.100.0/24; {@code network} holds its first 24 bits in the low bits. */
public record Subnet24(int network) {
    public Subnet24 {
        if (network < 0 || network > 0xffffff) {
            throw new IllegalArgumentException("/24 network " + network + " is not a 24-bit value");
        }
    }

    /** The /24 that holds {@code address}. */
    public static Subnet24 of(Inet4Address address) {
        byte[] b = address.getAddress();
        return new Subnet24((b[0] & 0xff) << 16 | (b[1] & 0xff) << 8 | b[2] & 0xff);
    }

    /** Parses {@code a.b.c.0/24}. */
    public static Subnet24 parse(String cidr) {
        if (!cidr.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.0/24")) {
            throw new IllegalArgumentException("'" + cidr + "' is not a /24 subnet like 198.51.100.0/24");
        }
        try {
            return of((Inet4Address) InetAddress.getByName(cidr.substring(0, cidr.indexOf('/'))));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not a /24 subnet: " + e.getMessage(), e);
        }
    }

    /** True when {@code address} lies in this subnet. */
    public boolean contains(Inet4Address address) {
        return of(address).equals(this);
    }

    /**
     * The network's three bytes as they stand in the low 24 bits of a little-endian 32-bit load of
     * an address in it: what an XDP program compares a source address with after {@code & 0xffffff}.
     */
    public int littleEndianLow24() {
        return (network >>> 16) | (network >>> 8 & 0xff) << 8 | (network & 0xff) << 16;
    }

    @Override
    public String toString() {
        return (network >>> 16) + "." + (network >>> 8 & 0xff) + "." + (network & 0xff) + ".0/24";
    }
}
