package org.levee.rules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network: an address with no bits set after the prefix, and the prefix length.
 * A host is a prefix of length 32 (IPv4) or 128 (IPv6). Rules name their destinations with it,
 * and the detector the hosts and aggregates it watches.
 *
 * @param network the network address
 * @param length  the prefix length (0..32 or 0..128)
 */
public record Prefix(IpAddress network, int length) {

    public Prefix {
        Objects.requireNonNull(network, "network");
        if (length < 0 || length > network.bitLength()) {
            throw new IllegalArgumentException("prefix length " + length + " is outside 0.." + network.bitLength());
        }
        IpAddress masked = network.mask(length);
        if (!masked.equals(network)) {
            throw new IllegalArgumentException("'" + network + "/" + length
                    + "' has bits set after the prefix (the network is " + masked + "/" + length + ")");
        }
    }

    /** The host prefix of {@code address}. */
    public static Prefix host(IpAddress address) {
        return new Prefix(address, address.bitLength());
    }

    /** The network of {@code length} bits that {@code address} is in. */
    public static Prefix of(IpAddress address, int length) {
        return new Prefix(address.mask(length), length);
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
        // Four dotted numbers or an IPv6 literal: the JDK would also take "1.2.3" for 1.2.0.3. The
        // length first: the longest literal is 45 characters, and the pattern must not see 50,000 colons.
        if (!IpAddress.isLiteral(addressText)) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 prefix");
        }
        IpAddress address;
        try {
            // A literal only: the pattern above rules out host names.
            address = IpAddress.fromBytes(InetAddress.getByName(addressText).getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 prefix");
        }
        int length = address.bitLength();
        if (slash >= 0) {
            String lengthText = trimmed.substring(slash + 1);
            if (!lengthText.matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException(
                        "'" + text + "': prefix length '" + lengthText + "' is not a number");
            }
            length = Integer.parseInt(lengthText);
        }
        return new Prefix(address, length);
    }

    /** True for a single address: all 32 or 128 bits fixed. */
    public boolean isHost() {
        return length == network.bitLength();
    }

    /** True when {@code address} is in this network. */
    public boolean contains(IpAddress address) {
        return address.version() == network.version() && address.mask(length).equals(network);
    }

    /** True when every address of {@code other} is in this network. */
    public boolean contains(Prefix other) {
        return other.length >= length && contains(other.network);
    }

    /** The tcpdump primitive selecting packets to this network. */
    public String tcpdumpDestination() {
        return "dst net " + this;
    }

    /** {@code 192.0.2.0/24}, {@code 2001:db8::/32}: the network in its shortest form and the length. */
    @Override
    public String toString() {
        return network + "/" + length;
    }
}
