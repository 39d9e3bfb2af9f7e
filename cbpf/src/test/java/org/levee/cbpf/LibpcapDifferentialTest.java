package org.levee.cbpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.corpus.PacketCorpus;
import org.levee.cbpf.corpus.PacketCorpus.Packet;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.testing.RandomPrograms;
import org.levee.testing.Requirements;

/**
 * Levee's interpreter against libpcap's ({@code pcap_offline_filter}) on programs that libpcap
 * compiles from tcpdump expressions, over the seeded packet corpus: every return value must be
 * the same, and the kernel's validator rules must accept every program libpcap produces.
 */
class LibpcapDifferentialTest {

    /** Expressions of every kind; none shifts by a packet byte (libpcap and Linux differ at ≥ 32). */
    static final List<String> EXPRESSIONS = List.of(
            // protocols
            "ip",
            "ip6",
            "arp",
            "rarp",
            "tcp",
            "udp",
            "icmp",
            "icmp6",
            "sctp",
            "igmp",
            "ip proto 47",
            "ip6 proto 17",
            "ip proto 132 or ip proto 89",
            "ip and not tcp and not udp",
            // hosts and nets
            "host 192.0.2.1",
            "src host 198.51.100.10",
            "dst host 203.0.113.255",
            "net 192.0.2.0/24",
            "src net 198.51.100.0/25",
            "dst net 203.0.113.128/25",
            "net 192.0.0.0 mask 255.255.0.0",
            "host 2001:db8::1",
            "src net 2001:db8::/48",
            "dst host ff02::1",
            "ip6 net 2001:db8:1::/64",
            "ether host ff:ff:ff:ff:ff:ff",
            "ether broadcast",
            "ether multicast",
            "ip multicast",
            "ip6 multicast",
            "ether src 02:00:00:00:00:01",
            "arp and host 192.0.2.1",
            "dst host 127.0.0.1 or src host ::1",
            // ports and ranges
            "port 53",
            "tcp port 80",
            "udp dst port 53",
            "src port 1024",
            "portrange 1000-2000",
            "tcp dst portrange 1-1023",
            "udp portrange 5000-6000",
            "sctp portrange 1-10000",
            "ip6 and tcp port 443",
            "not port 22",
            "tcp src port 65535 or udp src port 0",
            // TCP flags
            "tcp[tcpflags] & tcp-syn != 0",
            "tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn",
            "tcp[13] = 0x12",
            "tcp[tcpflags] & tcp-rst != 0 and tcp dst port 80",
            "tcp[tcpflags] == tcp-fin|tcp-ack",
            "tcp[tcpflags] & (tcp-push|tcp-urg) != 0",
            // fragments, ICMP
            "ip[6:2] & 0x1fff != 0",
            "ip[6:2] & 0x2000 != 0",
            "(ip[6:2] & 0x3fff) = 0 and udp",
            "icmp[icmptype] = icmp-echo",
            "icmp[0] = 3 and icmp[1] = 3",
            "icmp6 and ip6[40] = 128",
            "icmp6[icmp6type] = icmp6-echo",
            // VLAN and QinQ
            "vlan",
            "vlan 5",
            "vlan and ip",
            "vlan and tcp port 80",
            "vlan and vlan",
            "vlan 100 or vlan 1",
            "vlan and arp",
            "ip6 and not vlan",
            // bytes and arithmetic
            "ip[2:2] - ((ip[0]&0xf)<<2) > 20",
            "ip[0] & 0xf > 5",
            "ip[8] < 64",
            "ip[2:2] > 1000",
            "tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420",
            "udp[8:2] & 0x8000 = 0",
            "ip[1] & 0xfc = 0xb8",
            "ip[9] % 3 = 1",
            "ip[9] * 2 + 1 > 20",
            "ip[12] ^ ip[16] = 0",
            "ether[12:2] / 256 = 8",
            "ip[1] - ip[0] > 0",
            "ip[8] / ip[1] > 2",
            "ip[8] % ip[1] = 1",
            "ip6[6] = 17 and ip6[4:2] > 20",
            "udp[4:2] - 8 > 30",
            "ip[0] | 0x40 = 0x45",
            "ether[0] & 1 = 1",
            "arp[6:2] = 2",
            "ip[8] & 1 = 1",
            "udp port 53 and udp[10] & 0x80 = 0",
            "ip[2:2] * 3 / 7 + ip[8] > 200",
            // lengths
            "len > 100",
            "len <= 64",
            "less 100",
            "greater 200",
            "len = 60",
            // combinations
            "tcp and not port 22",
            "(tcp or udp) and dst net 203.0.113.0/24",
            "ip and (icmp or ip[6] & 0x20 != 0)",
            "not (ip or ip6 or arp)",
            "vlan and (udp port 53 or tcp[tcpflags] & tcp-syn != 0)",
            "(src net 192.0.2.0/24 and dst port 80) or (ip6 and udp)",
            "not ip or ip[8] > 128");

