package org.levee.cbpf;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.testing.PrivateNetwork;
import org.levee.cbpf.testing.ProgramOracle;
import org.levee.testing.Requirements;
import org.levee.testing.fuzz.DocumentedError;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;

/**
 * Fuzzes tcpdump expressions through {@link Libpcap#compile}: libpcap is C inside Levee's
 * process, so a crash there would end the agent. An expression is compiled for Ethernet (which
 * decides whether it is accepted) and for raw IP; every program libpcap returns goes through the
 * validator and {@link ProgramOracle}.
 * What libpcap refuses must come back as a {@link CbpfException} carrying libpcap's message.
 *
 * <p>libpcap resolves host and network names while it compiles ({@code host foo} asks DNS), so
 * expressions are compiled on a thread in a network namespace of its own ({@link PrivateNetwork}):
 * fuzzed names fail at once and no query leaves the machine. A JVM killed by libpcap leaves the input
 * that did it in {@code target/fuzz/tcpdump-expressions/last-input}.
 */
@Tag("kernel")
@Tag("fuzz")
class LibpcapFuzzTest {
    /** Words of the filter language: qualifiers, protocols, operators, named constants, addresses. */
    static final List<String> WORDS = List.of(
            "and",
            "or",
            "not",
            "&&",
            "||",
            "!",
            "(",
            ")",
            "[",
            "]",
            ":",
            "host",
            "net",
            "mask",
            "port",
            "portrange",
            "src",
            "dst",
            "ether",
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
            "proto",
            "protochain",
            "vlan",
            "mpls",
            "pppoed",
            "pppoes",
            "geneve",
            "len",
            "less",
            "greater",
            "broadcast",
            "multicast",
            "gateway",
            "tcpflags",
            "tcp-syn",
            "tcp-ack",
            "tcp-fin",
            "icmptype",
            "icmp-echo",
            "icmp6type",
            "inbound",
            "outbound",
            "ifname",
            "llc",
            "atalk",
            "decnet",
            "iso",
            "stp",
            "ipx",
            "netbeui",
            "wlan",
            "type",
            "subtype",
            "link",
            "&",
            "|",
            "^",
            "<<",
            ">>",
            "+",
            "-",
            "*",
            "/",
            "%",
            "==",
            "!=",
            "<",
            ">",
            "<=",
            ">=",
            "=",
            "0x800",
            "192.0.2.1",
            "198.51.100.0/24",
            "2001:db8::1",
            "2001:db8::/32",
            "ff:ff:ff:ff:ff:ff",
            "1000-2000",
            "/24",
            "/128",
            "localhost");

    /** libpcap's refusals (or Levee's, before calling it), or the validator's. */
    static final DocumentedError ERROR =
            DocumentedError.of(CbpfException.class, "^(libpcap )?cannot compile '.*': \\S|" + CbpfFuzzTest.WHERE);

    @BeforeAll
    static void requirements() {
        Requirements.library(Libpcap.SONAME);
        Requirements.root(); // for the network namespace
    }

    static List<String> seeds() {
        List<String> seeds = new ArrayList<>(LibpcapDifferentialTest.EXPRESSIONS);
        seeds.addAll(List.of(
                "ether proto 0x88cc",
                "mpls 100 and ip",
                "pppoes 7 and ip",
                "geneve and udp",
                "ip and ip[0] & 0xf != 5",
                "ether[0:4] = 0x01005e00",
                "ip6[40:4] & 0xffff = 53"));
        return seeds;
    }

    /** The family, also run coverage-guided by the jazzer module under {@code -Pfuzz}. */
    static FuzzFamily<String> family() {
        return FuzzFamily.text("tcpdump expressions")
                .seeds(seeds())
                .dictionary(WORDS)
                .target(expression -> {
                    PrivateNetwork.enter();
                    CbpfProgram ethernet = Libpcap.compile(expression, LinkType.EN10MB);
                    if (expression.indexOf('\0') >= 0) {
                        throw new AssertionError("compiled an expression with a NUL character: libpcap saw only the "
                                + "text before it");
                    }
                    ProgramOracle.check(ethernet);
                    // Raw IP refuses what only Ethernet has (ether, arp, vlan, …), with the same error type.
                    try {
                        ProgramOracle.check(Libpcap.compile(expression, LinkType.RAW));
                    } catch (CbpfException e) {
                        String problem = ERROR.problemWith(e);
                        if (problem != null) {
                            throw new AssertionError("raw IP: " + problem, e);
                        }
                    }
                })
                .rejects(ERROR.type(), ERROR.message().pattern())
                .nativeCode()
                .build();
    }

    @Test
    void tcpdumpExpressions() {
        FuzzRunner.run(family()).assertNoCrashes();
    }
}
