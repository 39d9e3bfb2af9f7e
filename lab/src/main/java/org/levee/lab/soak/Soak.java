package org.levee.lab.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.levee.config.ApiToken;
import org.levee.dataplane.PinLayout;
import org.levee.lab.DemoLab;
import org.levee.lab.FloodGenerator;
import org.levee.lab.FloodKind;
import org.levee.lab.GeneratorKind;
import org.levee.lab.LeveeCommand;
import org.levee.lab.MarkerStream;
import org.levee.lab.NamespaceHttp;
import org.levee.netns.CommandResult;
import org.levee.netns.LabProcess;

/**
 * {@code levee soak}: one node (a {@code levee run} process of its own, in the lab's edge
 * namespace) under a workload that repeats every {@value #CYCLE_SECONDS} s for as long as asked:
 *
 * <ul>
 *   <li>a flood of another kind each cycle, so automatic rules come and go and the sampler's N
 *       rises and falls;
 *   <li>a manual rule added and the one added {@value #CHURN_LIVE} s earlier removed, every
 *       second, through the API (two program swaps a second);
 *   <li>an exact number of marker datagrams (UDP to port 9) in every quiet time, all matched by
 *       one permanent manual rule, whose counter must end equal to the number sent: counters
 *       survive every swap;
 *   <li>a watch, 5 times a second, that an XDP program is attached to the interface (netlink's
 *       view, through {@code ip}).
 * </ul>
 *
 * At the end of the first cycle and of the last, in the same quiet phase, it takes the agent's
 * {@link Footprint}: the two must match (heap within 25 % + 4 MiB). It writes {@code soak.json}
 * and says which check failed.
 */
public final class Soak {
    static final int CYCLE_SECONDS = 30;
    static final int FLOOD_SECONDS = 8;
    static final int CHURN_LIVE = 10;
    static final int COOLDOWN_SECONDS = 3;
    static final int MARKER_PORT = 9;
    /** The markers' source port: with the attackers' own address, no spoofed flood packet matches the marker rule. */
    static final int MARKER_SOURCE_PORT = 40_009;

    static final long MARKER_PER_CYCLE = 20_000;
    static final long MARKER_PER_SECOND = 10_000;
    static final String MARKER_RULE = "soak-marker";
    static final Duration SHORTEST = Duration.ofSeconds(2L * CYCLE_SECONDS);
    private static final List<FloodKind> FLOODS = List.of(
            FloodKind.SYN_FLOOD,
            FloodKind.UDP_RANDOM_PORTS,
            FloodKind.DNS_AMPLIFICATION,
            FloodKind.MEMCACHED_AMPLIFICATION,
            FloodKind.SYN_FLOOD_V6,
            FloodKind.UDP_RANDOM_PORTS_V6);
    private static final String API = "http://127.0.0.1:9276";
    private static final JsonMapper JSON = new JsonMapper();

    /**
     * @param duration how long (at least {@link #SHORTEST}; whole cycles: rounded down)
     * @param floodPacketsPerSecond each flood's rate
     * @param generator how floods are sent
     * @param report where {@code soak.json} and the agent's log go
     */
    public record Options(Duration duration, long floodPacketsPerSecond, GeneratorKind generator, Path report) {
        public Options {
            if (duration.compareTo(SHORTEST) < 0) {
                throw new IllegalArgumentException(
                        "a soak needs at least " + SHORTEST.toSeconds() + " s (two cycles of "
                                + CYCLE_SECONDS + " s: the first is the steady level the last is compared with; from"
                                + " three cycles on, the second), not "
                                + duration.toSeconds() + " s");
            }
            if (floodPacketsPerSecond < 1) {
                throw new IllegalArgumentException(
                        "the flood rate must be at least 1 pps, not " + floodPacketsPerSecond);
            }
        }

