package org.levee.sflow;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the UDP addresses of collectors and listeners, as command lines and configuration files
 * write them: {@code HOST[:PORT]}, {@code [IPV6]:PORT} or a bare IPv6 address, comma-separated for
 * lists; the port defaults to sFlow's {@value #DEFAULT_PORT}. Host names are resolved at once.
 */
public final class SflowAddresses {
    private SflowAddresses() {}

    /** sFlow's registered UDP port. */
    public static final int DEFAULT_PORT = 6343;

    /** One address: {@code HOST}, {@code HOST:PORT}, {@code [IPV6]:PORT} or {@code IPV6}. */
    public static InetSocketAddress parse(String text) {
        String spec = text.strip();
        if (spec.isEmpty()) {
            throw new IllegalArgumentException("sFlow address is empty, expected HOST[:PORT]");
        }
        String host;
        String port = null;
        if (spec.startsWith("[")) {
            int close = spec.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("sFlow address '" + text + "': '[' without ']'");
            }
            host = spec.substring(1, close);
            String rest = spec.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("sFlow address '" + text + "': expected ':PORT' after ']'");
                }
                port = rest.substring(1);
            }
        } else if (spec.indexOf(':') != spec.lastIndexOf(':')) {
            host = spec; // a bare IPv6 address
        } else {
            int colon = spec.indexOf(':');
            host = colon < 0 ? spec : spec.substring(0, colon);
            port = colon < 0 ? null : spec.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("sFlow address '" + text + "' has no host");
        }
        int number = DEFAULT_PORT;
        if (port != null) {
            try {
                number = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                number = -1;
            }
            if (number < 1 || number > 65_535) {
                throw new IllegalArgumentException(
                        "sFlow address '" + text + "': port '" + port + "' is not a number in 1..65535");
            }
        }
        InetSocketAddress address = new InetSocketAddress(host, number);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("sFlow address '" + text + "': host '" + host + "' does not resolve");
        }
        return address;
    }

    /** A comma-separated list of addresses, at least one. */
    public static List<InetSocketAddress> parseList(String text) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            addresses.add(parse(part));
        }
        return List.copyOf(addresses);
    }
}
