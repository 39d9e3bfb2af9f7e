package org.levee.dataplane.rules;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 network: address and prefix length, with no bits set after the prefix.
 *
 * @param address the network address (4 or 16 bytes)
 * @param length  the prefix length (0..32 or 0..128)
 */
public record Prefix(InetAddress address, int length) {

    public Prefix {
        int bits = address.getAddress().length * 8;
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("prefix length " + length + " is outside 0.." + bits);
        }
        byte[] bytes = address.getAddress();
        for (int bit = length; bit < bits; bit++) {
            if ((bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0) {
                throw new IllegalArgumentException("'" + address.getHostAddress() + "/" + length
                        + "' has bits set after the prefix (the network is " + network(bytes, length) + ")");
            }
        }
    }

    /**
     * Parses {@code 192.0.2.0/24}, {@code 2001:db8::/32} or a bare address (a host prefix).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Prefix parse(String text) {
        String trimmed = text.strip();
        int slash = trimmed.indexOf('/');
        String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
        if (!addressText.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 prefix");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(addressText); // literal only: the pattern above rules out host names
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 prefix");
        }
        int bits = address.getAddress().length * 8;
        int length = bits;
        if (slash >= 0) {
            String lengthText = trimmed.substring(slash + 1);
            if (!lengthText.matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException("'" + text + "': prefix length '" + lengthText + "' is not a number");
            }
            length = Integer.parseInt(lengthText);
        }
        return new Prefix(address, length);
    }

    /** True for IPv4. */
    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** The tcpdump primitive selecting packets to this network. */
    public String tcpdumpDestination() {
        return "dst net " + this;
    }

    private static String network(byte[] bytes, int length) {
        byte[] masked = bytes.clone();
        for (int bit = length; bit < masked.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return InetAddress.getByAddress(masked).getHostAddress() + "/" + length;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + length;
    }
}
