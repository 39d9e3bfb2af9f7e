package org.levee.netns;

/**
 * A veth pair made by {@link NetnsLab}: end A in {@code namespaceA} with {@code addressA}
 * (CIDR, e.g. 192.0.2.1/24), end B likewise.
 */
public record VethPair(
        String namespaceA, String interfaceA, String addressA, String namespaceB, String interfaceB, String addressB) {
    /** End A's address without the prefix length. */
    public String hostA() {
        return addressA.substring(0, addressA.indexOf('/'));
    }

    /** End B's address without the prefix length. */
    public String hostB() {
        return addressB.substring(0, addressB.indexOf('/'));
    }
}
