package org.levee.bench;

import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.Status;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.NetworkInterfaces;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.ThreadAffinity;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.XdpLink;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.asm.Size;
import org.levee.ebpf.netns.Netns;
import org.levee.lab.DeliveryCounts;
import org.levee.lab.DemoLab;
import org.levee.lab.FloodGenerator;
import org.levee.lab.FloodKind;
import org.levee.lab.FloodPath;
import org.levee.lab.FrameField.RandomNumber;
import org.levee.lab.FrameField.RandomSource;
import org.levee.lab.FrameRecipe;
import org.levee.lab.GeneratorKind;
import org.levee.lab.LegitTraffic;
import org.levee.lab.MacAddress;
import org.levee.lab.Subnet24;
import org.levee.netns.CommandResult;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;

/**
 * {@code levee bench drop}: what one dropped packet costs the CPU that receives it, with Levee's
 * XDP data plane and with what users would pick instead, in one run.
 *
 * <pre>
 *   gen  ──(socket or live frames)──► hop ──(XDP redirect: raw frames, as from a NIC)──► sink 203.0.113.10
 *   clients 198.51.100.11 ──────────► hop (routed by its kernel) ────────────────────────► sink :9000 (UDP echo)
 * </pre>
 *
 * The generator sends 64-byte UDP frames with random sources to one destination port at a fixed
 * rate from CPU 0. The hop redirects them in XDP, so the sink's veth receives raw XDP frames, the
 * way a NIC delivers them (frames a socket sends would arrive as socket buffers, and native XDP
 * would pay for copying each out, which hides the difference). The sink's veth runs threaded NAPI
 * pinned to CPU 1 and nothing else runs there: the CPU time of that one kernel thread per dropped
 * packet is what each mechanism costs. The hop's receiving NAPI thread runs on CPU 0 with
 * SCHED_BATCH, so it polls in batches. Every mechanism's own drop counter confirms the packets
 * were dropped where it claims, and a legitimate client's UDP requests to a service on the sink
 * show what is left for real work.
 */
public final class DropBenchmark {
    /** The flood's destination port; Levee's rules and the netfilter rules match it. */
    static final int FLOOD_PORT = 10_000;

    static final String SINK_ADDRESS = "203.0.113.10";
    private static final int SENDER_CPU = 0;
    private static final int RECEIVER_CPU = 1;
    private static final Pattern NFT_COUNTER = Pattern.compile("counter packets (\\d+) bytes");
    private static final Pattern UDP_NO_PORTS = Pattern.compile("(?m)^Udp: (\\d+) (\\d+)");

    private DropBenchmark() {}

    /**
     * How the run is made.
     *
     * @param rate flood packets per second offered
     * @param seconds measured seconds per mechanism (after a second of warm-up)
     * @param legitPerSecond legitimate UDP requests per second throughout
     * @param rounds how many times every mechanism is measured, the floor first in each round
     * @param only the {@link #MECHANISMS} to measure besides the floor, which is always measured;
     *     empty for all of them
     */
    public record Options(long rate, double seconds, long legitPerSecond, int rounds, Set<String> only) {
        public Options {
            if (rate < 1 || seconds < 0.5 || legitPerSecond < 1 || rounds < 1) {
                throw new IllegalArgumentException(
                        "drop benchmark: rate ≥ 1, seconds ≥ 0.5, legitimate rate ≥ 1 and rounds ≥ 1 needed, got "
                                + rate + ", " + seconds + ", " + legitPerSecond + ", " + rounds);
            }
            only = Set.copyOf(only);
            for (String key : only) {
                if (!MECHANISMS.contains(key)) {
                    throw new IllegalArgumentException(
                            "drop benchmark: no mechanism '" + key + "'; there are " + String.join(", ", MECHANISMS));
                }
            }
        }

        public Options(long rate, double seconds, long legitPerSecond, int rounds) {
            this(rate, seconds, legitPerSecond, rounds, Set.of());
        }

        boolean measures(Mechanism m) {
            return m instanceof XdpDrop || only.isEmpty() || only.contains(m.key());
        }
    }

    /** The mechanisms' short names, in the order they are measured; {@code floor} is bare XDP_DROP. */
    public static final List<String> MECHANISMS =
            mechanisms().stream().map(Mechanism::key).toList();

