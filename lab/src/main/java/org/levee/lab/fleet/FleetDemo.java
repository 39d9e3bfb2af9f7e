package org.levee.lab.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.Status;
import org.levee.ebpf.netns.Netns;
import org.levee.lab.FloodGenerator;
import org.levee.lab.GeneratorKind;
import org.levee.lab.LegitTraffic;
import org.levee.lab.LeveeCommand;
import org.levee.lab.NamespaceHttp;
import org.levee.lab.demo.LegitLedger;
import org.levee.lab.demo.LegitSummary;
import org.levee.lab.fleet.FleetLab.Datacenter;
import org.levee.lab.fleet.FleetLab.Edge;
import org.levee.lab.fleet.FleetSchedule.Attack;
import org.levee.lab.fleet.FleetSchedule.Step;
import org.levee.netns.LabProcess;
import org.levee.store.signing.SigningKey;

/**
 * {@code levee demo --fleet}: the fleet on real floods. Three data centers (ams with two edges,
 * fra, sin), every edge a {@code levee run --etcd … --sflow …} process in its own namespace
 * serving the anycast address; a three-member etcd cluster and two {@code levee controller}
 * processes on the management network; legitimate clients in every data center. Floods, one after
 * another: a SYN flood spread over every data center with every edge below its own threshold (only
 * the controllers' sum sees it), a memcached reflection flood on fra only (its rule must be enabled
 * there and nowhere else), DNS amplification everywhere. Faults meanwhile: the leader controller is
 * killed during the first attack, an etcd member is stopped and started again around the second,
 * and one edge is cut from etcd for 10 s. The demo measures each attack's time until its rule is
 * in force on every edge that sees it (read from the edges' own pins), each edge's propagation
 * (manifest compiled → that edge's swap done, both stamped on this machine's clock), drops after
 * mitigation, legitimate loss per data center, and the fault timeline, and checks the targets.
 */
public final class FleetDemo {
    static final long LEGIT_UDP_PER_DC = 400;
    /**
     * Each edge's sampling: four edges, each sending every sample to two controllers, on a
     * machine of two CPUs that also runs etcd, the generators and the clients; 500 a second per
     * edge is plenty for the detector (it fingerprints from 64).
     */
    static final long EDGE_SAMPLES_PER_SECOND = 500;

    static final long LEGIT_TCP_PER_DC = 10;
    private static final long POLL_MILLIS = 50;
    private static final long READY_MILLIS = 90_000;

    private final FleetSchedule schedule;
    private final Path report;
    private final PrintWriter out;
    private final List<Poll> polls = new CopyOnWriteArrayList<>();
    private final List<FleetReport.Fault> faults = new CopyOnWriteArrayList<>();
    private long t0;
    private Instant wallAtT0;

    public FleetDemo(FleetSchedule schedule, Path report, PrintWriter out) {
        this.schedule = schedule;
        this.report = report;
        this.out = out;
    }

    /** What one poll saw: the fleet as a controller reports it, and each edge's program as its pins say. */
    record Poll(
            long nanos,
            String leader,
            long version,
            Optional<Instant> compiledAt,
            Map<String, NodeView> nodes,
            Map<String, Map<String, RuleView>> edgeRules,
            Map<String, Long> offered) {}

    record NodeView(long version, Optional<Instant> applied) {}

    record RuleView(boolean enabled, long packets) {}

