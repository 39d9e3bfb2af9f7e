package org.levee.detector.sample;

/**
 * The classes rates, thresholds and attacks are kept per. Every IP packet counts in {@link #ALL}
 * and in exactly one other class.
 */
public enum TrafficClass {
    /** Every IP packet. */
    ALL,
    /** TCP with SYN set and ACK clear: connection attempts, the SYN-flood class. */
    TCP_SYN,
    /** Any other TCP segment (ACK floods, established traffic). */
    TCP_OTHER,
    /** UDP (floods, amplification). */
    UDP,
    /** ICMP and ICMPv6. */
    ICMP,
    /** IPv4 or IPv6 fragments after the first: they carry no transport header. */
    FRAGMENT,
    /** Any other IP protocol (GRE, ESP, ...), and first fragments of unparsed protocols. */
    OTHER;

    private static final TrafficClass[] VALUES = values();

    public static TrafficClass ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }

    public static int count() {
        return VALUES.length;
    }
}
