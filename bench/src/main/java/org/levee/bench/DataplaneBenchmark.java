package org.levee.bench;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.DataplaneMapSet;
import org.levee.dataplane.LoadedProgram;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.DataplaneMaps;
import org.levee.dataplane.program.DataplaneProgram;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.dataplane.program.ProgramLimits;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.TestRun;
import org.levee.ebpf.asm.AssembledProgram;
import org.levee.ebpf.asm.Instruction;
import org.levee.ebpf.asm.Register;
import org.levee.ebpf.ringbuf.RingBufferReader;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilter;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;

/**
 * Cost of the data-plane program per packet: the kernel's mean test-run duration of the program
 * minus that of an XDP_PASS program measured right before it (the floor of a test run), for
 * rule sets of {@code udp and dst port N} rules with a destination prefix, in each scenario.
 * Each number is the smallest program time minus the smallest floor time over several rounds
 * (the machine is shared; noise only adds).
 */
public final class DataplaneBenchmark {
    private DataplaneBenchmark() {}

    /**
     * One measurement.
     *
     * @param scenario    what was measured
     * @param rules       rules in the set
     * @param nsPerPacket program time minus the floor, ns
     * @param floorNs     the XDP_PASS floor measured with it, ns
     */
    public record Row(String scenario, int rules, long nsPerPacket, long floorNs) {}

    private static final int ROUNDS = 5;
    private static final byte[] NO_MATCH = udpFrame(9);

    /** Runs every scenario for every size in {@code sizes}, reporting each row as it is measured. */
    public static List<Row> run(int[] sizes, int repeat, Consumer<Row> report) {
        List<Row> rows = new ArrayList<>();
        Consumer<Row> add = row -> {
            rows.add(row);
            report.accept(row);
        };
        try (Program floor = floor()) {
            for (int size : sizes) {
                rulesScenarios(size, repeat, floor, add);
            }
            samplerAndRateLimit(repeat, floor, add);
        }
        return rows;
    }

    private static void rulesScenarios(int size, int repeat, Program floor, Consumer<Row> add) {
        mixedScenario(size, repeat, floor, add);
        RuleSet set = RuleCodec.parse("bench", rules(size));
        List<RuleFilter> filters = new RuleFilters().compile("bench", set);
        RuleSetObject object = RuleSetObject.compile(set, filters, new ProgramBuilder());
        byte[] last = udpFrame(10_000 + Math.max(0, size - 1));
        Map<String, Long> disabled = new HashMap<>(object.constants(null, Instant.now()));
        disabled.replaceAll((k, v) -> 0L);
        Map<String, Long> enabled = object.constants(null, Instant.now());
        try (DataplaneMapSet maps = DataplaneMapSet.create()) {
            Attachment.prepareMaps(object, maps, 0);
            try (LoadedProgram p = LoadedProgram.load(object, disabled, maps)) {
                add.accept(measure("constants: all disabled", size, p.entry(), NO_MATCH, repeat, floor));
            }
            try (LoadedProgram p = LoadedProgram.load(object, enabled, maps)) {
                add.accept(measure("constants: enabled, no match", size, p.entry(), NO_MATCH, repeat, floor));
                if (size > 0) {
                    add.accept(measure("constants: match the last rule", size, p.entry(), last, repeat, floor));
                }
            }
            if (size > Short.MAX_VALUE) {
                return;
            }
            DataplaneProgram mapped = new ProgramBuilder(
                            ProgramLimits.DEFAULT_SAMPLE_BYTES, ProgramLimits.MAX_RULE_SLOTS_PER_PROGRAM, true)
                    .build(filters);
            try (BpfMap enablement = BpfMap.create(MapSpec.array(ProgramBuilder.ENABLED_MAP, Math.max(1, size), 1));
                    LoadedProgram p = LoadedProgram.load(
                            mapped, Map.of(), maps, Map.of(ProgramBuilder.ENABLED_MAP, enablement.fd()))) {
                add.accept(measure("map: all disabled", size, p.entry(), NO_MATCH, repeat, floor));
                byte[] all = new byte[Math.max(1, size)];
                Arrays.fill(all, (byte) 1);
                enablement.update(BpfMap.intBytes(0), all);
                add.accept(measure("map: enabled, no match", size, p.entry(), NO_MATCH, repeat, floor));
                if (size > 0) {
                    add.accept(measure("map: match the last rule", size, p.entry(), last, repeat, floor));
                }
            }
        }
    }

