package org.levee.compiler;

import java.util.List;

/**
 * The fifteen filters of the compiler's size contract, with the instruction counts cbpfc's
 * ToEBPF emits for them (libpcap cBPF, Ethernet, offline). The contract is tested
 * ({@code SizeContractTest}) and timed ({@code levee bench compiler}); docs/compiler.md has the table.
 */
public final class ReferenceFilters {
    private ReferenceFilters() {}

    /**
     * One reference filter.
     *
     * @param number its row in the table (1–15)
     * @param expression the libpcap expression
     * @param cbpfcInsns instructions of cbpfc's fragment for it
     */
    public record Filter(int number, String expression, int cbpfcInsns) {}

    /** cbpfc's total over the fifteen. */
    public static final int CBPFC_TOTAL = 526;

    /** The total our fragments must not exceed. */
    public static final int OUR_LIMIT = 394;

    /** The fifteen, in the table's order. */
    public static final List<Filter> ALL = List.of(
            new Filter(1, "ip", 12),
            new Filter(2, "tcp", 27),
            new Filter(3, "udp port 53", 60),
            new Filter(4, "tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0", 33),
            new Filter(5, "host 192.0.2.1", 40),
            new Filter(6, "src net 198.51.100.0/24 and dst port 80", 39),
            new Filter(7, "ip6 and tcp", 20),
            new Filter(8, "vlan and udp", 32),
            new Filter(9, "ip[8] = 64 and tcp[14:2] = 65535", 34),
            new Filter(10, "udp and src port 11211", 42),
            new Filter(11, "icmp or icmp6", 27),
            new Filter(12, "ip and (ip[6:2] & 0x1fff) != 0", 16),
            new Filter(13, "tcp port 80 and (((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)", 73),
            new Filter(14, "udp dst port 53 and udp[10] & 0x80 = 0", 35),
            new Filter(15, "dst host 203.0.113.7 and (udp or tcp[tcpflags] == tcp-syn)", 36));
}
