package org.levee.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
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
 * A {@link FilterIndex} finds, on every packet, the first enabled filter that matches — the
 * interpreter's answer, filter by filter — in the kernel: port rules behind destinations, the
 * benchmark's five shapes, filters that cannot be indexed between indexed ones, filters found by
 * two keys, tcpdump expressions of every family and random cBPF programs with siblings that
 * differ in a constant; each with four random sets of enabled filters, cut into sections of
 * different sizes, on packets built to hit each bucket, to nearly hit it (a port or an address
 * off by one, another protocol, a fragment, IPv6) and to miss.
 */
@Tag("kernel")
class FilterIndexTest {
    private static List<byte[]> corpus;
    private static long comparisons;
    private static long matchedAfterTheFirst;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library(Libpcap.SONAME);
        corpus = PacketCorpus.standard().stream()
                .map(PacketCorpus.Packet::data)
                .filter(p -> p.length >= XdpFilterProgram.MIN_TEST_RUN_BYTES)
                .toList();
    }

    private static CbpfProgram pcap(String expression) {
        return Libpcap.compile(expression, LinkType.EN10MB);
    }

    private static final String[] NETS = {"198.51.100.0/24", "203.0.113.128/25", "192.0.2.0/28"};

    /**
     * Port rules behind destination networks, as the data plane builds them (ports repeat, so some
     * buckets hold several rules): on frames to each rule's port and network, to the ports either
     * side, to the addresses just outside the network, over TCP, as fragments and over IPv6.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void portRulesBehindDestinationsFindTheFirstEnabledMatch(long seed) {
        Random random = new Random(seed);
        int count = 60 + random.nextInt(340);
        List<List<CbpfProgram>> filters = new ArrayList<>();
        List<int[]> targets = new ArrayList<>(); // port, net
        for (int i = 0; i < count; i++) {
            int port = 10_000 + random.nextInt(count * 2);
            int net = random.nextInt(NETS.length);
            String match = random.nextInt(6) == 0 ? "tcp dst port " + port : "udp and dst port " + port;
            filters.add(List.of(pcap("dst net " + NETS[net]), pcap(match)));
            targets.add(new int[] {port, net});
        }
        List<byte[]> packets = new ArrayList<>();
        for (int[] target : targets) {
            int port = target[0];
            byte[] inside = address(target[1], random.nextInt(3) == 0 ? -1 : random.nextInt(16));
            packets.add(Frames.ipv4(17, inside, 4000, port, 0, 0));
            packets.add(Frames.ipv4(17, inside, 4000, port + (random.nextBoolean() ? 1 : -1), 0, 0));
            packets.add(Frames.ipv4(6, inside, 4000, port, 0x02, 0));
            if (random.nextInt(3) == 0) {
                packets.add(Frames.ipv4(17, outside(target[1], random.nextBoolean()), 4000, port, 0, 0));
                packets.add(Frames.ipv4(17, inside, 4000, port, 0, 1 + random.nextInt(100)));
                packets.add(Frames.ipv6Udp(true, 4000, port));
            }
        }
        packets.addAll(corpus.subList(0, 200));
        check("seed " + seed + ", " + count + " port rules", filters, packets, random, 1 + random.nextInt(32), true);
    }

    /**
     * The benchmark's five shapes in turn (UDP and TCP ports behind destination networks, UDP
     * source ports, hosts, IPv6 ports): five classes, a filter found by two of them (source port
     * over IPv4 and IPv6), buckets of several equal rules (hosts come back), and the jump to the
     * best match across classes.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23})
    void rulesOfFiveShapesFindTheFirstEnabledMatch(long seed) {
        Random random = new Random(seed);
        int count = 300 + random.nextInt(300);
        List<List<CbpfProgram>> filters = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            filters.add(shape(i, 10_000 + i));
        }
        List<byte[]> packets = new ArrayList<>();
        for (int p = 0; p < 1500; p++) {
            int port = 10_000 + random.nextInt(count + 20) - (random.nextInt(8) == 0 ? 5000 : 0);
            int other = random.nextInt(6) == 0 ? port + random.nextInt(3) - 1 : 4000 + random.nextInt(100);
            byte[] dst = switch (random.nextInt(4)) {
                case 0 -> new byte[] {(byte) 198, 51, 100, (byte) random.nextInt(256)};
                case 1 -> new byte[] {(byte) 203, 0, 113, (byte) random.nextInt(256)};
                case 2 -> new byte[] {(byte) 192, 0, 2, (byte) random.nextInt(256)};
                default -> new byte[] {10, 0, 0, 1};
            };
            packets.add(
                    switch (random.nextInt(5)) {
                        case 0, 1 -> Frames.ipv4(17, dst, other, port, 0, 0);
                        case 2 -> Frames.ipv4(17, dst, port, other, 0, 0);
                        case 3 -> Frames.ipv4(6, dst, other, port, random.nextBoolean() ? 0x02 : 0x10, 0);
                        default ->
                            Frames.ipv6Udp(
                                    random.nextBoolean(),
                                    random.nextBoolean() ? port : other,
                                    random.nextBoolean() ? port : other);
                    });
        }
        packets.addAll(corpus.subList(0, 300));
        check(
                "seed " + seed + ", " + count + " rules of five shapes",
                filters,
                packets,
                random,
                1 + random.nextInt(60),
                true);
    }

    /** Rule i of the benchmark's mixed set, for port N. */
    private static List<CbpfProgram> shape(int i, int port) {
        return switch (i % 5) {
            case 0 -> List.of(pcap("dst net 198.51.100.0/24"), pcap("udp and dst port " + port));
            case 1 ->
                List.of(
                        pcap("dst net 203.0.113.0/24"),
                        pcap("tcp dst port " + port + " and tcp[tcpflags] & tcp-syn != 0"));
            case 2 -> List.of(pcap("udp src port " + port));
            case 3 -> List.of(pcap("dst host 192.0.2." + (1 + i % 250) + " and udp"));
            default -> List.of(pcap("dst net 2001:db8::/32"), pcap("ip6 and udp port " + port));
        };
    }

    /**
     * Filters no key finds (a protocol, a length, a TTL, a catch-all, ports in a range) between
     * port rules, anywhere in the order, some of them matching the same packets as port rules
     * before or after them: each must win exactly where it comes first.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {31, 32, 33, 34, 35, 36})
    void filtersOutsideTheIndexKeepTheirPlaceBetweenIndexedOnes(long seed) {
        Random random = new Random(seed);
        String[] unindexed = {
            "udp",
            "udp and len > 80",
            "ip[8] = 64 and udp",
            "tcp[tcpflags] & tcp-syn != 0",
            "portrange 10010-10020",
            "udp and udp[8] = 0x41",
            "len > 90",
            "ip6",
            "not ip",
            "udp dst portrange 10000-10100 and ip[8] > 60"
        };
        int count = 80 + random.nextInt(200);
        List<List<CbpfProgram>> filters = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (random.nextInt(12) == 0) {
                filters.add(List.of(pcap(unindexed[random.nextInt(unindexed.length)])));
            } else {
                int port = 10_000 + random.nextInt(count);
                ports.add(port);
                filters.add(List.of(
                        pcap("dst net 198.51.100.0/24"),
                        pcap((random.nextInt(4) == 0 ? "tcp" : "udp") + " and dst port " + port)));
            }
        }
        List<byte[]> packets = new ArrayList<>();
        for (int p = 0; p < 1200; p++) {
            int port = random.nextInt(5) == 0
                    ? 10_000 + random.nextInt(count + 10)
                    : ports.get(random.nextInt(ports.size()));
            byte[] dst = random.nextInt(6) == 0
                    ? new byte[] {(byte) 198, 51, 101, 0}
                    : new byte[] {(byte) 198, 51, 100, (byte) random.nextInt(256)};
            byte[] packet = switch (random.nextInt(6)) {
                case 0 -> Frames.ipv4(6, dst, 4000, port, random.nextBoolean() ? 0x02 : 0x10, 0);
                case 1 -> Frames.ipv6Udp(true, 4000, port);
                default -> Frames.ipv4(17, dst, 4000, port, 0, 0);
            };
            if (random.nextBoolean()) {
                packet[22] = (byte) (random.nextBoolean() ? 64 : 63); // TTL
            }
            if (random.nextInt(4) == 0) {
                packet[42] = 0x41;
            }
            packets.add(random.nextInt(5) == 0 ? java.util.Arrays.copyOf(packet, packet.length + 40) : packet);
        }
        packets.addAll(corpus.subList(0, 300));
        check(
                "seed " + seed + ", " + count + " rules with some outside the index",
                filters,
                packets,
                random,
                1 + random.nextInt(20),
                true);
    }

    /**
     * Filters with several ways to match, one key each: {@code port N} (source or destination,
     * IPv4 or IPv6: four classes), two destination ports (two buckets of one class), a UDP or a
     * TCP port.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {41, 42, 43})
    void filtersWithSeveralWaysToMatchAreFoundByEach(long seed) {
        Random random = new Random(seed);
        int count = 100 + random.nextInt(150);
        List<List<CbpfProgram>> filters = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int a = 20_000 + random.nextInt(count);
            int b = 20_000 + random.nextInt(count);
            filters.add(List.of(pcap(
                    switch (random.nextInt(4)) {
                        case 0 -> "port " + a;
                        case 1 -> "udp dst port " + a + " or udp dst port " + b;
                        case 2 -> "udp port " + a + " or tcp port " + b;
                        default -> "udp and dst port " + a;
                    })));
        }
        List<byte[]> packets = new ArrayList<>();
        for (int p = 0; p < 1500; p++) {
            int port = 20_000 + random.nextInt(count + 5);
            int other = random.nextInt(4) == 0 ? 20_000 + random.nextInt(count) : 3000;
            byte[] dst = {(byte) 203, 0, 113, 9};
            packets.add(
                    switch (random.nextInt(5)) {
                        case 0 -> Frames.ipv4(17, dst, port, other, 0, 0);
                        case 1 -> Frames.ipv4(6, dst, other, port, 0x10, 0);
                        case 2 -> Frames.ipv6Udp(false, other, port);
                        case 3 -> Frames.ipv6Udp(false, port, other);
                        default -> Frames.ipv4(17, dst, other, port, 0, 0);
                    });
        }
        check(
                "seed " + seed + ", " + count + " filters with two keys",
                filters,
                packets,
                random,
                1 + random.nextInt(16),
                true);
    }

    /**
     * tcpdump expressions of every kind, most indexed on something (a host, a port, a VLAN id,
     * an ICMP type, a TTL), with the classes as small as one filter: every value the compiler can
     * key on, every prelude it writes.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {51, 52, 53, 54})
    void expressionsOfEveryKindFindTheFirstEnabledMatch(long seed) {
        Random random = new Random(seed);
        int count = 40 + random.nextInt(120);
        List<List<CbpfProgram>> filters = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String expression = random.nextInt(3) == 0
                    ? FilterExpressions.ALL.get(random.nextInt(FilterExpressions.ALL.size()))
                    : switch (random.nextInt(6)) {
                        case 0 -> "host 192.0.2." + random.nextInt(20);
                        case 1 -> "vlan " + random.nextInt(8) + " and udp";
                        case 2 -> "ip[8] = " + (60 + random.nextInt(8));
                        case 3 -> "icmp[icmptype] = " + random.nextInt(12);
                        case 4 -> "tcp src port " + (1000 + random.nextInt(20)) + " and tcp[13] = " + random.nextInt(4);
                        default -> "ip6 and dst host 2001:db8::" + random.nextInt(16);
                    };
            filters.add(List.of(pcap(expression)));
        }
        check("seed " + seed + ", " + count + " expressions", filters, corpus, random, 1 + random.nextInt(3), false);
    }

    /**
     * Random cBPF programs and siblings that differ from them in a constant: loads of every mode
     * and width, X from arithmetic, scratch memory — keys and preludes of every shape the
     * compiler can write, on random packets.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {61, 62, 63, 64, 65, 66, 67, 68})
    void randomProgramsAndTheirSiblingsFindTheFirstEnabledMatch(long seed) {
        RandomCbpf generator = new RandomCbpf(seed);
        Random random = new Random(seed);
        for (int round = 0; round < 4; round++) {
            List<List<Op>> bases = new ArrayList<>();
            for (int b = 0; b < 1 + random.nextInt(3); b++) {
                bases.add(generator.next(20));
            }
            List<List<CbpfProgram>> filters = new ArrayList<>();
            int count = 2 + random.nextInt(40);
            for (int i = 0; i < count; i++) {
                filters.add(List.of(RandomCbpf.link(sibling(bases.get(random.nextInt(bases.size())), random))));
            }
            List<byte[]> packets = new ArrayList<>();
            for (int p = 0; p < 300; p++) {
                packets.add(generator.packet(14 + random.nextInt(p % 3 == 0 ? 120 : 50)));
            }
            check("seed " + seed + " round " + round, filters, packets, random, 1, false);
        }
    }

    /** {@code base} with the constant of one jump changed, three times in four. */
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
        }
        return ops;
    }

    /**
     * With every filter disabled the program the kernel keeps is the program of no filters at all,
     * and with one enabled it is as long in a set of 2,000 as in a set of 200 — its JIT-compiled
     * code, and its translated code but for the enabled guards, which stay as {@code gotol +0}
     * (no code once compiled; a set of 2,000 has more of them on the way down the tree): the tree
     * keeps nothing of the disabled buckets (each node with a disabled side is skipped), the
     * classes whose filters are all disabled vanish.
     */
    @Test
    void disabledFiltersLeaveNothingInTheProgram() {
        List<List<CbpfProgram>> small = new ArrayList<>();
        List<List<CbpfProgram>> large = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            List<CbpfProgram> rule = shape(i, 10_000 + i);
            large.add(rule);
            if (i < 200) {
                small.add(rule);
            }
        }
        IndexProgram.Built none = IndexProgram.of(FilterIndex.of(List.of(), 1), 1, 30_000, 250_000);
        Loaded empty = load(none, new BitSet());
        IndexProgram.Built smallIndex = IndexProgram.of(FilterIndex.of(small, 16), Integer.MAX_VALUE, 30_000, 250_000);
        IndexProgram.Built largeIndex = IndexProgram.of(FilterIndex.of(large, 16), Integer.MAX_VALUE, 30_000, 250_000);
        for (IndexProgram.Built built : List.of(smallIndex, largeIndex)) {
            assertThat(built.groups()).as("groups").isNotEmpty();
            assertThat(load(built, new BitSet()).xlated())
                    .as(
                            "%d groups, all disabled, against no filters",
                            built.groups().size())
                    .isEqualTo(empty.xlated());
        }
        for (int only : new int[] {0, 3, 5, 11, 152, 194}) {
            BitSet enabled = new BitSet();
            enabled.set(only);
            Loaded one = load(smallIndex, enabled);
            Loaded ofMany = load(largeIndex, enabled);
            assertThat(ofMany.jited())
                    .as("only filter %d enabled, JIT code: of 2,000 filters against of 200", only)
                    .isEqualTo(one.jited());
            assertThat(withoutNoOps(ofMany.xlated()))
                    .as("only filter %d enabled, without no-op jumps: of 2,000 against of 200", only)
                    .isEqualTo(withoutNoOps(one.xlated()));
            assertThat(withoutNoOps(one.xlated()))
                    .as("only filter %d enabled, against none", only)
                    .isGreaterThan(withoutNoOps(empty.xlated()));
        }
    }

    private record Loaded(byte[] xlated, int jited) {}

    private static Loaded load(IndexProgram.Built built, BitSet enabled) {
        byte[] code = built.program()
                .resolve(
                        IndexProgram.enabling(built.program(), enabled, built.groups()),
                        Map.of(),
                        AssembledProgram.EnabledGuard.GOTOL)
                .encode();
        try (Program loaded = Program.load(ProgramSpec.xdp("levee_index", code))) {
            return new Loaded(loaded.info().xlated(), loaded.info().jitedLength());
        }
    }

    /** Instructions of {@code xlated} that are not a jump to the next instruction ({@code goto +0}, {@code gotol +0}). */
    private static int withoutNoOps(byte[] xlated) {
        return (int) org.levee.ebpf.asm.InstructionCodec.decode(xlated).stream()
                .filter(insn -> !isNoOp(insn))
                .count();
    }

    private static boolean isNoOp(org.levee.ebpf.asm.Instruction insn) {
        return insn.equals(org.levee.ebpf.asm.Instruction.ja(0))
                || insn.equals(org.levee.ebpf.asm.Instruction.gotol(0));
    }

    /**
     * Loads {@code filters} as an index with several random sets of enabled filters, cut into
     * sections of random sizes, and compares every packet with the interpreter.
     */
    private static void check(
            String what,
            List<List<CbpfProgram>> filters,
            List<byte[]> packets,
            Random random,
            int minClassSize,
            boolean mustIndex) {
        FilterIndex index = FilterIndex.of(filters, minClassSize);
        if (mustIndex) {
            assertThat(index.hasClasses()).as("%s: indexed", what).isTrue();
        }
        int sectionFilters = random.nextBoolean() ? Integer.MAX_VALUE : 1 + random.nextInt(filters.size());
        IndexProgram.Built built =
                IndexProgram.of(index, sectionFilters, random.nextBoolean() ? 30_000 : 3_000, 250_000);
        for (int mask = 0; mask < 4; mask++) {
            BitSet enabled = new BitSet();
            for (int i = 0; i < filters.size(); i++) {
                if (mask == 0 || random.nextInt(mask + 1) != 0) {
                    enabled.set(i);
                }
            }
            byte[] code = built.program()
                    .resolve(
                            IndexProgram.enabling(built.program(), enabled, built.groups()),
                            Map.of(),
                            AssembledProgram.EnabledGuard.GOTOL)
                    .encode();
            try (Program loaded = Program.load(ProgramSpec.xdp("levee_index", code))) {
                for (byte[] packet : packets) {
                    int expected = firstMatch(filters, enabled, packet);
                    comparisons++;
                    matchedAfterTheFirst += expected > 1 ? 1 : 0;
                    int actual = loaded.testRun(TestRun.of(packet).withDataOutCapacity(0))
                            .returnValue();
                    if (actual != expected) {
                        fail(
                                "%s (%d classes, %d sections, classes of %d or more), enabled %s: the index says %d, the interpreter %d"
                                        + " (0 = none, else 1 + index) on %s%n%s",
                                what,
                                index.classes(),
                                built.sections(),
                                minClassSize,
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

    @AfterAll
    static void theIndexesWereExercised() {
        System.out.printf(
                "filter indexes: %d packets compared, %d matched a filter after the first%n",
                comparisons, matchedAfterTheFirst);
        if (comparisons > 0) {
            assertThat(matchedAfterTheFirst).isGreaterThan(comparisons / 20);
        }
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

    /** Address {@code host} of network {@code net} of {@link #NETS} (-1: its last). */
    private static byte[] address(int net, int host) {
        return switch (net) {
            case 0 -> new byte[] {(byte) 198, 51, 100, (byte) (host < 0 ? 255 : host)};
            case 1 -> new byte[] {(byte) 203, 0, 113, (byte) (host < 0 ? 255 : 128 + host)};
            default -> new byte[] {(byte) 192, 0, 2, (byte) (host < 0 ? 15 : host)};
        };
    }

    /** The address just before ({@code below}) or just after network {@code net}. */
    private static byte[] outside(int net, boolean below) {
        return switch (net) {
            case 0 -> below ? new byte[] {(byte) 198, 51, 99, (byte) 255} : new byte[] {(byte) 198, 51, 101, 0};
            case 1 -> below ? new byte[] {(byte) 203, 0, 113, 127} : new byte[] {(byte) 203, 0, 114, 0};
            default -> below ? new byte[] {(byte) 192, 0, 1, (byte) 255} : new byte[] {(byte) 192, 0, 2, 16};
        };
    }

    /** Frames: IPv4 UDP/TCP (optionally a fragment), IPv6 UDP into or out of 2001:db8::/32. */
    static final class Frames {
        static byte[] ipv4(int protocol, byte[] dst, int srcPort, int dstPort, int tcpFlags, int fragmentOffset) {
            ByteBuffer b = ByteBuffer.allocate(protocol == 6 ? 74 : 62);
            b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
            b.put((byte) 0x45)
                    .put((byte) 0)
                    .putShort((short) (b.capacity() - 14))
                    .putShort((short) 1)
                    .putShort((short) (0x4000 | fragmentOffset))
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
            ByteBuffer b = ByteBuffer.allocate(14 + 40 + 8 + 12);
            b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x86dd);
            b.putInt(0x60000000).putShort((short) 20).put((byte) 17).put((byte) 64);
            b.put(new byte[16]);
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
}