    private static List<Mechanism> mechanisms() {
        return List.of(
                new XdpDrop(),
                new Levee("levee-100-first", 100, 0),
                new Levee("levee-100-last", 100, 99),
                new Levee("levee-10000-last", 10_000, 9_999),
                new Netfilter(
                        "nft-netdev", "nftables netdev ingress", DropBenchmark::nftNetdev, DropBenchmark::nftCount),
                new Netfilter(
                        "nft-raw", "nftables inet prerouting raw", DropBenchmark::nftRaw, DropBenchmark::nftCount),
                new Netfilter("iptables-raw", "iptables raw PREROUTING", null, DropBenchmark::iptablesCount),
                new ClosedPort());
    }

    /**
     * One mechanism's measurement in one round.
     *
     * @param round the round (from 0) it was measured in
     * @param mechanism what dropped the packets
     * @param offeredPps flood packets per second the generator offered
     * @param dropped packets the mechanism's own counter says it dropped while measured
     * @param receiverNanos CPU time of the sink's NAPI thread while measured
     * @param legit the legitimate requests sent while measured, and their fate
     */
    public record Row(
            int round, String mechanism, double offeredPps, long dropped, long receiverNanos, DeliveryCounts legit) {
        public double nanosPerDrop() {
            return dropped == 0 ? Double.NaN : (double) receiverNanos / dropped;
        }
    }

    /**
     * A mechanism over every round: the median of its ns per packet, and of its ratio to the floor
     * measured in the same round, with the smallest and largest of those ratios. Each round
     * measures the floor again, so that the machine's drift between the first and the last
     * mechanism (a few per cent over a minute here) does not go into the ratios.
     *
     * @param dropped packets its own counter says it dropped, over every round
     * @param legitDelivered legitimate requests delivered while it was measured, over every round
     * @param legitSent legitimate requests sent while it was measured, over every round
     */
    public record Summary(
            String mechanism,
            int rounds,
            double offeredPps,
            long dropped,
            double medianNanos,
            double medianRatio,
            double minRatio,
            double maxRatio,
            long legitDelivered,
            long legitSent) {}

    /**
     * The rows of every round summed up, one {@link Summary} per mechanism in the order they were
     * measured; in each round the first row is the floor.
     */
    public static List<Summary> summarize(List<Row> rows) {
        Map<Integer, Double> floors = new LinkedHashMap<>();
        Map<String, List<Row>> byMechanism = new LinkedHashMap<>();
        for (Row row : rows) {
            floors.putIfAbsent(row.round(), row.nanosPerDrop());
            byMechanism.computeIfAbsent(row.mechanism(), k -> new ArrayList<>()).add(row);
        }
        List<Summary> summaries = new ArrayList<>();
        byMechanism.forEach((mechanism, measured) -> {
            double[] nanos = measured.stream().mapToDouble(Row::nanosPerDrop).toArray();
            double[] ratios = measured.stream()
                    .mapToDouble(r -> r.nanosPerDrop() / floors.get(r.round()))
                    .toArray();
            summaries.add(new Summary(
                    mechanism,
                    measured.size(),
                    measured.stream().mapToDouble(Row::offeredPps).average().orElse(Double.NaN),
                    measured.stream().mapToLong(Row::dropped).sum(),
                    median(nanos),
                    median(ratios),
                    Arrays.stream(ratios).min().orElse(Double.NaN),
                    Arrays.stream(ratios).max().orElse(Double.NaN),
                    measured.stream().mapToLong(r -> r.legit().delivered()).sum(),
                    measured.stream().mapToLong(r -> r.legit().sent()).sum()));
        });
        return summaries;
    }

    /** The median (the mean of the middle two for an even count); NaN when any value is NaN. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        if (sorted.length == 0 || Double.isNaN(sorted[sorted.length - 1])) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** A way of dropping the flood on the sink, set up and torn down around its measurement. */
    private interface Mechanism {
        /** The short name {@code --only} takes. */
        String key();

        String name();

        /** The destination port the flood is sent to for this mechanism. */
        default int floodPort() {
            return FLOOD_PORT;
        }

        void setUp(DropLab lab) throws Exception;

        /** Packets dropped so far, by the mechanism's own count. */
        long dropped(DropLab lab) throws Exception;

        void tearDown(DropLab lab) throws Exception;
    }

