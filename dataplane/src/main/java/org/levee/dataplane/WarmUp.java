package org.levee.dataplane;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.rules.Action;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;

/**
 * Runs once, on a throw-away rule set, the paths the first real rule set takes: libpcap and the
 * compiler (match → classic BPF → filter chain → ELF), and on a node also reading the object
 * back, specialising it and loading it into the kernel. Measured in the fleet demo: a controller's
 * first compilation took 265 ms against 14 ms for the next ones, an edge's first swap 0.35 s
 * against 0.05 s — class loading and the interpreter, paid by the first attack after every start
 * or failover unless paid here, at start, before any attack.
 *
 * <p>Nothing it makes is attached, pinned or published; a fresh {@link RuleFilters} keeps the
 * throw-away filters out of the caller's cache.
 */
public final class WarmUp {
    private static final System.Logger LOG = System.getLogger(WarmUp.class.getName());
    private static final String HERE = "warm-up-here";

    private WarmUp() {}

    /** The throw-away set: the shapes of rule the detector and operators write most. */
    static RuleSet ruleSet() {
        List<Rule> rules = List.of(
                rule(
                        "warm-up-syn",
                        "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn and ip[8] = 64",
                        "198.51.100.10/32",
                        HERE,
                        new Action.Drop()),
                rule(
                        "warm-up-udp",
                        "udp and src port 11211 and ip[2:2] > 1000",
                        "198.51.100.0/24",
                        "warm-up-elsewhere",
                        new Action.Drop()),
                rule(
                        "warm-up-dns",
                        "udp src port 53 and len > 512",
                        "2001:db8::/64",
                        HERE,
                        new Action.RateLimit(1000, 1000)));
        return new RuleSet(RuleCodec.version(rules), rules);
    }

    private static Rule rule(String id, String filter, String destination, String datacenter, Action action) {
        return new Rule(
                id,
                new Match.Filter(filter),
                List.of(Prefix.parse(destination)),
                List.of(datacenter),
                action,
                Optional.empty(),
                "warm-up",
                Origin.MANUAL);
    }

    /** Compiles the throw-away set to an object file (a controller's path); returns how long it took. */
    public static Duration compile() {
        long start = System.nanoTime();
        compileObject();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Compiles the throw-away set, reads it back from its ELF, specialises it and loads it into
     * the kernel with maps of its own, then closes everything (a node's path); returns how long it
     * took.
     *
     * @throws org.levee.ebpf.BpfException when the kernel refuses (no BPF here)
     */
    public static Duration compileAndLoad() {
        long start = System.nanoTime();
        byte[] elf = compileObject();
        RuleSetObject object = RuleSetObject.fromElf("the warm-up object", elf);
        try (DataplaneMapSet maps = DataplaneMapSet.create();
                LoadedProgram loaded = LoadedProgram.load(object, object.constants(HERE, Instant.now()), maps)) {
            if (loaded.programs().isEmpty()) {
                throw new IllegalStateException("the warm-up object loaded no program");
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /**
     * Runs {@link #compileAndLoad} ({@code load}) or {@link #compile} on a daemon thread of low
     * priority and logs how long it took; a failure is logged, never thrown: the warm-up is an
     * optimisation, and whatever broke it will show when a real set is applied.
     */
    public static Thread inBackground(boolean load) {
        return Thread.ofPlatform()
                .name("levee-warm-up")
                .daemon()
                .priority(Thread.MIN_PRIORITY)
                .start(() -> {
                    try {
                        Duration took = load ? compileAndLoad() : compile();
                        LOG.log(System.Logger.Level.DEBUG, "warmed up the rule-set path in {0} ms", took.toMillis());
                    } catch (RuntimeException e) {
                        LOG.log(
                                System.Logger.Level.WARNING,
                                "warming up the rule-set path failed (the first rule set will be slower): " + e);
                    }
                });
    }

    private static byte[] compileObject() {
        RuleSet set = ruleSet();
        RuleFilters filters = new RuleFilters();
        return RuleSetObject.compile(set, filters.compile("the warm-up set", set), new ProgramBuilder())
                .toElf();
    }
}