    private static List<Packet> corpus;

    @BeforeAll
    static void requireLibpcap() {
        Requirements.library(Libpcap.SONAME);
        corpus = PacketCorpus.standard();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expressions")
    void interpreterAgreesWithLibpcap(String expression) {
        CbpfProgram program = Libpcap.compile(expression, LinkType.EN10MB);
        CbpfValidator.validate(program);
        int matches = 0;
        try (Libpcap.OfflineFilter oracle = new Libpcap.OfflineFilter(program)) {
            for (int i = 0; i < corpus.size(); i++) {
                Packet packet = corpus.get(i);
                int expected = oracle.run(packet.data(), packet.wireLength());
                int actual = CbpfInterpreter.run(program, packet.data(), packet.wireLength());
                if (actual != expected) {
                    fail(
                            "'%s' on packet %d (%s): libpcap returns %d, the interpreter %d%nprogram:%n%s",
                            expression, i, packet, expected, actual, CbpfText.printListing(program));
                }
                matches += actual != 0 ? 1 : 0;
            }
        }
        // The corpus must exercise both outcomes, or the comparison proves little.
        assertThat(matches).as("packets matching '%s'", expression).isBetween(1, corpus.size() - 1);
    }

    static Stream<String> expressions() {
        return EXPRESSIONS.stream();
    }

    /**
     * Random valid programs exercise what tcpdump expressions rarely produce (every ALU operation
     * on X, {@code ld #len}, {@code ldx M[]}, returns of A): both interpreters must still agree.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void interpreterAgreesWithLibpcapOnRandomPrograms(long seed) {
        Random random = new Random(seed);
        List<Packet> packets = corpus.subList(0, 400);
        for (int n = 0; n < 250; n++) {
            CbpfProgram program = RandomPrograms.validProgram(random, 2 + random.nextInt(30), false);
            CbpfValidator.validate(program);
            try (Libpcap.OfflineFilter oracle = new Libpcap.OfflineFilter(program)) {
                for (Packet packet : packets) {
                    int expected = oracle.run(packet.data(), packet.wireLength());
                    int actual = CbpfInterpreter.run(program, packet.data(), packet.wireLength());
                    if (actual != expected) {
                        fail(
                                "seed %d program %d on %s: libpcap returns %d, the interpreter %d%nprogram:%n%s",
                                seed, n, packet, expected, actual, CbpfText.printListing(program));
                    }
                }
            }
        }
    }

    static Stream<Long> seeds() {
        return LongStream.range(1, 5).boxed();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rawExpressions")
    void interpreterAgreesWithLibpcapOnRawIp(String expression) {
        CbpfProgram program = Libpcap.compile(expression, LinkType.RAW);
        CbpfValidator.validate(program);
        int matches = 0;
        try (Libpcap.OfflineFilter oracle = new Libpcap.OfflineFilter(program)) {
            for (Packet packet : corpus) {
                // Strip the Ethernet header: the rest starts like a raw IP packet (or is random).
                byte[] ip = packet.data().length > 14
                        ? Arrays.copyOfRange(packet.data(), 14, packet.data().length)
                        : new byte[0];
                int wire = Math.max(ip.length, packet.wireLength() - 14);
                int expected = oracle.run(ip, wire);
                assertThat(CbpfInterpreter.run(program, ip, wire))
                        .as("'%s' on %s", expression, packet)
                        .isEqualTo(expected);
                matches += expected != 0 ? 1 : 0;
            }
        }
        assertThat(matches).as("packets matching '%s'", expression).isBetween(1, corpus.size() - 1);
    }

    static Stream<String> rawExpressions() {
        return Stream.of(
                "ip",
                "ip6",
                "tcp port 80",
                "udp and dst net 203.0.113.0/24",
                "ip[2:2] - ((ip[0]&0xf)<<2) > 20",
                "ip6 and icmp6",
                "len < 60");
    }
}
