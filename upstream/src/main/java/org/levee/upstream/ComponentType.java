package org.levee.upstream;

/**
 * The FlowSpec components Levee announces (RFC 8955 §4.2.2, RFC 8956 §3), with their type codes
 * and the names GoBGP's command line uses. Type 1, the destination prefix, is part of every route
 * ({@link FlowSpecNlri#destination()}); source prefixes, ICMP and flow labels are never produced.
 */
public enum ComponentType {
    /** Type 3: IPv4 protocol, or IPv6 upper-layer protocol (the last next header). */
    PROTOCOL(3, "protocol", false, 255),
    /** Type 5: TCP or UDP destination port. */
    DESTINATION_PORT(5, "destination-port", false, 65535),
    /** Type 6: TCP or UDP source port. */
    SOURCE_PORT(6, "source-port", false, 65535),
    /** Type 9: TCP flags (the low byte: FIN SYN RST PSH ACK URG ECE CWR). */
    TCP_FLAGS(9, "tcp-flags", true, 255),
    /** Type 10: total IP packet length, layer 2 excluded, IP header included. */
    PACKET_LENGTH(10, "packet-length", false, 65535 + 40),
    /** Type 11: the 6-bit DSCP (IPv4 TOS or IPv6 traffic class, upper six bits). */
    DSCP(11, "dscp", false, 63),
    /** Type 12: fragment flags: DF 0x01, IsF 0x02 (a fragment other than the first), FF 0x04, LF 0x08. */
    FRAGMENT(12, "fragment", true, 15);

    /** Fragment flag: don't fragment (IPv4 only). */
    public static final int DONT_FRAGMENT = 0x01;
    /** Fragment flag: a fragment other than the first. */
    public static final int IS_FRAGMENT = 0x02;
    /** Fragment flag: the first fragment. */
    public static final int FIRST_FRAGMENT = 0x04;
    /** Fragment flag: the last fragment. */
    public static final int LAST_FRAGMENT = 0x08;

    private final int code;
    private final String gobgpName;
    private final boolean bitmask;
    private final long max;

    ComponentType(int code, String gobgpName, boolean bitmask, long max) {
        this.code = code;
        this.gobgpName = gobgpName;
        this.bitmask = bitmask;
        this.max = max;
    }

    /** The type code on the wire. */
    public int code() {
        return code;
    }

    /** The keyword of GoBGP's command line ({@code gobgp global rib -a ipv4-flowspec add match …}). */
    public String gobgpName() {
        return gobgpName;
    }

    /** True for bitmask operators (TCP flags, fragment), false for numeric ones. */
    public boolean bitmask() {
        return bitmask;
    }

    /** The largest value of the packet field. */
    public long max() {
        return max;
    }

    /** The type of {@code code}, or null for one Levee does not produce. */
    public static ComponentType ofCode(int code) {
        for (ComponentType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
