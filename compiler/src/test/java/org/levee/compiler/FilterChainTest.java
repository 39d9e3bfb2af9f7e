package org.levee.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.cbpf.corpus.PacketCorpus;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.compiler.flow.Op;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.testing.Requirements;

/**
 * A {@link FilterChain} finds, on every packet, the first enabled filter that matches — the
 * interpreter's answer, filter by filter — whatever the filters, whichever are enabled, and
 * wherever the chain is cut into segments: chains of tcpdump expressions that share their tests
 * (where the chain's copies leave most of them out) and chains of random cBPF programs with
 * siblings that differ in a constant, each loaded into the kernel with several random sets of
 * enabled filters and run on the seeded packet corpus.
 */
@Tag("kernel")
class FilterChainTest {
    private static List<byte[]> corpus;
    /** Packets on which some enabled filter after the first matched first, over the whole class: the chains must be exercised. */
    private static long laterMatches;

    private static long comparisons;

    @BeforeAll
    static void corpus() {
        corpus = PacketCorpus.standard().stream()
                .map(PacketCorpus.Packet::data)
                .filter(p -> p.length >= XdpFilterProgram.MIN_TEST_RUN_BYTES)
                .toList();
    }

    private static final int[] PORTS = {20, 53, 80, 123, 443, 1024, 5353, 8080, 9, 65535};
    private static final String[] HOSTS = {"192.0.2.1", "198.51.100.10", "203.0.113.99", "198.51.100.1", "192.0.2.77"};
    private static final String[] NETS = {"198.51.100.0/24", "192.0.2.0/24", "203.0.113.128/25", "2001:db8::/32"};

    /** A tcpdump expression from one of several families that share tests with each other. */
    private static String expression(Random random) {
        int port = PORTS[random.nextInt(PORTS.length)];
        String host = HOSTS[random.nextInt(HOSTS.length)];
        return switch (random.nextInt(12)) {
            case 0, 1, 2 -> "udp and dst port " + port;
            case 3 -> "tcp dst port " + port;
            case 4 -> "udp src port " + port + " and udp[10] & 0x80 = 0";
            case 5 -> "port " + port;
            case 6 -> "dst host " + host + (random.nextBoolean() ? " and udp" : "");
            case 7 -> "src net " + NETS[random.nextInt(NETS.length - 1)] + " and tcp[tcpflags] & tcp-syn != 0";
            case 8 -> "ip6 and udp port " + port;
            case 9 -> "vlan and udp port " + port;
            case 10 -> "ip[8] = " + (32 + random.nextInt(64)) + " or len > " + (60 + random.nextInt(80));
            default -> FilterExpressions.ALL.get(random.nextInt(FilterExpressions.ALL.size()));
        };
    }