    /**
     * Rules of five shapes in turn (see {@link #mixedRules}), all enabled, and a packet none
     * matches: what sharing tests across rules gives when rules are not all alike.
     */
    private static void mixedScenario(int size, int repeat, Program floor, Consumer<Row> add) {
        if (size == 0) {
            return;
        }
        RuleSet set = RuleCodec.parse("bench", mixedRules(size));
        RuleSetObject object =
                RuleSetObject.compile(set, new RuleFilters().compile("bench", set), new ProgramBuilder());
        try (DataplaneMapSet maps = DataplaneMapSet.create()) {
            Attachment.prepareMaps(object, maps, 0);
            try (LoadedProgram p = LoadedProgram.load(object, object.constants(null, Instant.now()), maps)) {
                add.accept(
                        measure("constants: mixed rules, enabled, no match", size, p.entry(), NO_MATCH, repeat, floor));
                // hosts come back every 250 rules: the last rule of that shape is not the first to match its frame
                int last = (size - 1) % 5 == 3 && size > 250 ? size - 2 : size - 1;
                add.accept(measure(
                        "constants: mixed rules, match the last rule",
                        size,
                        p.entry(),
                        mixedFrame(last),
                        repeat,
                        floor));
            }
        }
    }

    private static void samplerAndRateLimit(int repeat, Program floor, Consumer<Row> add) {
        RuleSet set = RuleCodec.parse(
                "bench", "rules:\n  - {id: limit, filter: udp, action: ratelimit, pps: 1000, burst: 10}\n");
        RuleSetObject limited =
                RuleSetObject.compile(set, new RuleFilters().compile("bench", set), new ProgramBuilder());
        RuleSetObject empty =
                RuleSetObject.compile(RuleCodec.parse("bench", "rules: []\n"), List.of(), new ProgramBuilder());
        try (DataplaneMapSet maps = DataplaneMapSet.create();
                RingBufferReader samples = RingBufferReader.open(maps.get(DataplaneMaps.SAMPLES))) {
            Attachment.prepareMaps(limited, maps, 0);
            try (LoadedProgram p = LoadedProgram.load(empty, Map.of(), maps)) {
                for (int rate : new int[] {1, 1000}) {
                    Attachment.setSampleRateOf(maps, rate);
                    // the ring buffer holds ≈ 6000 samples: keep each run below that and empty it in between
                    add.accept(measure(
                            "sampler 1/" + rate + ", no rules",
                            0,
                            p.entry(),
                            NO_MATCH,
                            Math.min(repeat, 5000),
                            floor,
                            () -> samples.drain(r -> r.toArray(JAVA_BYTE))));
                }
                Attachment.setSampleRateOf(maps, 0);
            }
            try (LoadedProgram p = LoadedProgram.load(limited, limited.constants(null, Instant.now()), maps)) {
                add.accept(measure("rate limit (over the limit)", 1, p.entry(), NO_MATCH, repeat, floor));
            }
        }
    }

    /**
     * The smallest program time minus the smallest floor time over the rounds: noise only adds,
     * so each minimum is the best estimate of its own cost (the smallest of the differences would
     * favour a round whose floor happened to be slow).
     */
    private static Row measure(String scenario, int rules, Program program, byte[] frame, int repeat, Program floor) {
        return measure(scenario, rules, program, frame, repeat, floor, () -> {});
    }