    public FleetReport run() throws Exception {
        Instant startedAt = Instant.now();
        Path state = Files.createTempDirectory("levee-fleet-demo-");
        try (FleetLab lab = FleetLab.create(
                List.of(new FleetLab.Site("ams", 2), new FleetLab.Site("fra", 1), new FleetLab.Site("sin", 1)))) {
            out.printf(
                    "levee demo --fleet: lab %s — data centers ams (2 edges), fra, sin; anycast %s; state and logs in %s%n",
                    lab.id(), FleetLab.ANYCAST, state);
            out.flush();
            // Signed as a fleet should be: the controllers sign every rule set, the edges apply only
            // what this key signed (docs/security.md, "Signed rule sets").
            SigningKey key = SigningKey.generate();
            key.write(state.resolve("signing.key"), state.resolve("signing.pub"));
            try (EtcdCluster etcd = EtcdCluster.start(lab, 3, state.resolve("etcd"))) {
                out.printf(
                        "levee demo --fleet: etcd members at %s; rule sets signed with key %s%n",
                        etcd.endpoints(), key.id());
                List<String> controllerAddresses = List.of(lab.addManagementAddress(), lab.addManagementAddress());
                // The APIs stay on the management namespace's loopback (reads need no token there; an
                // address off loopback would need TLS): one port each.
                List<Integer> apiPorts = List.of(9277, 9278);
                List<String> controllerApis =
                        apiPorts.stream().map(p -> "http://127.0.0.1:" + p).toList();
                List<LabProcess> controllers = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    controllers.add(startController(
                            lab, etcd, "ctl-" + (char) ('a' + i), controllerAddresses.get(i), apiPorts.get(i), state));
                }
                String sflow = String.join(
                        ",", controllerAddresses.stream().map(a -> a + ":6343").toList());
                Map<String, LabProcess> edges = new LinkedHashMap<>();
                for (Edge edge : lab.edges()) {
                    edges.put(edge.node(), startEdge(lab, etcd, edge, sflow, state));
                }
                try {
                    awaitFleet(lab, controllerApis, controllers, edges);
                    return measure(lab, etcd, controllerApis, controllers, startedAt);
                } finally {
                    keepLogs(state);
                }
            }
        } finally {
            deleteTree(state);
        }
    }

    /** The processes' logs go with the report (DIR/logs/), for a reader who wants to know why. */
    private void keepLogs(Path state) {
        try (var logs = Files.list(state)) {
            Path target = report.resolve("logs");
            Files.createDirectories(target);
            for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log"))
                    .toList()) {
                Files.copy(log, target.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Path etcdLogs = state.resolve("etcd");
            if (Files.isDirectory(etcdLogs)) {
                try (var more = Files.list(etcdLogs)) {
                    for (Path log : more.filter(p -> p.getFileName().toString().endsWith(".log"))
                            .toList()) {
                        Files.copy(
                                log,
                                target.resolve("etcd-" + log.getFileName()),
                                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (Exception e) {
            out.println("levee demo --fleet: could not keep the logs: " + e.getMessage());
        }
    }

    private LabProcess startController(
            FleetLab lab, EtcdCluster etcd, String name, String address, int apiPort, Path state) throws Exception {
        Path config = state.resolve(name + ".yaml");
        Files.writeString(config, "name: " + name + "\nleader_ttl: 2s\ndetector:\n  cooldown: 5s\n");
        return lab.spawn(
                name,
                lab.managementNamespace(),
                state.resolve(name + ".log"),
                LeveeCommand.of(List.of(
                        "controller",
                        "--etcd",
                        etcd.endpoints(),
                        "--sflow-listen",
                        address + ":6343",
                        "--api",
                        "127.0.0.1:" + apiPort,
                        "--state-dir",
                        state.resolve(name).toString(),
                        "--config",
                        config.toString(),
                        "--name",
                        name,
                        "--signing-key",
                        state.resolve("signing.key").toString())));
    }

    private LabProcess startEdge(FleetLab lab, EtcdCluster etcd, Edge edge, String sflow, Path state) throws Exception {
        Path dir = state.resolve(edge.node());
        Files.createDirectories(dir);
        return lab.spawn(
                edge.node(),
                edge.namespace(),
                state.resolve(edge.node() + ".log"),
                LeveeCommand.of(List.of(
                        "run",
                        "-i",
                        edge.iface(),
                        "--datacenter",
                        edge.datacenter(),
                        "--node",
                        edge.node(),
                        "--etcd",
                        etcd.endpoints(),
                        "--sflow",
                        sflow,
                        "--state-dir",
                        dir.toString(),
                        "--api",
                        "127.0.0.1:9276",
                        "--samples-per-second",
                        Long.toString(EDGE_SAMPLES_PER_SECOND),
                        "--trust-key",
                        state.resolve("signing.pub").toString())));
    }

    /** Until a leader is elected and every edge is registered. */
    private void awaitFleet(
            FleetLab lab, List<String> controllers, List<LabProcess> processes, Map<String, LabProcess> edges)
            throws Exception {
        long deadline = System.nanoTime() + READY_MILLIS * 1_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            for (LabProcess p : processes) {
                requireAlive(p);
            }
            for (LabProcess p : edges.values()) {
                requireAlive(p);
            }
            Optional<JsonNode> fleet = fleet(lab, controllers);
            if (fleet.isPresent()) {
                JsonNode f = fleet.get();
                int nodes = f.path("nodes").size();
                last = "leader " + f.path("leader").asText("none") + ", " + nodes + " of " + edges.size()
                        + " edges registered";
                if (!f.path("leader").isNull() && !f.path("leader").asText("").isEmpty() && nodes == edges.size()) {
                    out.printf("levee demo --fleet: %s%n", last);
                    out.flush();
                    return;
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                "the fleet did not come up within " + READY_MILLIS / 1000 + " s (" + last + ")");
    }

    private static void requireAlive(LabProcess p) {
        if (!p.alive()) {
            throw new IllegalStateException(p.name() + " exited (" + p.process().exitValue() + "): " + p.tail(15));
        }
    }

    /** The fleet's status from the first controller API (a base URL in the management namespace) that answers. */
    private static Optional<JsonNode> fleet(FleetLab lab, List<String> controllers) {
        for (String api : controllers) {
            Optional<JsonNode> f = NamespaceHttp.get(lab.managementNamespace(), api + "/fleet");
            if (f.isPresent()) {
                return f;
            }
        }
        return Optional.empty();
    }

    private FleetReport measure(
            FleetLab lab,
            EtcdCluster etcd,
            List<String> controllerApis,
            List<LabProcess> controllers,
            Instant startedAt)
            throws Exception {
        Map<String, LegitTraffic> legit = new LinkedHashMap<>();
        Map<String, FloodGenerator> generators = new LinkedHashMap<>();
        AtomicBoolean polling = new AtomicBoolean(true);
        Thread poller = null;
        GeneratorKind generatorKind = GeneratorKind.preferred();
        try {
            for (Datacenter dc : lab.datacenters()) {
                legit.put(
                        dc.name(),
                        LegitTraffic.start(
                                dc.edges().stream().map(Edge::namespace).toList(),
                                List.of(InetAddress.getByName(FleetLab.ANYCAST)),
                                dc.clients(),
                                dc.clientAddresses(),
                                LEGIT_UDP_PER_DC,
                                LEGIT_TCP_PER_DC));
            }
            for (Attack a : schedule.attacks()) {
                for (String dc : a.datacenters()) {
                    generators.put(
                            a.name() + "/" + dc,
                            FloodGenerator.open(
                                    generatorKind, lab.datacenter(dc).floodPath(), a.kind()));
                }
            }
            t0 = System.nanoTime();
            wallAtT0 = Instant.now();
            poller = Thread.ofPlatform()
                    .daemon()
                    .name("fleet-poller")
                    .start(() -> poll(lab, controllerApis, generators, polling));
            out.printf(
                    "levee demo --fleet: floods from the %s generator; schedule (s): %s%n",
                    generatorKind.id(), schedule.describe());
            out.println("   t  flood                 leader   ruleset  current  legit delivered/sent ams · fra · sin");
            out.flush();
            Edge cut = lab.datacenter("sin").edges().getFirst();
            String killed = null;
            int second = 0;
            for (Step step : schedule.steps()) {
                while (second < step.at() && second < schedule.end()) {
                    sleepUntil(second + 1);
                    second++;
                    printSecond(second, legit);
                }
                sleepUntil(step.at());
                switch (step.kind()) {
                    case START_FLOOD -> {
                        Attack a = step.attack();
                        for (String dc : a.datacenters()) {
                            generators.get(a.name() + "/" + dc).start(a.ppsPerDatacenter());
                        }
                        fault("flood " + a.name() + " started in " + String.join(", ", a.datacenters()));
                    }
                    case STOP_FLOOD -> {
                        Attack a = step.attack();
                        for (String dc : a.datacenters()) {
                            generators.get(a.name() + "/" + dc).stop();
                        }
                        fault("flood " + a.name() + " stopped");
                    }
                    case KILL_LEADER -> {
                        String leader = latestLeader();
                        int index = leader != null && leader.equals("ctl-b") ? 1 : 0;
                        killed = "ctl-" + (char) ('a' + index);
                        controllers.get(index).kill();
                        fault("leader " + killed + " killed (SIGKILL)");
                    }
                    case STOP_ETCD_MEMBER -> {
                        etcd.stopMember(2);
                        fault("etcd member m2 stopped");
                    }
                    case START_ETCD_MEMBER -> {
                        etcd.startMember(2);
                        fault("etcd member m2 started again");
                    }
                    case CUT_EDGE -> {
                        lab.partition(cut, EtcdCluster.CLIENT_PORT, true);
                        fault("edge " + cut.node() + " cut from etcd");
                    }
                    case HEAL_EDGE -> {
                        lab.partition(cut, EtcdCluster.CLIENT_PORT, false);
                        fault("edge " + cut.node() + " reconnected to etcd");
                    }
                }
            }
            while (second < schedule.end()) {
                sleepUntil(second + 1);
                second++;
                printSecond(second, legit);
            }
            legit.values().forEach(LegitTraffic::stopSending);
            Thread.sleep(500);
            polling.set(false);
            poller.join();
            poller = null;
            return FleetReport.compute(
                    startedAt,
                    t0,
                    wallAtT0,
                    schedule,
                    List.copyOf(polls),
                    List.copyOf(faults),
                    lab,
                    legit,
                    killed,
                    cut.node(),
                    generatorKind);
        } finally {
            polling.set(false);
            if (poller != null) {
                poller.join();
            }
            for (FloodGenerator g : generators.values()) {
                g.close();
            }
            for (LegitTraffic l : legit.values()) {
                l.close();
            }
        }
    }

    private void fault(String what) {
        FleetReport.Fault f = new FleetReport.Fault(seconds(), what);
        faults.add(f);
        out.printf(Locale.ROOT, "  %6.2f s  %s%n", f.at(), what);
        out.flush();
    }

    private String latestLeader() {
        for (int i = polls.size() - 1; i >= 0; i--) {
            if (polls.get(i).leader() != null) {
                return polls.get(i).leader();
            }
        }
        return null;
    }

    private void printSecond(int second, Map<String, LegitTraffic> legit) {
        Poll last = polls.isEmpty() ? null : polls.getLast();
        String flood = schedule.floodAt(second);
        long current = last == null
                ? 0
                : last.nodes().values().stream()
                        .filter(n -> n.version() == last.version())
                        .count();
        StringBuilder l = new StringBuilder();
        long from = t0 + (second - 1) * 1_000_000_000L;
        for (LegitTraffic t : legit.values()) {
            var w = t.window(from, from + 1_000_000_000L);
            l.append(l.isEmpty() ? "" : " · ").append(w.delivered()).append('/').append(w.sent());
        }
        out.printf(
                Locale.ROOT,
                "%4d  %-20s  %-7s  %7s  %3d/%d    %s%n",
                second,
                flood,
                last == null || last.leader() == null ? "none" : last.leader(),
                last == null ? "-" : Long.toString(last.version()),
                current,
                last == null ? 0 : last.nodes().size(),
                l);
        out.flush();
    }

    private void poll(
            FleetLab lab, List<String> controllers, Map<String, FloodGenerator> generators, AtomicBoolean polling) {
        while (polling.get()) {
            long started = System.nanoTime();
            String leader = null;
            long version = -1;
            Optional<Instant> compiled = Optional.empty();
            Map<String, NodeView> nodes = new LinkedHashMap<>();
            Optional<JsonNode> fleet = fleet(lab, controllers);
            if (fleet.isPresent()) {
                JsonNode f = fleet.get();
                leader = f.path("leader").isTextual() ? f.path("leader").asText() : null;
                version = f.path("ruleset").path("version").asLong(-1);
                compiled = instant(f.path("ruleset").path("compiled_at"));
                for (JsonNode n : f.path("nodes")) {
                    nodes.put(
                            n.path("node").asText(),
                            new NodeView(n.path("version").asLong(-1), instant(n.path("applied_at"))));
                }
            }
            Map<String, Map<String, RuleView>> edgeRules = new LinkedHashMap<>();
            for (Edge edge : lab.edges()) {
                Map<String, RuleView> rules = new LinkedHashMap<>();
                try {
                    Status s = Netns.run(edge.namespace(), () -> Status.read(new PinLayout(edge.iface(), null)));
                    for (Status.RuleStatus r : s.rules()) {
                        rules.put(r.id(), new RuleView(r.enabled(), r.packets()));
                    }
                    edgeRules.put(edge.node(), rules);
                } catch (Exception e) {
                    // a swap in progress or the edge restarting: no reading this time
                }
            }
            Map<String, Long> offered = new LinkedHashMap<>();
            generators.forEach((key, g) -> offered.put(key, g.offered()));
            polls.add(new Poll(started, leader, version, compiled, nodes, edgeRules, offered));
            long wait = POLL_MILLIS * 1_000_000L - (System.nanoTime() - started);
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    private static Optional<Instant> instant(JsonNode n) {
        try {
            return n.isTextual() ? Optional.of(Instant.parse(n.asText())) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private void sleepUntil(double seconds) throws InterruptedException {
        long wait = t0 + (long) (seconds * 1e9) - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (Exception e) {
            // best effort: a temporary directory
        }
    }

    /** Where the report goes. */
    public Path reportDirectory() {
        return report;
    }

    static List<LegitSummary.Window> windows(List<double[]> intervals, long t0) {
        return intervals.stream()
                .map(i -> new LegitSummary.Window(t0 + (long) (i[0] * 1e9), t0 + (long) (i[1] * 1e9)))
                .toList();
    }

    static LegitSummary summary(LegitTraffic traffic, List<LegitSummary.Window> windows) {
        return LegitSummary.of(LegitLedger.of(traffic), windows);
    }
}