    /**
     * Runs every mechanism in turn, {@link Options#rounds} times; {@code log} hears about the
     * set-up, {@code report} gets each row as it is measured (the first of each round is the
     * floor: bare XDP_DROP). {@link #summarize} makes the table of the run.
     */
    public static List<Row> run(Options options, Consumer<String> log, Consumer<Row> report) throws Exception {
        if (Runtime.getRuntime().availableProcessors() < 2) {
            throw new IllegalStateException("the drop benchmark needs 2 CPUs: one receives, the other sends");
        }
        // On a thread of its own, pinned to CPU 0 with every thread and process it starts (generator,
        // legitimate clients, ip, nft): pinning the caller's thread would confine whatever the caller
        // starts afterwards to one CPU too (it did: the CLI tests after this one ran their demos on one CPU).
        java.util.concurrent.FutureTask<List<Row>> task = new java.util.concurrent.FutureTask<>(() -> {
            ThreadAffinity.pin(SENDER_CPU);
            return runPinned(options, log, report);
        });
        Thread.ofPlatform().name("levee-bench-drop").start(task);
        try {
            return task.get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static List<Row> runPinned(Options options, Consumer<String> log, Consumer<Row> report) throws Exception {
        GeneratorKind generator = GeneratorKind.preferred();
        log.accept("generator: " + generator.id() + " (" + generator.description() + ") at " + options.rate()
                + " pps from CPU " + SENDER_CPU + "; the sink's NAPI thread on CPU " + RECEIVER_CPU);
        List<Mechanism> mechanisms =
                mechanisms().stream().filter(options::measures).toList();
        List<Row> rows = new ArrayList<>();
        try (DropLab lab = DropLab.create(log);
                LegitTraffic legit = LegitTraffic.start(
                        lab.sink,
                        InetAddress.getByName(SINK_ADDRESS),
                        lab.clients,
                        List.of((Inet4Address) InetAddress.getByName("198.51.100.11")),
                        options.legitPerSecond(),
                        0)) {
            for (int round = 0; round < options.rounds(); round++) {
                for (Mechanism m : mechanisms) {
                    Row row = measure(round, lab, legit, m, generator, options);
                    rows.add(row);
                    report.accept(row);
                }
            }
        }
        return rows;
    }

    private static Row measure(
            int round, DropLab lab, LegitTraffic legit, Mechanism m, GeneratorKind kind, Options options)
            throws Exception {
        m.setUp(lab);
        try (FloodGenerator generator =
                FloodGenerator.open(kind, lab.floodPath, recipe(lab.floodPath, m.floodPort()))) {
            NapiThread receiver = lab.receiverNapi(); // after the attach: a veth makes its NAPI thread then
            generator.pinTo(SENDER_CPU);
            generator.start(options.rate());
            Thread.sleep(1000); // warm-up: caches, JIT, the hop's batching
            long offered0 = generator.offered();
            long dropped0 = m.dropped(lab);
            long cpu0 = receiver.cpuNanos();
            long from = System.nanoTime();
            Thread.sleep((long) (options.seconds() * 1000));
            long to = System.nanoTime();
            long cpu1 = receiver.cpuNanos();
            long dropped1 = m.dropped(lab);
            long offered1 = generator.offered();
            generator.stop();
            return new Row(
                    round,
                    m.name(),
                    (offered1 - offered0) * 1e9 / (to - from),
                    dropped1 - dropped0,
                    cpu1 - cpu0,
                    legit.window(from, to - 300_000_000L));
        } finally {
            m.tearDown(lab);
        }
    }

    /** 64-byte UDP frames to {@code port} of the sink, random sources and source ports. */
    static FrameRecipe recipe(FloodPath path, int port) {
        byte[] frame = new byte[64];
        java.nio.ByteBuffer f = java.nio.ByteBuffer.wrap(frame);
        f.put(path.destinationMac().bytes()).put(path.sourceMac().bytes()).putShort((short) 0x0800);
        f.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) 50)
                .putShort((short) 0)
                .putShort((short) 0)
                .put((byte) 64)
                .put((byte) 17)
                .putShort((short) 0)
                .putInt(0)
                .put(path.victim().getAddress());
        f.putShort((short) 0).putShort((short) port).putShort((short) 30).putShort((short) 0);
        return new FrameRecipe(
                FloodKind.UDP_RANDOM_PORTS,
                frame,
                List.of(
                        new RandomNumber(18, 2, 0, 65535),
                        new RandomSource(26, path.spared()),
                        new RandomNumber(34, 2, 1024, 65535)));
    }

    // ---- the mechanisms ----

