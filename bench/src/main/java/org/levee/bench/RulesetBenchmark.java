package org.levee.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.rules.RuleStore;
import org.levee.config.ApiToken;
import org.levee.dataplane.ApplyReport;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.XdpDataPlane;
import org.levee.dataplane.object.RuleSetObject;
import org.levee.dataplane.program.ProgramBuilder;
import org.levee.ebpf.XdpLink;
import org.levee.ebpf.XdpMode;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.rules.Rule;
import org.levee.rules.RuleCodec;
import org.levee.rules.RuleFilter;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.rules.StoredRule;

/**
 * How long a change of one rule takes to be in force, for rule sets of the sizes asked, of the
 * port rules and of the five shapes of {@link DataplaneBenchmark}: the data plane of a veth in a
 * namespace has the set, then one rule is added (a new one, the next of the set's shape) and one
 * removed (a random one, seeded), again and again. For each change: the incremental compile
 * (the data plane's {@link org.levee.dataplane.object.RuleSetCompiler}), the load (the kernel's
 * verifier) and the rest of the attach (the swap: maps, pins, {@code BPF_LINK_UPDATE}), the
 * total, and as the baseline measured in the same run a full compile of the same set from
 * nothing (the rules' classic BPF from memory, as an apply compiled before the session existed)
 * and writing its ELF object. Then the same through the agent's HTTP API: an agent in this
 * process on the veth with the set stored, {@code POST /rules} of a new rule or
 * {@code DELETE /rules/<id>} of a random one, timed from sending the request until the
 * interface's pinned link runs a new program.
 */
public final class RulesetBenchmark {
    private RulesetBenchmark() {}

    /** The rule sets measured. */
    public enum Shape {
        /** {@code udp and dst port N} for 198.51.100.0/24: one index class. */
        PORT("port"),
        /** The five shapes of {@link DataplaneBenchmark#mixedRules} in turn. */
        MIXED("mixed");

        private final String keyword;

        Shape(String keyword) {
            this.keyword = keyword;
        }

        public String keyword() {
            return keyword;
        }

        /** Rule {@code i} of this shape (its id unique for {@code i}). */
        Rule rule(int i) {
            String yaml = this == PORT ? DataplaneBenchmark.portRule(i) : DataplaneBenchmark.mixedRule(i);
            return RuleCodec.parse("bench", "rules:\n" + yaml).rules().getFirst();
        }

        RuleSet rules(int count) {
            String yaml = this == PORT ? DataplaneBenchmark.rules(count) : DataplaneBenchmark.mixedRules(count);
            return RuleCodec.parse("bench", yaml);
        }
    }

    /** What a row measures. */
    public enum Step {
        FULL_COMPILE("full compile (baseline)"),
        WRITE_ELF("write the ELF object"),
        ADD_COMPILE("incremental compile, add"),
        REMOVE_COMPILE("incremental compile, remove"),
        LOAD("load (verifier)"),
        SWAP("swap (maps, pins, link update)"),
        ADD_IN_FORCE("add: compile + load + swap"),
        REMOVE_IN_FORCE("remove: compile + load + swap"),
        API_ADD("API: POST /rules until attached"),
        API_REMOVE("API: DELETE /rules/<id> until attached");

        private final String label;

