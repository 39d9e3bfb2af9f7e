package org.levee.lab;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Addresses for tests that need a {@link FloodPath} but no lab. */
final class LabFixtures {
    private LabFixtures() {}

    static FloodPath path() {
        return new FloodPath(
                "unused",
                "unused0",
                MacAddress.parse("02:00:00:00:00:01"),
                MacAddress.parse("02:00:00:00:00:02"),
                ipv4("203.0.113.10"),
                List.of(Subnet24.parse("198.51.100.0/24"), Subnet24.parse("203.0.113.0/24")),
                ipv6("2001:db8:a::10"));
    }

    static java.net.Inet6Address ipv6(String text) {
        try {
            return (java.net.Inet6Address) InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    static Inet4Address ipv4(String text) {
        try {
            return (Inet4Address) InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