    /** {@link #measure}, running {@code afterRound} after each round (to empty the ring buffer, say). */
    private static Row measure(
            String scenario, int rules, Program program, byte[] frame, int repeat, Program floor, Runnable afterRound) {
        long best = Long.MAX_VALUE;
        long floorNs = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++) {
            floorNs = Math.min(
                    floorNs, floor.testRun(TestRun.of(frame).withRepeat(repeat)).durationNanos());
            best = Math.min(
                    best, program.testRun(TestRun.of(frame).withRepeat(repeat)).durationNanos());
            afterRound.run();
        }
        return new Row(scenario, rules, best - floorNs, floorNs);
    }

    /** {@code return XDP_PASS}. */
    private static Program floor() {
        byte[] code = AssembledProgram.of(List.of(Instruction.mov64(Register.R0, 2), Instruction.exit()))
                .encode();
        return Program.load(ProgramSpec.xdp("levee_floor", code));
    }

    static String rules(int count) {
        if (count == 0) {
            return "rules: []\n";
        }
        StringBuilder yaml = new StringBuilder("rules:\n");
        for (int i = 0; i < count; i++) {
            yaml.append(portRule(i));
        }
        return yaml.toString();
    }

    /** Rule {@code i} of {@link #rules}, a line of a YAML list: {@code udp and dst port 10000+i} for 198.51.100.0/24. */
    static String portRule(int i) {
        return "  - {id: port-" + i + ", filter: udp and dst port " + (10_000 + i)
                + ", destinations: [198.51.100.0/24], action: drop}\n";
    }

    /**
     * Rule i has shape i mod 5: {@code udp and dst port N} for 198.51.100.0/24; a TCP SYN to port
     * N for 203.0.113.0/24; {@code udp src port N}; {@code dst host 192.0.2.H and udp}; and
     * {@code ip6 and udp port N} for 2001:db8::/32 — with N = 10000 + i and H = 1 + i mod 250.
     */
    static String mixedRules(int count) {
        StringBuilder yaml = new StringBuilder("rules:\n");
        for (int i = 0; i < count; i++) {
            yaml.append(mixedRule(i));
        }
        return yaml.toString();
    }

    /** Rule {@code i} of {@link #mixedRules}, a line of a YAML list. */
    static String mixedRule(int i) {
        int port = 10_000 + i;
        String rule = switch (i % 5) {
            case 0 -> "filter: udp and dst port " + port + ", destinations: [198.51.100.0/24]";
            case 1 ->
                "filter: 'tcp dst port " + port + " and tcp[tcpflags] & tcp-syn != 0', destinations: [203.0.113.0/24]";
            case 2 -> "filter: udp src port " + port;
            case 3 -> "filter: dst host 192.0.2." + (1 + i % 250) + " and udp";
            default -> "filter: ip6 and udp port " + port + ", destinations: ['2001:db8::/32']";
        };
        return "  - {id: mixed-" + i + ", " + rule + ", action: drop}\n";
    }

    /**
     * A frame that rule {@code i} of {@link #mixedRules} matches (first, but for a host rule past
     * the 250th: an earlier rule has its host): UDP to its port on
     * 198.51.100.9, a TCP SYN to its port on 203.0.113.9, UDP from its port, UDP to its host, or
     * IPv6 UDP to its port on 2001:db8::1.
     */
    static byte[] mixedFrame(int i) {
        int port = 10_000 + i;
        return switch (i % 5) {
            case 0 -> udpFrame(port);
            case 1 -> ipv4Frame(6, new byte[] {(byte) 203, 0, 113, 9}, 4000, port);
            case 2 -> ipv4Frame(17, new byte[] {(byte) 198, 51, 100, 9}, port, 9);
            case 3 -> ipv4Frame(17, new byte[] {(byte) 192, 0, 2, (byte) (1 + i % 250)}, 4000, 9);
            default -> {
                ByteBuffer b = ByteBuffer.allocate(74);
                b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x86dd);
                b.putInt(0x60000000)
                        .putShort((short) 20)
                        .put((byte) 17)
                        .put((byte) 64)
                        .put(new byte[16]);
                b.putShort((short) 0x2001)
                        .putShort((short) 0x0db8)
                        .put(new byte[11])
                        .put((byte) 1);
                b.putShort((short) 4000)
                        .putShort((short) port)
                        .putShort((short) 20)
                        .putShort((short) 0);
                yield b.array();
            }
        };
    }

    /** 64 bytes (74 for TCP): Ethernet, IPv4 192.0.2.1 → {@code dst}, UDP or a TCP SYN between the ports. */
    private static byte[] ipv4Frame(int protocol, byte[] dst, int srcPort, int dstPort) {
        ByteBuffer b = ByteBuffer.allocate(protocol == 6 ? 74 : 64);
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
                    .put((byte) 0x02)
                    .putShort((short) 1024)
                    .putInt(0);
        } else {
            b.putShort((short) (b.capacity() - 34)).putShort((short) 0);
        }
        return b.array();
    }

    /** 64 bytes: Ethernet, IPv4 192.0.2.1 → 198.51.100.9, UDP to {@code port}. */
    static byte[] udpFrame(int port) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45)
                .put((byte) 0)
                .putShort((short) 50)
                .putShort((short) 1)
                .putShort((short) 0x4000)
                .put((byte) 64)
                .put((byte) 17)
                .putShort((short) 0)
                .put(new byte[] {(byte) 192, 0, 2, 1})
                .put(new byte[] {(byte) 198, 51, 100, 9});
        b.putShort((short) 4000).putShort((short) port).putShort((short) 30).putShort((short) 0);
        return b.array();
    }
}