        Step(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One row of the report.
     *
     * @param shape   the rule set's shape
     * @param rules   rules in the set (before each change)
     * @param step    what was measured
     * @param samples how many times
     * @param p50     the median
     * @param p90     the 90th percentile
     * @param ofFull  the median as a fraction of the full compile's median, NaN for the baseline itself
     */
    public record Row(Shape shape, int rules, Step step, int samples, Duration p50, Duration p90, double ofFull) {}

    /**
     * What to run.
     *
     * @param sizes   rule-set sizes
     * @param shapes  rule-set shapes
     * @param changes adds and removes measured per size (each)
     * @param api     also through the agent's API
     * @param seed    of the removed rules
     */
    public record Options(int[] sizes, List<Shape> shapes, int changes, boolean api, long seed) {
        public Options {
            sizes = sizes.clone();
            shapes = List.copyOf(shapes);
            if (changes < 1) {
                throw new IllegalArgumentException("changes " + changes + " must be at least 1");
            }
            for (int size : sizes) {
                if (size < 1) {
                    throw new IllegalArgumentException("rule-set size " + size + " must be at least 1");
                }
            }
        }
    }

    /** Changes made before measuring, so that the JIT has compiled the compiler's paths. */
    private static final int WARM_UP = 3;

    /** Runs every size of every shape; {@code report} gets each size's rows as they are measured. */
    public static List<Row> run(Options options, Consumer<String> progress, Consumer<Row> report) {
        List<Row> rows = new ArrayList<>();
        try (NetnsLab lab = NetnsLab.create()) {
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            VethPair veth = lab.addVeth(a, "192.0.2.1/24", b, "192.0.2.2/24");
            for (Shape shape : options.shapes()) {
                for (int size : options.sizes()) {
                    progress.accept(shape.keyword() + " rules, " + size + ": data plane");
                    Map<Step, List<Duration>> times = new EnumMap<>(Step.class);
                    dataPlane(shape, size, options, veth.interfaceB(), b, times);
                    if (options.api()) {
                        progress.accept(shape.keyword() + " rules, " + size + ": agent API");
                        api(shape, size, options, veth.interfaceB(), b, times);
                    }
                    Duration full = median(times.get(Step.FULL_COMPILE));
                    for (Step step : Step.values()) {
                        List<Duration> measured = times.get(step);
                        if (measured == null) {
                            continue;
                        }
                        Duration p50 = median(measured);
                        Row row = new Row(
                                shape,
                                size,
                                step,
                                measured.size(),
                                p50,
                                percentile(measured, 90),
                                step == Step.FULL_COMPILE ? Double.NaN : (double) p50.toNanos() / full.toNanos());
                        rows.add(row);
                        report.accept(row);
                    }
                }
            }
        }
        return rows;
    }

    /** The data plane's own figures: see the class comment. */
    private static void dataPlane(
            Shape shape, int size, Options options, String iface, String netns, Map<Step, List<Duration>> times) {
        RuleFilters filters = new RuleFilters();
        List<Rule> rules = new ArrayList<>(shape.rules(size).rules());
        Random random = new Random(options.seed());
        int next = size;
        XdpDataPlane dataPlane = XdpDataPlane.open(iface, netns, XdpMode.NATIVE, 0, filters);
        try {
            dataPlane.apply(set(rules), "");
            for (int change = 0; change < WARM_UP + options.changes(); change++) {
                boolean measured = change >= WARM_UP;
                rules.add(shape.rule(next++));
                dataPlane.apply(set(rules), "");
                if (measured) {
                    record(times, dataPlane.lastApply(), Step.ADD_COMPILE, Step.ADD_IN_FORCE);
                    fullCompile(set(rules), filters, times);
                }
                rules.remove(random.nextInt(rules.size()));
                dataPlane.apply(set(rules), "");
                if (measured) {
                    record(times, dataPlane.lastApply(), Step.REMOVE_COMPILE, Step.REMOVE_IN_FORCE);
                    fullCompile(set(rules), filters, times);
                }
            }
        } finally {
            dataPlane.close(true);
        }
    }

    private static void record(Map<Step, List<Duration>> times, ApplyReport report, Step compile, Step inForce) {
        add(times, compile, report.compile());
        add(times, Step.LOAD, report.load());
        add(times, Step.SWAP, report.swap());
        add(times, inForce, report.total());
    }

    /** The same set compiled from nothing, and its object written: the baseline. */
    private static void fullCompile(RuleSet set, RuleFilters filters, Map<Step, List<Duration>> times) {
        List<RuleFilter> compiled = filters.compile("bench", set);
        long start = System.nanoTime();
        RuleSetObject object = RuleSetObject.compile(set, compiled, new ProgramBuilder());
        long built = System.nanoTime();
        object.toElf();
        long written = System.nanoTime();
        add(times, Step.FULL_COMPILE, Duration.ofNanos(built - start));
        add(times, Step.WRITE_ELF, Duration.ofNanos(written - built));
    }

    /** The agent's API: see the class comment. */
    private static void api(
            Shape shape, int size, Options options, String iface, String netns, Map<Step, List<Duration>> times) {
        Path stateDir;
        try {
            stateDir = Files.createTempDirectory("levee-bench-ruleset-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a state directory: " + e.getMessage(), e);
        }
        try {
            List<Rule> rules = new ArrayList<>(shape.rules(size).rules());
            Instant now = Instant.now();
            new RuleStore(stateDir)
                    .save(rules.stream()
                            .map(r -> new StoredRule(r, now, Optional.empty()))
                            .toList());
            AgentConfig config = AgentConfig.defaults()
                    .withStateDir(stateDir)
                    .withApiAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
                    .withDetachOnExit(true);
            XdpDataPlane dataPlane = XdpDataPlane.open(
                    iface, netns, XdpMode.NATIVE, config.sampling().initialRate());
            Agent agent;
            try {
                agent = Agent.start(config, dataPlane);
            } catch (RuntimeException e) {
                dataPlane.close(true);
                throw e;
            }
            try (agent;
                    HttpClient http = HttpClient.newHttpClient()) {
                URI base = URI.create("http://127.0.0.1:" + agent.apiAddress().getPort());
                // Writes need the agent's token, generated in its state directory at start.
                String bearer = "Bearer " + ApiToken.read(stateDir.resolve(ApiToken.FILE_NAME));
                Path link = dataPlane.layout().pin(PinLayout.LINK);
                Random random = new Random(options.seed());
                int next = size;
                for (int change = 0; change < WARM_UP + options.changes(); change++) {
                    boolean measured = change >= WARM_UP;
                    Rule added = shape.rule(next++);
                    String body = RuleCodec.writeRule(added).toString();
                    Duration add = untilSwapped(
                            link,
                            () -> send(
                                    http,
                                    HttpRequest.newBuilder(base.resolve("/rules"))
                                            .header("Content-Type", "application/json")
                                            .header("Authorization", bearer)
                                            .POST(HttpRequest.BodyPublishers.ofString(body))
                                            .build(),
                                    201));
                    rules.add(added);
                    Rule removed = rules.remove(random.nextInt(rules.size()));
                    Duration remove = untilSwapped(
                            link,
                            () -> send(
                                    http,
                                    HttpRequest.newBuilder(base.resolve("/rules/" + removed.id()))
                                            .header("Authorization", bearer)
                                            .DELETE()
                                            .build(),
                                    200));
                    if (measured) {
                        add(times, Step.API_ADD, add);
                        add(times, Step.API_REMOVE, remove);
                    }
                }
            }
        } finally {
            deleteTree(stateDir);
        }
    }

    /** Time from running {@code request} until the program of the pinned {@code link} is another. */
    private static Duration untilSwapped(Path link, Runnable request) {
        int before = programOf(link);
        long start = System.nanoTime();
        request.run();
        while (programOf(link) == before) {
            if (System.nanoTime() - start > Duration.ofSeconds(60).toNanos()) {
                throw new IllegalStateException(
                        "the program of " + link + " is still " + before + " a minute after the request");
            }
            Thread.onSpinWait();
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static int programOf(Path link) {
        try (XdpLink pinned = XdpLink.openPinned(link)) {
            return pinned.info().programId();
        }
    }

    private static void send(HttpClient http, HttpRequest request, int expected) {
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != expected) {
                throw new IllegalStateException(
                        request.method() + " " + request.uri() + ": " + response.statusCode() + " " + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static RuleSet set(List<Rule> rules) {
        return new RuleSet(RuleCodec.version(rules), rules);
    }

    private static void add(Map<Step, List<Duration>> times, Step step, Duration d) {
        times.computeIfAbsent(step, s -> new ArrayList<>()).add(d);
    }

    static Duration median(List<Duration> values) {
        return percentile(values, 50);
    }

    /** The nearest-rank percentile: the smallest value at least {@code p} % of the values are at or below. */
    static Duration percentile(List<Duration> values, int p) {
        Duration[] sorted = values.toArray(Duration[]::new);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind: nothing else to do
        }
    }
}
