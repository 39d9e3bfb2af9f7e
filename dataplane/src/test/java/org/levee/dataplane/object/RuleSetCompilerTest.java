package org.levee.dataplane.object;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.compiler.CompilationCache;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.rules.Action;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilter;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.testing.Requirements;

/**
 * A {@link RuleSetCompiler} compiles each rule set of a sequence of changes into the object a
 * compile from nothing makes of it, byte for byte (the ELF files equal): seeded random sequences
 * of rules added (at the end, as the agent adds them, and anywhere), removed, moved and given
 * another action, over sets of the benchmark's port rules and its five shapes, with rules no key
 * finds between the indexed ones, buckets of several rules that differ, classes that fall below the index's threshold and come back,
 * rules that join or leave a class, several programs whose cuts move, the chain without an index
 * and the local stage. And the session does reuse: one change recompiles one bucket.
 */
class RuleSetCompilerTest {

    @BeforeAll
    static void requirements() {
        Requirements.library("libpcap.so.0.8");
    }

    private static final Prefix NET4 = Prefix.parse("198.51.100.0/24");
    private static final Prefix NET4B = Prefix.parse("203.0.113.0/24");
    private static final Prefix NET6 = Prefix.parse("2001:db8::/32");

    /** Rule {@code i} of the benchmark's port set (ports repeat every {@code ports}: buckets of several rules). */
    private static Rule port(int i, int ports) {
        return rule("port-" + i, "udp and dst port " + (10_000 + i % ports), List.of(NET4), new Action.Drop());
    }

    /** Rule {@code i} of the benchmark's five shapes (hosts repeat every 25). */
    private static Rule mixed(int i) {
        int port = 10_000 + i;
        return switch (Math.floorMod(i, 5)) {
            case 0 -> rule("mixed-" + i, "udp and dst port " + port, List.of(NET4), new Action.Drop());
            case 1 ->
                rule(
                        "mixed-" + i,
                        "tcp dst port " + port + " and tcp[tcpflags] & tcp-syn != 0",
                        List.of(NET4B),
                        new Action.Drop());
            case 2 -> rule("mixed-" + i, "udp src port " + port, List.of(), new Action.Drop());
            case 3 -> rule("mixed-" + i, "dst host 192.0.2." + (1 + i % 25) + " and udp", List.of(), new Action.Drop());
            default -> rule("mixed-" + i, "ip6 and udp port " + port, List.of(NET6), new Action.Drop());
        };
    }

    /** Rules no key finds (a length, a TTL, a range), and one found by two keys of one class. */
    private static Rule odd(int i) {
        return switch (Math.floorMod(i, 4)) {
            case 0 -> rule("odd-" + i, "udp and len > " + (60 + i % 40), List.of(), new Action.Drop());
            case 1 -> rule("odd-" + i, "ip[8] = " + (1 + i % 200), List.of(NET4), new Action.Pass());
            case 2 ->
                rule(
                        "odd-" + i,
                        "udp dst portrange 20000-" + (20_000 + i),
                        List.of(),
                        new Action.RateLimit(100 + i, 10));
            default ->
                rule(
                        "odd-" + i,
                        "udp and (dst port " + (10_000 + i) + " or dst port " + (30_000 + i) + ")",
                        List.of(NET4),
                        new Action.Drop());
        };
    }

    /** Rules that share a port (and a bucket) with other rules and differ from them in a TTL. */
    private static Rule ttl(int i) {
        return rule(
                "ttl-" + i,
                "udp and dst port " + (10_000 + i % 20) + " and ip[8] = " + (1 + i % 7),
                List.of(NET4),
                new Action.Drop());
    }

    private static Rule rule(String id, String filter, List<Prefix> destinations, Action action) {
        return new Rule(
                id, new Match.Filter(filter), destinations, List.of(), action, Optional.empty(), "", Origin.MANUAL);
    }

