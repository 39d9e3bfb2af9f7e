package org.levee.lab;

import java.net.Inet4Address;
import java.util.List;

/**
 * Where a flood leaves from and goes to: the attackers' namespace and interface the generator
 * transmits on, the Ethernet addresses its frames carry (the sending interface's and the next
 * hop's toward the victim), the victim's address, and the /24 subnets spoofed sources avoid.
 */
public record FloodPath(String namespace, String interfaceName, MacAddress sourceMac, MacAddress destinationMac,
                        Inet4Address victim, List<Subnet24> spared) {
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
}