    /** A rule: its match, and half the time a destination check before it, as the data plane builds them. */
    private static List<CbpfProgram> rule(Random random) {
        List<CbpfProgram> parts = new ArrayList<>();
        if (random.nextBoolean()) {
            String net = NETS[random.nextInt(NETS.length - 1)];
            parts.add(Libpcap.compile(
                    random.nextInt(4) == 0 ? "dst net " + net + " or dst net 2001:db8::/32" : "dst net " + net,
                    LinkType.EN10MB));
        }
        parts.add(Libpcap.compile(expression(random), LinkType.EN10MB));
        return parts;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void chainsOfExpressionsFindTheFirstEnabledMatch(long seed) {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        Random random = new Random(seed);
        for (int round = 0; round < 4; round++) {
            int count = 1 + random.nextInt(round == 3 ? 120 : 40);
            List<List<CbpfProgram>> filters = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                filters.add(rule(random));
            }
            check("seed " + seed + " round " + round, filters, corpus, random, round == 2 ? 200 : 30_000);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
    void chainsOfRandomProgramsAndTheirSiblingsFindTheFirstEnabledMatch(long seed) {
        Requirements.root();
        RandomCbpf generator = new RandomCbpf(seed);
        Random random = new Random(seed);
        for (int round = 0; round < 6; round++) {
            List<List<Op>> bases = new ArrayList<>();
            for (int b = 0; b < 1 + random.nextInt(3); b++) {
                bases.add(generator.next(20));
            }
            List<List<CbpfProgram>> filters = new ArrayList<>();
            int count = 2 + random.nextInt(30);
            for (int i = 0; i < count; i++) {
                List<Op> sibling = sibling(bases.get(random.nextInt(bases.size())), random);
                List<CbpfProgram> parts = new ArrayList<>();
                if (random.nextInt(4) == 0) {
                    parts.add(RandomCbpf.link(sibling(bases.get(random.nextInt(bases.size())), random)));
                }
                parts.add(RandomCbpf.link(sibling));
                filters.add(parts);
            }
            List<byte[]> packets = new ArrayList<>();
            for (int p = 0; p < 300; p++) {
                packets.add(generator.packet(14 + random.nextInt(p % 3 == 0 ? 120 : 50)));
            }
            check("seed " + seed + " round " + round, filters, packets, random, random.nextBoolean() ? 60 : 30_000);
        }
    }

    /**
     * Hundreds of rules of five shapes in turn, as the data-plane benchmark has them (UDP and TCP
     * ports behind destination networks, UDP source ports, hosts, IPv6): enough paths that copies
     * run out of their budget and states join, checked on frames built to hit and nearly hit
     * the rules.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22})
    void manyRulesOfMixedShapesFindTheFirstEnabledMatch(long seed) {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        Random random = new Random(seed);
        int count = 400;
        List<List<CbpfProgram>> filters = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int port = 10_000 + i;
            List<CbpfProgram> parts = new ArrayList<>();
            String match = switch (i % 5) {
                case 0 -> {
                    parts.add(Libpcap.compile("dst net 198.51.100.0/24", LinkType.EN10MB));
                    yield "udp and dst port " + port;
                }
                case 1 -> {
                    parts.add(Libpcap.compile("dst net 203.0.113.0/24", LinkType.EN10MB));
                    yield "tcp dst port " + port + " and tcp[tcpflags] & tcp-syn != 0";
                }
                case 2 -> "udp src port " + port;
                case 3 -> "dst host 192.0.2." + (1 + i % 250) + " and udp";
                default -> {
                    parts.add(Libpcap.compile("dst net 2001:db8::/32", LinkType.EN10MB));
                    yield "ip6 and udp port " + port;
                }
            };
            parts.add(Libpcap.compile(match, LinkType.EN10MB));
            filters.add(parts);
        }
        List<byte[]> packets = new ArrayList<>();
        for (int p = 0; p < 1500; p++) {
            int port = 10_000 + random.nextInt(count + 20) - (random.nextInt(8) == 0 ? 5000 : 0);
            int other = random.nextInt(8) == 0 ? port : 4000 + random.nextInt(100);
            byte[] dst = switch (random.nextInt(4)) {
                case 0 -> new byte[] {(byte) 198, 51, 100, (byte) random.nextInt(256)};
                case 1 -> new byte[] {(byte) 203, 0, 113, (byte) random.nextInt(256)};
                case 2 -> new byte[] {(byte) 192, 0, 2, (byte) (1 + random.nextInt(255))};
                default -> new byte[] {10, 0, 0, 1};
            };
            packets.add(
                    switch (random.nextInt(5)) {
                        case 0, 1 -> Frames.ipv4(17, dst, other, port, 0);
                        case 2 -> Frames.ipv4(17, dst, port, other, 0);
                        case 3 -> Frames.ipv4(6, dst, other, port, random.nextBoolean() ? 0x02 : 0x10);
                        default -> Frames.ipv6Udp(random.nextBoolean(), other, port);
                    });
        }
        packets.addAll(corpus.subList(0, 600));
        check("seed " + seed + ", " + count + " mixed rules", filters, packets, random, 30_000);
    }

    /**
     * Two paths that know the same about the next {@link FilterChain#HORIZON} filters (IPv4 TCP,
     * which rules out every UDP rule there), with the same registers, but not about a rule
     * further on: after {@code tcp and dst host 203.0.113.9 and ip[1] = 0}, one knows its
     * destination is not 203.0.113.9, the other that it is (and that its TOS is not 0). Both skip
     * the UDP rules, and each must arrive at the far rule knowing only what it knows itself,
     * whichever asks first.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "tcp and dst host 203.0.113.9 and ip[1] = 0",
                "tcp and ip[1] = 0 and dst host 203.0.113.9",
                "tcp and dst host 203.0.113.9 and ip[1] = 0 and src port 1"
            })
    void pathsThatSkipTheSameFiltersKeepWhatTheyKnowApart(String first) {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        List<List<CbpfProgram>> filters = new ArrayList<>();
        filters.add(List.of(Libpcap.compile(first, LinkType.EN10MB)));
        int udpRules = FilterChain.HORIZON + 6;
        for (int i = 0; i < udpRules; i++) {
            filters.add(List.of(Libpcap.compile("udp and dst port " + (1000 + i), LinkType.EN10MB)));
        }
        filters.add(List.of(Libpcap.compile("tcp and dst host 203.0.113.9", LinkType.EN10MB)));
        List<byte[]> packets = new ArrayList<>();
        for (int last = 8; last <= 10; last++) {
            for (int tos : new int[] {0, 4}) {
                for (int sport : new int[] {1, 2}) {
                    byte[] dst = {(byte) 203, 0, 113, (byte) last};
                    for (byte[] packet : List.of(
                            Frames.ipv4(6, dst, sport, 80, 0x02), Frames.ipv4(17, dst, sport, 1000 + last, 0))) {
                        packet[15] = (byte) tos;
                        packets.add(packet);
                    }
                }
            }
        }
        assertThat(packets.stream().filter(p -> firstMatch(filters, allOf(filters.size()), p) == filters.size()))
                .isNotEmpty();
        check("after " + first, filters, packets, new Random(31), 30_000);
    }

    /**
     * TCP rules on hosts, source ports and TOS, one or two at a time between runs of UDP port
     * rules longer than {@link FilterChain#HORIZON}: TCP paths skip the runs, each knowing
     * something different about the TCP rules after them.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {41, 42, 43, 44, 45, 46})
    void tcpRulesBetweenLongRunsOfUdpRulesFindTheFirstEnabledMatch(long seed) {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        Random random = new Random(seed);
        List<List<CbpfProgram>> filters = new ArrayList<>();
        int port = 1000;
        for (int block = 0; block < 5; block++) {
            for (int t = 0; t < 1 + random.nextInt(2); t++) {
                String host = "203.0.113." + (8 + random.nextInt(3));
                String tos = "ip[1] = " + 4 * random.nextInt(2);
                String sport = "src port " + (1 + random.nextInt(3));
                String expression = switch (random.nextInt(4)) {
                    case 0 -> "tcp and dst host " + host;
                    case 1 -> "tcp and dst host " + host + " and " + tos;
                    case 2 -> "tcp and " + sport + " and dst host " + host;
                    default -> "tcp and " + tos + " and " + sport;
                };
                filters.add(List.of(Libpcap.compile(expression, LinkType.EN10MB)));
            }
            for (int u = FilterChain.HORIZON + random.nextInt(20); u > 0; u--) {
                filters.add(List.of(Libpcap.compile("udp and dst port " + port++, LinkType.EN10MB)));
            }
        }
        List<byte[]> packets = new ArrayList<>();
        for (int p = 0; p < 300; p++) {
            byte[] dst = {(byte) 203, 0, 113, (byte) (7 + random.nextInt(4))};
            int sport = 1 + random.nextInt(4);
            byte[] packet = random.nextInt(4) == 0
                    ? Frames.ipv4(17, dst, sport, 1000 + random.nextInt(port - 900), 0)
                    : Frames.ipv4(6, dst, sport, 80, 0x02);
            packet[15] = (byte) (4 * random.nextInt(2));
            packets.add(packet);
        }
        check("seed " + seed + ", TCP rules between runs of UDP rules", filters, packets, random, 30_000);
    }

    /**
     * Long chains (150–400 rules) made of runs: rules of one family for a while (UDP ports, TCP
     * ports with a TOS, or mixed expressions), behind one destination check or none, some runs
     * longer than {@link FilterChain#HORIZON}; half of them cut into programs of 2,000 slots.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {100, 101, 102, 103, 104, 105, 106, 107})
    void longChainsOfRunsFindTheFirstEnabledMatch(long seed) {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        Random random = new Random(seed);
        List<List<CbpfProgram>> filters = new ArrayList<>();
        int count = 150 + random.nextInt(250);
        while (filters.size() < count) {
            int run = random.nextInt(3) == 0 ? 40 + random.nextInt(80) : 1 + random.nextInt(4);
            List<CbpfProgram> destination = random.nextBoolean()
                    ? List.of()
                    : List.of(Libpcap.compile("dst net " + NETS[random.nextInt(NETS.length - 1)], LinkType.EN10MB));
            int family = random.nextInt(3);
            for (int i = 0; i < run && filters.size() < count; i++) {
                String match = switch (family) {
                    case 0 -> "udp and dst port " + (1000 + filters.size());
                    case 1 -> expression(random);
                    default -> "tcp and dst port " + (2000 + filters.size()) + " and ip[1] = " + 4 * random.nextInt(2);
                };
                List<CbpfProgram> parts = new ArrayList<>(destination);
                parts.add(Libpcap.compile(match, LinkType.EN10MB));
                filters.add(parts);
            }
        }
        List<byte[]> packets = new ArrayList<>(corpus.subList(0, 800));
        for (int p = 0; p < 400; p++) {
            byte[] dst = switch (random.nextInt(3)) {
                case 0 -> new byte[] {(byte) 198, 51, 100, (byte) random.nextInt(256)};
                case 1 -> new byte[] {(byte) 203, 0, 113, (byte) (128 + random.nextInt(128))};
                default -> new byte[] {(byte) 192, 0, 2, (byte) random.nextInt(256)};
            };
            int port = random.nextInt(5) == 0
                    ? PORTS[random.nextInt(PORTS.length)]
                    : (random.nextBoolean() ? 1000 : 2000) + random.nextInt(count);
            byte[] packet =
                    Frames.ipv4(random.nextBoolean() ? 17 : 6, dst, PORTS[random.nextInt(PORTS.length)], port, 0x02);
            packet[15] = (byte) (4 * random.nextInt(2)); // TOS
            packets.add(packet);
        }
        check(
                "seed " + seed + ", " + count + " rules in runs",
                filters,
                packets,
                random,
                random.nextBoolean() ? 30_000 : 2_000);
    }

    private static BitSet allOf(int filters) {
        BitSet all = new BitSet();
        all.set(0, filters);
        return all;
    }

    /** Frames for the mixed rules: IPv4 UDP/TCP to an address, IPv6 UDP into or out of 2001:db8::/32. */
    private static final class Frames {
        static byte[] ipv4(int protocol, byte[] dst, int srcPort, int dstPort, int tcpFlags) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(protocol == 6 ? 74 : 62);
            b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
            b.put((byte) 0x45)
                    .put((byte) 0)
                    .putShort((short) (b.capacity() - 14))
                    .putShort((short) 1)
                    .putShort((short) 0x4000)
                    .put((byte) 64)
                    .put((byte) protocol)
                    .putShort((short) 0)
                    .put(new byte[] {(byte) 192, 0, 2, 1})
                    .put(dst);
            b.putShort((short) srcPort).putShort((short) dstPort);
            if (protocol == 6) {
                b.putInt(1)
                        .putInt(0)
                        .put((byte) 0x50)
                        .put((byte) tcpFlags)
                        .putShort((short) 1024)
                        .putInt(0);
            } else {
                b.putShort((short) 28).putShort((short) 0);
            }
            return b.array();
        }

        static byte[] ipv6Udp(boolean inside, int srcPort, int dstPort) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(14 + 40 + 8 + 12);
            b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x86dd);
            b.putInt(0x60000000).putShort((short) 20).put((byte) 17).put((byte) 64);
            b.put(new byte[16]); // source ::
            b.putShort((short) (inside ? 0x2001 : 0x2002))
                    .putShort((short) 0x0db8)
                    .put(new byte[11])
                    .put((byte) 1);
            b.putShort((short) srcPort)
                    .putShort((short) dstPort)
                    .putShort((short) 20)
                    .putShort((short) 0);
            return b.array();
        }
    }

    /** {@code base} with one constant (of a jump, or of an absolute load) changed, now and then. */
    private static List<Op> sibling(List<Op> base, Random random) {
        List<Op> ops = new ArrayList<>(base);
        if (random.nextInt(4) == 0) {
            return ops;
        }
        for (int tries = 0; tries < 10; tries++) {
            int i = random.nextInt(ops.size());
            Op op = ops.get(i);
            if (op.isConditional() && op.src() == org.levee.cbpf.CbpfInstruction.K) {
                int k = random.nextBoolean() ? op.k() + 1 + random.nextInt(3) : random.nextInt(8);
                ops.set(i, new Op(op.code(), k, op.jt(), op.jf()));
                return ops;
            }
            if (op.isAbsoluteLoad() && op.unsignedK() < 90) {
                ops.set(i, Op.plain(op.code(), random.nextInt(60)));
                return ops;
            }
        }
        return ops;
    }

    /** Loads {@code filters} as one chain with several random sets of enabled filters and compares every packet. */
    private static void check(
            String what, List<List<CbpfProgram>> filters, List<byte[]> packets, Random random, int segmentSlots) {
        FilterChain chain = FilterChain.of(filters);
        AssembledProgram program = ChainProgram.of(chain, segmentSlots);
        for (int mask = 0; mask < 4; mask++) {
            BitSet enabled = new BitSet();
            for (int i = 0; i < filters.size(); i++) {
                if (mask == 0 || random.nextInt(mask + 1) != 0) {
                    enabled.set(i);
                }
            }
            Map<String, Long> constants = ChainProgram.enabling(filters.size(), enabled);
            byte[] code = program.resolve(constants, Map.of()).encode();
            try (Program loaded = Program.load(ProgramSpec.xdp("levee_chain", code))) {
                for (byte[] packet : packets) {
                    int expected = firstMatch(filters, enabled, packet);
                    comparisons++;
                    laterMatches += expected > 1 ? 1 : 0;
                    int actual = loaded.testRun(TestRun.of(packet).withDataOutCapacity(0))
                            .returnValue();
                    if (actual != expected) {
                        fail(
                                "%s, %d filters, enabled %s: the chain says %d, the interpreter %d (0 = none, else 1 + index) on %s%n%s",
                                what,
                                filters.size(),
                                enabled,
                                actual,
                                expected,
                                HexFormat.of().formatHex(packet),
                                describe(filters, actual, expected));
                    }
                }
            }
        }
    }

    @org.junit.jupiter.api.AfterAll
    static void theChainsWereExercised() {
        System.out.printf(
                "filter chains: %d packets compared, %d matched a filter after the first%n", comparisons, laterMatches);
        assertThat(laterMatches).isGreaterThan(comparisons / 50);
    }

    private static int firstMatch(List<List<CbpfProgram>> filters, BitSet enabled, byte[] packet) {
        for (int i = 0; i < filters.size(); i++) {
            if (enabled.get(i) && filters.get(i).stream().allMatch(p -> CbpfInterpreter.run(p, packet) != 0)) {
                return i + 1;
            }
        }
        return 0;
    }

    private static String describe(List<List<CbpfProgram>> filters, int... indexes) {
        StringBuilder text = new StringBuilder();
        for (int index : indexes) {
            if (index > 0) {
                text.append("filter ").append(index - 1).append(":\n");
                filters.get(index - 1)
                        .forEach(p -> text.append(CbpfText.printListing(p)).append("--\n"));
            }
        }
        return text.toString();
    }

    /**
     * Port rules for one destination, as the data-plane benchmark has them: after the first two,
     * each enabled rule adds one compare to the program the kernel runs (plus the two
     * instructions of this test's hit block), where on its own a rule is 50 instructions.
     */
    @Test
    void portRulesForOneDestinationCostOneCompareEach() {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        CbpfProgram destination = Libpcap.compile("dst net 198.51.100.0/24", LinkType.EN10MB);
        int small = xlatedWithAllEnabled(portRules(destination, 20));
        int large = xlatedWithAllEnabled(portRules(destination, 220));
        assertThat((large - small) / 200.0)
                .as("translated instructions per additional rule")
                .isLessThanOrEqualTo(3.0);
    }

    private static List<List<CbpfProgram>> portRules(CbpfProgram destination, int count) {
        List<List<CbpfProgram>> rules = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rules.add(List.of(destination, Libpcap.compile("udp and dst port " + (10_000 + i), LinkType.EN10MB)));
        }
        return rules;
    }

    private static int xlatedWithAllEnabled(List<List<CbpfProgram>> rules) {
        BitSet all = new BitSet();
        all.set(0, rules.size());
        byte[] code = ChainProgram.of(FilterChain.of(rules), 30_000)
                .resolve(ChainProgram.enabling(rules.size(), all), Map.of())
                .encode();
        try (Program loaded = Program.load(ProgramSpec.xdp("levee_ports", code))) {
            return loaded.info().xlatedLength() / 8;
        }
    }
}