    /**
     * A sequence: the builder, the starting set, the rules added (a function of a counter), how
     * many changes, and whether added rules go anywhere (else at the end, as the agent adds them).
     */
    private record Sequence(
            String name,
            ProgramBuilder builder,
            int start,
            IntFunction<Rule> next,
            int changes,
            boolean anywhere,
            boolean crossesThreshold) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Arguments> sequences() {
        List<Arguments> all = new ArrayList<>();
        for (long seed : new long[] {1, 2, 3}) {
            Random random = new Random(seed * 7919);
            // around the index's threshold of 64: the class dissolves below it and comes back
            all.add(Arguments.of(
                    seed,
                    new Sequence(
                            "port rules around the class threshold",
                            new ProgramBuilder(),
                            66,
                            i -> port(i, 50),
                            30,
                            false,
                            true)));
            // the benchmark's port rules with rules no key finds between them, added anywhere
            all.add(Arguments.of(
                    seed,
                    new Sequence(
                            "port rules and unindexed rules",
                            new ProgramBuilder(),
                            300,
                            i -> switch (random.nextInt(6)) {
                                case 0 -> odd(i);
                                case 1 -> ttl(i);
                                default -> port(i, 200);
                            },
                            25,
                            true,
                            false)));
            // the five shapes: rules join and leave classes, classes near the threshold (70 each)
            all.add(Arguments.of(
                    seed,
                    new Sequence(
                            "five shapes",
                            new ProgramBuilder(),
                            350,
                            i -> random.nextInt(8) == 0 ? odd(i) : mixed(i),
                            25,
                            true,
                            false)));
            // several programs (small ones), whose cuts move with every change before them
            all.add(Arguments.of(
                    seed,
                    new Sequence(
                            "five shapes in programs of 6,000 slots",
                            new ProgramBuilder(128, 6_000),
                            500,
                            RuleSetCompilerTest::mixed,
                            20,
                            true,
                            false)));
        }
        all.add(Arguments.of(
                4L,
                new Sequence(
                        "the chain, no index",
                        new ProgramBuilder().indexing(0, 160_000),
                        120,
                        RuleSetCompilerTest::mixed,
                        15,
                        true,
                        false)));
        all.add(Arguments.of(
                5L,
                new Sequence(
                        "the local stage",
                        new ProgramBuilder().localStage(),
                        200,
                        i -> port(i, 150),
                        15,
                        true,
                        false)));
        return all;
    }

    @ParameterizedTest(name = "{1}, seed {0}")
    @MethodSource("sequences")
    void eachObjectEqualsACompileFromNothing(long seed, Sequence sequence) {
        Random random = new Random(seed);
        RuleFilters filters = new RuleFilters();
        RuleSetCompiler session = new RuleSetCompiler(sequence.builder());
        List<Rule> rules = new ArrayList<>();
        int next = 0;
        while (rules.size() < sequence.start()) {
            rules.add(sequence.next().apply(next++));
        }
        List<Rule> removed = new ArrayList<>();
        Set<Boolean> indexed = new HashSet<>();
        indexed.add(assertEqualObjects(session, sequence.builder(), filters, rules, "the first set"));
        for (int change = 0; change < sequence.changes(); change++) {
            String what;
            int kind = random.nextInt(10);
            if (kind < 3) {
                Rule added = sequence.next().apply(next++);
                int at = sequence.anywhere() ? random.nextInt(rules.size() + 1) : rules.size();
                rules.add(at, added);
                what = "added " + added.id() + " at " + at;
            } else if (kind < 6 || rules.size() < 2) {
                Rule gone = rules.remove(random.nextInt(rules.size()));
                removed.add(gone);
                what = "removed " + gone.id();
            } else if (kind < 7 && !removed.isEmpty()) {
                Rule back = removed.remove(random.nextInt(removed.size()));
                rules.add(random.nextInt(rules.size() + 1), back);
                what = "put back " + back.id();
            } else if (kind < 8) {
                Rule moved = rules.remove(random.nextInt(rules.size()));
                int at = random.nextInt(rules.size() + 1);
                rules.add(at, moved);
                what = "moved " + moved.id() + " to " + at;
            } else if (kind < 9) {
                int at = random.nextInt(rules.size());
                Rule r = rules.get(at);
                Action other = r.action() instanceof Action.Drop ? new Action.RateLimit(500, 50) : new Action.Drop();
                rules.set(
                        at,
                        new Rule(
                                r.id(),
                                r.match(),
                                r.destinations(),
                                r.datacenters(),
                                other,
                                r.expires(),
                                r.comment(),
                                r.origin()));
                what = "gave " + r.id() + " action " + other;
            } else {
                // a class through its threshold at once: remove a run of rules, or put a run back
                int count = Math.min(rules.size() - 1, 1 + random.nextInt(8));
                int from = random.nextInt(rules.size() - count + 1);
                List<Rule> run = new ArrayList<>(rules.subList(from, from + count));
                rules.subList(from, from + count).clear();
                removed.addAll(run);
                what = "removed " + count + " rules from " + from;
            }
            indexed.add(assertEqualObjects(
                    session, sequence.builder(), filters, rules, "change " + change + " (" + what + ")"));
        }
        if (sequence.crossesThreshold()) {
            assertThat(indexed)
                    .as("sets indexed and sets whose class dissolved")
                    .containsExactlyInAnyOrder(true, false);
        }
    }

