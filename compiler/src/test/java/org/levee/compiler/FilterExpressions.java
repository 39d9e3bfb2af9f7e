package org.levee.compiler;

import java.util.List;

/** tcpdump expressions of every kind, for the compiler's differential tests. */
final class FilterExpressions {
    private FilterExpressions() {}

    static final List<String> ALL = List.of(
            // protocols
            "ip",
            "ip6",
            "arp",
            "tcp",
            "udp",
            "icmp",
            "icmp6",
            "sctp",
            "ip proto 47",
            "ip6 proto 17",
            "ip and not tcp and not udp",
            "icmp or icmp6",
            // hosts and nets
            "host 192.0.2.1",
            "src host 198.51.100.10",
            "dst host 203.0.113.10",
            "net 192.0.2.0/24",
            "src net 198.51.100.0/24 and dst port 80",
            "dst net 203.0.113.128/25",
            "host 2001:db8::1",
            "src net 2001:db8::/48",
            "ether broadcast",
            "ether multicast",
            "ip multicast",
            "arp and host 192.0.2.1",
            "dst host 203.0.113.99 and (udp or tcp[tcpflags] & tcp-syn != 0)",
            // ports
            "port 53",
            "udp port 53",
            "tcp port 80",
            "udp dst port 53",
            "src port 1024",
            "portrange 1000-2000",
            "tcp dst portrange 1-1023",
            "sctp portrange 1-10000",
            "ip6 and tcp port 443",
            "not port 22",
            "udp and src port 5353",
            "ip6 and tcp",
            // TCP flags
            "tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0",
            "tcp[13] = 0x12",
            "tcp[tcpflags] & (tcp-push|tcp-urg) != 0",
            "tcp[tcpflags] == tcp-fin|tcp-ack",
            // fragments, ICMP
            "ip and (ip[6:2] & 0x1fff) != 0",
            "ip[6:2] & 0x2000 != 0",
            "(ip[6:2] & 0x3fff) = 0 and udp",
            "icmp[icmptype] = icmp-echo",
            "icmp6[icmp6type] = icmp6-echo",
            // VLAN
            "vlan",
            "vlan 5",
            "vlan and udp",
            "vlan and tcp port 80",
            "vlan and vlan",
            "ip6 and not vlan",
            // arithmetic on packet bytes
            "ip[8] > 64 and tcp[14:2] > 1000",
            "tcp port 80 and (((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0)",
            "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
            "udp dst port 53 and udp[10] & 0x80 = 0",
            "ip[9] % 3 = 1",
            "ip[8] / ip[1] > 2",
            "ip[8] % ip[1] = 1",
            "ip[12] ^ ip[16] = 0",
            "ip[2:2] * 3 / 7 + ip[8] > 200",
            "ip[1] - ip[0] > 0",
            "ether[12:2] / 256 = 8",
            "udp[4:2] - 8 > 30",
            "ip[0] | 0x40 = 0x45",
            "ip6[6] = 17 and ip6[4:2] > 20",
            // lengths
            "len > 100",
            "len <= 64",
            "greater 120",
            // combinations
            "(tcp or udp) and dst net 203.0.113.0/24",
            "not (ip or ip6 or arp)",
            "vlan and (udp port 53 or tcp[tcpflags] & tcp-syn != 0)",
            "not ip or ip[8] > 128");
}
