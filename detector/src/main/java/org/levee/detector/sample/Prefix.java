package org.levee.detector.sample;

import java.util.Objects;

/**
 * An IP network: an address with its host bits cleared and a length. A host is a prefix of
 * length 32 (IPv4) or 128 (IPv6).
 */
public record Prefix(IpAddress network, int length) {

    public Prefix {
        Objects.requireNonNull(network, "network");
        if (length < 0 || length > network.bitLength()) {
            throw new IllegalArgumentException("prefix length " + length + " out of range 0.."
                    + network.bitLength() + " for " + network);
        }
        if (!network.mask(length).equals(network)) {
            throw new IllegalArgumentException(
                    "prefix " + network + "/" + length + " has host bits set");
        }
    }

    public static Prefix host(IpAddress address) {
        return new Prefix(address, address.bitLength());
    }

    public static Prefix of(IpAddress address, int length) {
        return new Prefix(address.mask(length), length);
    }

    /** Parses "192.0.2.0/24", "2001:db8::/32", or a bare address (a host). */
    public static Prefix parse(String text) {
        Objects.requireNonNull(text, "prefix text");
        int slash = text.indexOf('/');
        if (slash < 0) {
            return host(IpAddress.parse(text));
        }
        IpAddress address = IpAddress.parse(text.substring(0, slash));
        int length;
        try {
            length = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefix '" + text + "': length is not a number", e);
        }
        return new Prefix(address, length);
    }

    public boolean isHost() {
        return length == network.bitLength();
    }

    public boolean contains(IpAddress address) {
        return address.version() == network.version() && address.mask(length).equals(network);
    }

    public boolean contains(Prefix other) {
        return other.length >= length && contains(other.network);
    }

    @Override
    public String toString() {
        return network + "/" + length;
    }
}