    /** Asserts the two objects equal; returns whether the set is indexed. */
    private static boolean assertEqualObjects(
            RuleSetCompiler session, ProgramBuilder builder, RuleFilters filters, List<Rule> rules, String step) {
        RuleSet set = new RuleSet(RuleCodec.version(rules), rules);
        List<RuleFilter> compiled = filters.compile("test", set);
        RuleSetObject incremental = session.compile(set, compiled);
        RuleSetObject full = RuleSetObject.compile(set, compiled, builder);
        assertThat(incremental.program().programs())
                .as(step + ": the programs")
                .isEqualTo(full.program().programs());
        assertThat(incremental.toElf()).as(step + ": the object file").isEqualTo(full.toElf());
        return !full.program().groups().isEmpty();
    }

    /**
     * A change of one rule recompiles one bucket: the rest comes from the session. (Without
     * reuse every object above would still equal; this is what makes the session worth having.)
     */
    @Test
    void oneChangeRecompilesOneBucket() {
        RuleFilters filters = new RuleFilters();
        RuleSetCompiler session = new RuleSetCompiler();
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            rules.add(port(i, Integer.MAX_VALUE));
        }
        compile(session, filters, rules);
        assertThat(session.lastUse()).isEqualTo(new CompilationCache.Use(2_000, 0, 2_000, 0));

        rules.add(port(2_000, Integer.MAX_VALUE)); // a new largest key: the class's prelude changes, its buckets stay
        compile(session, filters, rules);
        assertThat(session.lastUse()).isEqualTo(new CompilationCache.Use(1, 2_000, 1, 2_000));

        rules.remove(17); // every rule after it renumbered: their buckets' code takes the numbers as parameters
        compile(session, filters, rules);
        assertThat(session.lastUse()).isEqualTo(new CompilationCache.Use(0, 2_000, 0, 2_000));

        List<Rule> mixed = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            mixed.add(mixed(i));
        }
        RuleSetCompiler other = new RuleSetCompiler();
        compile(other, filters, mixed);
        mixed.add(mixed(1_002)); // udp src port: in the IPv4 and the IPv6 source-port classes
        compile(other, filters, mixed);
        assertThat(other.lastUse().bucketsMade()).isEqualTo(2);
        mixed.remove(500);
        compile(other, filters, mixed);
        assertThat(other.lastUse().bucketsMade()).isZero();
        assertThat(other.lastUse().filtersMade()).isZero();
    }

    private static void compile(RuleSetCompiler session, RuleFilters filters, List<Rule> rules) {
        RuleSet set = new RuleSet(RuleCodec.version(rules), rules);
        session.compile(set, filters.compile("test", set));
    }
}