    /** The floor: an XDP program that counts and drops. */
    private static final class XdpDrop implements Mechanism {
        private BpfMap counter;
        private Program program;
        private XdpLink link;

        @Override
        public String key() {
            return "floor";
        }

        @Override
        public String name() {
            return "bare XDP_DROP";
        }

        @Override
        public void setUp(DropLab lab) throws Exception {
            counter = BpfMap.create(MapSpec.perCpuArray("drop_count", 8, 1));
            program = Program.load(ProgramSpec.xdp("bench_drop", countAnd(counter.fd(), XdpAction.DROP)));
            link = lab.attach(program);
        }

        @Override
        public long dropped(DropLab lab) {
            return Arrays.stream(counter.perCpuLongs(0)).sum();
        }

        @Override
        public void tearDown(DropLab lab) {
            link.close();
            program.close();
            counter.close();
        }
    }

    /** Levee's data plane: {@code rules} rules {@code udp and dst port N}, the flood matching rule {@code matched}, sampling 1/1000. */
    private static final class Levee implements Mechanism {
        private final String key;
        private final int rules;
        private final int matched;

        Levee(String key, int rules, int matched) {
            this.key = key;
            this.rules = rules;
            this.matched = matched;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public String name() {
            return "Levee, " + String.format("%,d", rules) + " rules, flood on rule " + (matched + 1)
                    + ", sampling 1/1000";
        }

        @Override
        public int floodPort() {
            return FLOOD_PORT + matched;
        }

        @Override
        public void setUp(DropLab lab) {
            StringBuilder yaml = new StringBuilder("rules:\n");
            for (int i = 0; i < rules; i++) {
                yaml.append("  - {id: port-")
                        .append(i)
                        .append(", filter: udp and dst port ")
                        .append(FLOOD_PORT + i)
                        .append(", destinations: [203.0.113.0/24], action: drop}\n");
            }
            RuleSet set = RuleCodec.parse("bench", yaml.toString());
            RuleSetObject object =
                    RuleSetObject.compile(set, new RuleFilters().compile("bench", set), new ProgramBuilder());
            Attachment.attach(lab.levee(), object, null, 1000, XdpMode.NATIVE, Instant.now());
        }

        @Override
        public long dropped(DropLab lab) {
            String id = "port-" + matched;
            return Status.read(lab.levee()).rules().stream()
                    .filter(r -> r.id().equals(id))
                    .mapToLong(Status.RuleStatus::packets)
                    .sum();
        }

        @Override
        public void tearDown(DropLab lab) {
            Attachment.detach(lab.levee());
        }
    }

    /** A netfilter rule behind an XDP_PASS program (a veth takes redirected frames only while it runs XDP). */
    private static final class Netfilter implements Mechanism {
        private final String key;
        private final String name;
        private final java.util.function.Function<String, String> ruleset;
        private final CounterReader counter;
        private Program pass;
        private XdpLink link;

        /** {@code ruleset}: an nft script for the sink's device; null for the iptables rule. */
        Netfilter(String key, String name, java.util.function.Function<String, String> ruleset, CounterReader counter) {
            this.key = key;
            this.name = name;
            this.ruleset = ruleset;
            this.counter = counter;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void setUp(DropLab lab) throws Exception {
            pass = Program.load(ProgramSpec.xdp("bench_pass", countAnd(-1, XdpAction.PASS)));
            link = lab.attach(pass);
            if (ruleset != null) {
                lab.run(List.of("nft", "-f", "-"), ruleset.apply(lab.sinkInterface));
            } else {
                lab.run(
                        List.of(
                                "iptables",
                                "-w",
                                "-t",
                                "raw",
                                "-A",
                                "PREROUTING",
                                "-p",
                                "udp",
                                "--dport",
                                Integer.toString(FLOOD_PORT),
                                "-j",
                                "DROP"),
                        null);
            }
        }

        @Override
        public long dropped(DropLab lab) throws Exception {
            return counter.read(lab);
        }

        @Override
        public void tearDown(DropLab lab) throws Exception {
            if (ruleset != null) {
                lab.run(
                        List.of(
                                "nft",
                                "delete",
                                "table",
                                ruleset.apply(lab.sinkInterface).contains("netdev") ? "netdev" : "inet",
                                "levee_bench"),
                        null);
            } else {
                lab.run(List.of("iptables", "-w", "-t", "raw", "-F", "PREROUTING"), null);
            }
            link.close();
            pass.close();
        }
    }