        /**
         * The cycle (from 0) whose end is the steady level the last is compared with: the second
         * when there are three or more. The first two cycles are the first floods of two kinds, and
         * what the agent makes on first use (a pooled connection, a selector) can appear in either:
         * in CI a step of 4 descriptors appeared in cycle 2 and stayed flat through cycles 3 and 4.
         * A leak grows every cycle, which the cycles after the second still show.
         */
        int steadyCycle() {
            return cycles() >= 3 ? 1 : 0;
        }

        int cycles() {
            return (int) (duration.toSeconds() / CYCLE_SECONDS);
        }
    }

    /** One check: what, whether it held, and the numbers behind it. */
    public record Check(String name, boolean passed, String detail) {}

    /** What the soak found. */
    public record Result(List<Check> checks, Path json) {
        public boolean passed() {
            return checks.stream().allMatch(Check::passed);
        }
    }

    private final Options options;
    private final PrintWriter out;
    private final AtomicLong attachmentPolls = new AtomicLong();
    private final AtomicLong detachedPolls = new AtomicLong();
    private final Set<Long> programIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicBoolean watching = new AtomicBoolean(true);
    /** The agent's API token, read from its state directory once it answers. */
    private String token;

    public Soak(Options options, PrintWriter out) {
        this.options = options;
        this.out = out;
    }

    public Result run() throws Exception {
        Files.createDirectories(options.report());
        Path state = Files.createTempDirectory("levee-soak-");
        try (DemoLab lab = DemoLab.create()) {
            lab.removeWithLab(new PinLayout(lab.edgeInterface(), null).directory());
            Path config = state.resolve("soak.yaml");
            Files.writeString(config, "detector:\n  cooldown: " + COOLDOWN_SECONDS + "s\n");
            Path log = options.report().resolve("agent.log");
            Files.deleteIfExists(log);
            LabProcess agent = lab.spawn(
                    "agent",
                    lab.edgeNamespace(),
                    log,
                    LeveeCommand.of(List.of(
                            "run",
                            "-i",
                            lab.edgeInterface(),
                            "--state-dir",
                            state.resolve("agent").toString(),
                            "--api",
                            "127.0.0.1:9276",
                            "--config",
                            config.toString(),
                            "--detach-on-exit")));
            awaitApi(lab, agent);
            // Rules are added and removed through the API: the agent generated its token on start.
            token = ApiToken.read(state.resolve("agent").resolve(ApiToken.FILE_NAME));
            out.printf(
                    Locale.ROOT,
                    "levee soak: agent pid %d on %s in %s; %d cycles of %d s (a %s flood of %,d pps, %d s, each);"
                            + " a rule added and one removed every second; %,d marker datagrams a cycle%n",
                    agent.pid(),
                    lab.edgeInterface(),
                    lab.edgeNamespace(),
                    options.cycles(),
                    CYCLE_SECONDS,
                    options.generator().id(),
                    options.floodPacketsPerSecond(),
                    FLOOD_SECONDS,
                    MARKER_PER_CYCLE);
            out.flush();
            Thread watch = Thread.ofPlatform().daemon().name("soak-attachment").start(() -> watchAttachment(lab));
            try {
                return soak(lab, agent);
            } finally {
                watching.set(false);
                watch.join();
                agent.close();
            }
        } finally {
            deleteTree(state);
        }
    }

