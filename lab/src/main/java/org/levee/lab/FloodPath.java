package org.levee.lab;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.List;

/**
 * Where a flood leaves from and goes to: the attackers' namespace and interface the generator
 * transmits on, the Ethernet addresses its frames carry (the sending interface's and the next
 * hop's toward the victim), the victim's address, the /24 subnets spoofed IPv4 sources avoid, and
 * the victim's IPv6 address when it has one (IPv6 floods; spoofed IPv6 sources avoid 2001:db8::/32).
 */
public record FloodPath(
        String namespace,
        String interfaceName,
        MacAddress sourceMac,
        MacAddress destinationMac,
        Inet4Address victim,
        List<Subnet24> spared,
        Inet6Address victim6) {
    /** A path to a victim without an IPv6 address: IPv6 floods cannot take it. */
    public FloodPath(
            String namespace,
            String interfaceName,
            MacAddress sourceMac,
            MacAddress destinationMac,
            Inet4Address victim,
            List<Subnet24> spared) {
        this(namespace, interfaceName, sourceMac, destinationMac, victim, spared, null);
    }

    public FloodPath {
        if (namespace == null || namespace.isEmpty()) {
            throw new IllegalArgumentException("flood path: namespace is empty");
        }
        if (interfaceName == null || interfaceName.isEmpty()) {
            throw new IllegalArgumentException("flood path: interface name is empty");
        }
        if (sourceMac == null || destinationMac == null || victim == null) {
            throw new IllegalArgumentException("flood path: source MAC, destination MAC and victim are required");
        }
        spared = List.copyOf(spared);
    }

    /** The victim's IPv6 address; throws when it has none. */
    public Inet6Address requireVictim6() {
        if (victim6 == null) {
            throw new IllegalStateException(
                    "flood path to " + victim.getHostAddress() + " in " + namespace + " has no IPv6 victim");
        }
        return victim6;
    }
}