    /** No rule: the flood reaches UDP, which finds no socket on the port and discards it. */
    private static final class ClosedPort implements Mechanism {
        private Program pass;
        private XdpLink link;

        @Override
        public String key() {
            return "closed-port";
        }

        @Override
        public String name() {
            return "no rule (UDP, closed port)";
        }

        @Override
        public void setUp(DropLab lab) throws Exception {
            pass = Program.load(ProgramSpec.xdp("bench_pass", countAnd(-1, XdpAction.PASS)));
            link = lab.attach(pass);
        }

        @Override
        public long dropped(DropLab lab) {
            Matcher m = UDP_NO_PORTS.matcher(lab.output(List.of("cat", "/proc/net/snmp")));
            if (!m.find()) { // "Udp: InDatagrams NoPorts …": the line of numbers, not the one of names
                throw new IllegalStateException("no Udp line in the sink's /proc/net/snmp");
            }
            return Long.parseLong(m.group(2));
        }

        @Override
        public void tearDown(DropLab lab) {
            link.close();
            pass.close();
        }
    }

    @FunctionalInterface
    private interface CounterReader {
        long read(DropLab lab) throws Exception;
    }

    private static String nftNetdev(String device) {
        return "table netdev levee_bench {\n  chain ingress {\n    type filter hook ingress device \"" + device
                + "\" priority -500;\n    udp dport " + FLOOD_PORT + " counter drop\n  }\n}\n";
    }

    private static String nftRaw(String device) {
        return "table inet levee_bench {\n  chain prerouting {\n    type filter hook prerouting priority raw;\n    udp dport "
                + FLOOD_PORT + " counter drop\n  }\n}\n";
    }

    private static long nftCount(DropLab lab) {
        Matcher m = NFT_COUNTER.matcher(lab.output(List.of("nft", "list", "ruleset")));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long iptablesCount(DropLab lab) {
        for (String line : lab.output(List.of("iptables", "-w", "-t", "raw", "-L", "PREROUTING", "-v", "-x", "-n"))
                .split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && f[2].equals("DROP")) {
                return Long.parseLong(f[0]);
            }
        }
        return 0;
    }

    /** XDP: count in slot 0 of {@code counterFd} (when ≥ 0), then return {@code action}. */
    static byte[] countAnd(int counterFd, XdpAction action) {
        Assembler a = new Assembler();
        if (counterFd >= 0) {
            a.emit(
                            st(Size.W, R10, -4, 0),
                            mov64(R2, R10),
                            add64(R2, -4),
                            ldMapFd(R1, counterFd),
                            call(Helper.MAP_LOOKUP_ELEM))
                    .jeqImm(R0, 0, "out")
                    .emit(ldxDW(R1, R0, 0), add64(R1, 1), stxDW(R0, 0, R1)) // per-CPU: no atomics needed
                    .label("out");
        }
        return a.emit(mov64(R0, action.code()), exit()).assemble().encode();
    }

    /** The benchmark's namespaces, links and threads. */
    private static final class DropLab implements AutoCloseable {
        private final NetnsLab lab;
        private final Thread shutdownHook;
        String gen;
        String clients;
        String hop;
        String sink;
        String sinkInterface;
        FloodPath floodPath;
        private VethPair hopSink;
        private Program redirect;
        private XdpLink redirectLink;

        private DropLab(NetnsLab lab) {
            this.lab = lab;
            this.shutdownHook = Thread.ofPlatform().unstarted(this::close);
        }

        static DropLab create(Consumer<String> log) throws Exception {
            DropLab d = new DropLab(NetnsLab.create());
            Runtime.getRuntime().addShutdownHook(d.shutdownHook);
            try {
                d.build(log);
                return d;
            } catch (Exception e) {
                d.close();
                throw e;
            }
        }