    private Result soak(DemoLab lab, LabProcess agent) throws Exception {
        String ns = lab.edgeNamespace();
        post(
                ns,
                "{\"id\": \"" + MARKER_RULE + "\", \"filter\": \"udp and src host " + DemoLab.ATTACKERS_ADDRESS
                        + " and src port "
                        + MARKER_SOURCE_PORT + " and dst port " + MARKER_PORT + "\", \"action\": \"drop\","
                        + " \"comment\": \"soak: every marker datagram\"}");
        Set<String> expected = new TreeSet<>(Set.of(MARKER_RULE));
        List<String> churn = new ArrayList<>();
        long churnAdded = 0;
        long churnRemoved = 0;
        long ruleMismatches = 0;
        String firstMismatch = null;
        long markerSent = 0;
        Set<String> autoSeen = new HashSet<>();
        Set<Integer> sampleRates = new TreeSet<>();
        long lastSeen = -1;
        long counterRegressions = 0;
        Footprint steady = null;
        Footprint last = null;
        List<ObjectNode> cycles = new ArrayList<>();
        long start = System.nanoTime();
        for (int cycle = 0; cycle < options.cycles(); cycle++) {
            FloodKind kind = FLOODS.get(cycle % FLOODS.size());
            long markerThisCycle = 0;
            boolean markerDone = false;
            Set<String> autoThisCycle = new TreeSet<>();
            try (FloodGenerator flood = FloodGenerator.open(options.generator(), lab.floodPath(), kind)) {
                for (int second = 0; second < CYCLE_SECONDS; second++) {
                    sleepUntil(start, (long) cycle * CYCLE_SECONDS + second);
                    requireAlive(agent);
                    if (second == 0) {
                        flood.start(options.floodPacketsPerSecond());
                    } else if (second == FLOOD_SECONDS) {
                        flood.stop();
                    }
                    // churn: one rule in, the one from CHURN_LIVE seconds ago out
                    long n = churnAdded++;
                    String id = "soak-churn-" + n;
                    post(
                            ns,
                            "{\"id\": \"" + id + "\", \"filter\": \"udp and dst port " + (20_000 + n % 20_000)
                                    + "\", \"action\": \"drop\", \"comment\": \"soak churn\"}");
                    churn.add(id);
                    expected.add(id);
                    if (churn.size() > CHURN_LIVE) {
                        String old = churn.removeFirst();
                        delete(ns, old);
                        expected.remove(old);
                        churnRemoved++;
                    }
                    JsonNode rules = get(ns, "/rules");
                    Set<String> manual = new TreeSet<>();
                    boolean anyAuto = false;
                    for (JsonNode r : rules.path("rules")) {
                        if ("auto".equals(r.path("origin").asText())) {
                            anyAuto = true;
                            autoSeen.add(r.path("id").asText());
                            autoThisCycle.add(r.path("id").asText());
                        } else {
                            manual.add(r.path("id").asText());
                        }
                    }
                    if (!manual.equals(expected)) {
                        ruleMismatches++;
                        if (firstMismatch == null) {
                            firstMismatch = "cycle " + cycle + " second " + second + ": expected " + expected
                                    + ", the API has " + manual;
                        }
                    }
                    JsonNode status = get(ns, "/status");
                    sampleRates.add(status.path("sample_rate").asInt());
                    long seen = status.path("counters").path("seen").asLong();
                    if (seen < lastSeen) {
                        counterRegressions++;
                    }
                    lastSeen = seen;
                    // The marker burst, once the flood's automatic rule is gone (it could match the markers).
                    if (!markerDone && second > FLOOD_SECONDS && !anyAuto && second <= CYCLE_SECONDS - 8) {
                        markerThisCycle = MarkerStream.send(
                                lab.attackersNamespace(),
                                InetAddress.getByName(DemoLab.EDGE_ADDRESS),
                                MARKER_SOURCE_PORT,
                                MARKER_PORT,
                                MARKER_PER_CYCLE,
                                MARKER_PER_SECOND);
                        markerSent += markerThisCycle;
                        markerDone = true;
                    }
                }
            }
            Footprint f = footprint(lab, agent, ns);
            if (cycle == options.steadyCycle()) {
                steady = f;
            }
            last = f;
            long markerCounted = rulePackets(ns, MARKER_RULE);
            ObjectNode c = JSON.createObjectNode();
            c.put("cycle", cycle + 1);
            c.put("flood", kind.id());
            c.put("automatic_rules", String.join(",", autoThisCycle));
            c.put("marker_sent", markerThisCycle);
            c.put("marker_sent_total", markerSent);
            c.put("marker_counted_total", markerCounted);
            c.put("heap_bytes", f.heapBytes());
            c.put("fds", f.fds());
            c.put("bpf_maps", f.bpfMaps());
            c.put("bpf_programs", f.bpfPrograms());
            c.put("bpf_links", f.bpfLinks());
            c.put("pins", f.pins());
            cycles.add(c);
            out.printf(
                    Locale.ROOT,
                    "cycle %d/%d (%s): automatic rules %s; churn %d in, %d out; marker %,d sent, %,d counted in all; %s%n",
                    cycle + 1,
                    options.cycles(),
                    kind.id(),
                    autoThisCycle.isEmpty() ? "none" : String.join(",", autoThisCycle),
                    churnAdded,
                    churnRemoved,
                    markerSent,
                    markerCounted,
                    f.describe());
            out.flush();
        }
        Thread.sleep(300);
        long markerCounted = rulePackets(ns, MARKER_RULE);
        JsonNode finalRules = get(ns, "/rules");
        long autoLeft = 0;
        for (JsonNode r : finalRules.path("rules")) {
            if ("auto".equals(r.path("origin").asText())) {
                autoLeft++;
            }
        }
        List<Check> checks = new ArrayList<>();
        checks.add(new Check(
                "attached_throughout",
                detachedPolls.get() == 0 && attachmentPolls.get() > 0,
                attachmentPolls.get() + " polls of the interface, " + detachedPolls.get() + " without an XDP program; "
                        + programIds.size() + " programs seen in turn"));
        checks.add(new Check(
                "no_rule_lost",
                ruleMismatches == 0,
                ruleMismatches == 0
                        ? churnAdded + " rules added and " + churnRemoved
                                + " removed; the API always had exactly the expected manual rules"
                        : ruleMismatches + " seconds with other rules than expected, first: " + firstMismatch));
        checks.add(new Check(
                "marker_counted_exactly",
                markerCounted == markerSent && markerSent > 0,
                String.format(
                        Locale.ROOT,
                        "%,d marker datagrams sent, %,d counted by rule %s",
                        markerSent,
                        markerCounted,
                        MARKER_RULE)));
        checks.add(new Check(
                "counters_never_went_back",
                counterRegressions == 0,
                counterRegressions + " times the seen counter fell"));
        checks.add(new Check(
                "automatic_rules_came_and_went",
                autoSeen.size() >= Math.min(options.cycles(), 2) && autoLeft == 0,
                autoSeen.size() + " automatic rules made, " + autoLeft + " left at the end"));
        checks.add(new Check("sample_rate_changed", sampleRates.size() >= 2, "sample rates seen: " + sampleRates));
        checks.add(footprintCheck(steady, options.steadyCycle(), last));
        ObjectNode root = JSON.createObjectNode();
        root.put("started", Instant.now().minusNanos(System.nanoTime() - start).toString());
        ObjectNode settings = root.putObject("settings");
        settings.put("duration_s", options.duration().toSeconds());
        settings.put("cycles", options.cycles());
        settings.put("cycle_s", CYCLE_SECONDS);
        settings.put("flood_pps", options.floodPacketsPerSecond());
        settings.put("generator", options.generator().id());
        root.put("passed", checks.stream().allMatch(Check::passed));
        var checkArray = root.putArray("checks");
        for (Check ch : checks) {
            checkArray
                    .addObject()
                    .put("name", ch.name())
                    .put("passed", ch.passed())
                    .put("detail", ch.detail());
        }
        root.set("steady", JSON.valueToTree(steady));
        root.set("end", JSON.valueToTree(last));
        root.putArray("cycles").addAll(cycles);
        Path json = options.report().resolve("soak.json");
        Files.writeString(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        return new Result(checks, json);
    }

    /**
     * The end must hold what the end of the steady cycle held ({@link Options#steadyCycle}): the same
     * descriptors and pins, the heap within a margin.
     */
    static Check footprintCheck(Footprint steady, int steadyCycle, Footprint end) {
        long heapLimit = (long) (steady.heapBytes() * 1.25) + (4L << 20);
        boolean ok = end.fds() == steady.fds()
                && end.bpfMaps() == steady.bpfMaps()
                && end.bpfPrograms() == steady.bpfPrograms()
                && end.bpfLinks() == steady.bpfLinks()
                && end.pins() == steady.pins()
                && end.heapBytes() <= heapLimit;
        return new Check(
                "back_to_steady_level",
                ok,
                "after cycle " + (steadyCycle + 1) + ": " + steady.describe() + "; at the end: " + end.describe()
                        + String.format(Locale.ROOT, " (heap limit %.1f MiB)", heapLimit / 1048576.0));
    }

    private Footprint footprint(DemoLab lab, LabProcess agent, String ns) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process gc = new ProcessBuilder(jcmd, Long.toString(agent.pid()), "GC.run")
                .redirectErrorStream(true)
                .start();
        String gcOut = new String(gc.getInputStream().readAllBytes());
        if (gc.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + agent.pid() + " GC.run failed: " + gcOut);
        }
        long heap = heapUsed(ns);
        return Footprint.of(agent.pid(), new PinLayout(lab.edgeInterface(), null).directory(), heap);
    }

    private static long heapUsed(String ns) throws IOException {
        NamespaceHttp.Response r = NamespaceHttp.request(ns, "GET", API + "/metrics", null, null, 5000);
        for (String line : r.body().split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"}")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new IllegalStateException("the agent's /metrics has no jvm_memory_used_bytes{area=\"heap\"}");
    }

    private static long rulePackets(String ns, String id) throws IOException {
        return get(ns, "/rules/" + id).path("packets").asLong(-1);
    }

    private void watchAttachment(DemoLab lab) {
        while (watching.get()) {
            CommandResult r = lab.exec(lab.edgeNamespace(), "ip", "-j", "link", "show", "dev", lab.edgeInterface());
            if (r.exitCode() == 0) {
                attachmentPolls.incrementAndGet();
                Optional<Long> id = xdpProgram(r.output());
                if (id.isPresent()) {
                    programIds.add(id.get());
                } else {
                    detachedPolls.incrementAndGet();
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The XDP program id in {@code ip -j link show}'s answer. */
    static Optional<Long> xdpProgram(String json) {
        try {
            JsonNode link = JSON.readTree(json).path(0);
            JsonNode prog = link.path("xdp").path("prog");
            return prog.has("id") ? Optional.of(prog.get("id").asLong()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static JsonNode get(String ns, String path) throws IOException {
        NamespaceHttp.Response r = NamespaceHttp.request(ns, "GET", API + path, null, null, 5000);
        if (r.status() != 200) {
            throw new IllegalStateException("GET " + path + ": " + r.status() + " " + r.body());
        }
        return r.json();
    }

    private void post(String ns, String body) throws IOException {
        NamespaceHttp.Response r = NamespaceHttp.request(ns, "POST", API + "/rules", body, token, 10_000);
        if (r.status() != 201) {
            throw new IllegalStateException("POST /rules " + body + ": " + r.status() + " " + r.body());
        }
    }

    private void delete(String ns, String id) throws IOException {
        NamespaceHttp.Response r = NamespaceHttp.request(ns, "DELETE", API + "/rules/" + id, null, token, 10_000);
        if (r.status() != 200) {
            throw new IllegalStateException("DELETE /rules/" + id + ": " + r.status() + " " + r.body());
        }
    }

    private void awaitApi(DemoLab lab, LabProcess agent) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            requireAlive(agent);
            if (NamespaceHttp.get(lab.edgeNamespace(), API + "/status").isPresent()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the agent's API did not answer within 60 s; its log:\n" + agent.tail(30));
    }

    private static void requireAlive(LabProcess agent) {
        if (!agent.alive()) {
            throw new IllegalStateException("the agent (pid " + agent.pid() + ") died; its log:\n" + agent.tail(40));
        }
    }

    private static void sleepUntil(long start, long second) throws InterruptedException {
        long wait = start + second * 1_000_000_000L - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the next boot clears it
        }
    }
}