        private void build(Consumer<String> log) throws Exception {
            gen = lab.addNamespace("gen");
            clients = lab.addNamespace("clients");
            hop = lab.addNamespace("hop");
            sink = lab.addNamespace("sink");
            VethPair genHop = lab.addVeth(gen, "198.18.1.1/24", hop, "198.18.1.2/24");
            lab.addVeth(clients, "198.51.100.11/24", hop, "198.51.100.1/24");
            hopSink = lab.addVeth(sink, SINK_ADDRESS + "/24", hop, "203.0.113.1/24");
            sinkInterface = hopSink.interfaceA();
            lab.removeWithLab(levee().directory().getParent());
            ip(gen, "route", "add", "default", "via", "198.18.1.2");
            ip(clients, "route", "add", "default", "via", "198.51.100.1");
            ip(sink, "route", "add", "default", "via", "203.0.113.1");
            sysctl(hop, "net/ipv4/ip_forward", "1");
            for (String conf : List.of("all", "default", sinkInterface)) {
                sysctl(sink, "net/ipv4/conf/" + conf + "/rp_filter", "0");
            }
            int sinkFacing = Netns.run(hop, () -> NetworkInterfaces.index(hopSink.interfaceB()));
            redirect = Program.load(ProgramSpec.xdp("bench_redirect", DemoLab.redirectIpv4(sinkFacing)));
            redirectLink = Netns.run(hop, () -> XdpLink.attach(redirect, genHop.interfaceB(), XdpMode.NATIVE));
            NapiThread hopNapi = NapiThread.of(lab, hop, genHop.interfaceB());
            ThreadAffinity.pinThread(hopNapi.pid(), SENDER_CPU);
            hopNapi.batchScheduling();
            floodPath = new FloodPath(
                    gen,
                    genHop.interfaceA(),
                    mac(hop, hopSink.interfaceB()),
                    mac(sink, sinkInterface),
                    (Inet4Address) InetAddress.getByName(SINK_ADDRESS),
                    List.of(
                            Subnet24.parse("198.51.100.0/24"),
                            Subnet24.parse("203.0.113.0/24"),
                            Subnet24.parse("198.18.1.0/24")));
            log.accept("lab " + lab.id() + ": hop NAPI thread " + hopNapi.name() + " (pid " + hopNapi.pid()
                    + ") on CPU " + SENDER_CPU + ", SCHED_BATCH");
        }

        /** Where Levee's pins for the sink's interface go. */
        PinLayout levee() {
            return new PinLayout(sinkInterface, sink);
        }

        /** Attaches {@code program} to the sink's veth (native XDP). */
        XdpLink attach(Program program) throws Exception {
            return Netns.run(sink, () -> XdpLink.attach(program, sinkInterface, XdpMode.NATIVE));
        }

        /** The sink's NAPI thread of the program attached now, pinned to the receiving CPU. */
        NapiThread receiverNapi() {
            NapiThread receiver = NapiThread.of(lab, sink, sinkInterface);
            ThreadAffinity.pinThread(receiver.pid(), RECEIVER_CPU);
            return receiver;
        }

        /** Runs {@code command} in the sink's namespace with {@code input} on stdin; throws when it fails. */
        void run(List<String> command, String input) throws Exception {
            List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", sink));
            full.addAll(command);
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            if (input != null) {
                p.getOutputStream().write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' in " + sink + " failed: "
                        + out.strip() + (out.contains("not found") ? " (install Debian's nftables and iptables)" : ""));
            }
        }

        String output(List<String> command) {
            CommandResult r = lab.exec(sink, command.toArray(String[]::new));
            if (!r.succeeded()) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' in " + sink + " failed: "
                        + r.output().strip());
            }
            return r.output();
        }

        private void ip(String namespace, String... args) {
            List<String> command = new ArrayList<>(List.of("ip"));
            command.addAll(List.of(args));
            CommandResult r = lab.exec(namespace, command.toArray(String[]::new));
            if (!r.succeeded()) {
                throw new IllegalStateException("'" + String.join(" ", command) + "' in " + namespace + " failed: "
                        + r.output().strip());
            }
        }

        private static void sysctl(String namespace, String key, String value) throws Exception {
            Netns.run(namespace, () -> {
                java.nio.file.Files.writeString(java.nio.file.Path.of("/proc/sys", key), value);
            });
        }

        private static MacAddress mac(String namespace, String device) throws Exception {
            return Netns.run(
                    namespace,
                    () -> MacAddress.of(NetworkInterface.getByName(device).getHardwareAddress()));
        }

        @Override
        public synchronized void close() {
            try {
                if (redirectLink != null) {
                    redirectLink.close();
                }
                if (redirect != null) {
                    redirect.close();
                }
            } finally {
                try {
                    if (sinkInterface != null) {
                        Attachment.detach(levee());
                    }
                } catch (RuntimeException ignored) {
                    // nothing attached, or its namespace is gone: the lab's removal takes the pins
                }
                lab.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdownHook);
                } catch (IllegalStateException shuttingDown) {
                    // we are the hook
                }
            }
        }
    }
}
