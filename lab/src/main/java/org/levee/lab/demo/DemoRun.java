package org.levee.lab.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import org.levee.agent.Agent;
import org.levee.agent.config.AgentConfig;
import org.levee.agent.config.Sampling;
import org.levee.dataplane.Counters;
import org.levee.dataplane.XdpDataPlane;
import org.levee.detector.DetectorConfig;
import org.levee.ebpf.XdpMode;
import org.levee.lab.DeliveryCounts;
import org.levee.lab.DemoLab;
import org.levee.lab.FloodGenerator;
import org.levee.lab.FloodPath;
import org.levee.lab.GeneratorKind;
import org.levee.lab.LegitTraffic;

/**
 * One run of the demo: builds the {@link DemoLab}, starts the agent in-process on the edge's
 * interface inside the edge namespace (the same {@link Agent} and {@link XdpDataPlane} that
 * {@code levee run} uses), starts the legitimate traffic, runs the floods of the
 * {@link DemoSchedule}, prints a {@link ConsoleTable} row every second, and measures each
 * attack. Everything it made (namespaces, programs, pins, the agent's state directory) is
 * removed on return, on failure and on Ctrl-C.
 */
public final class DemoRun {
    /** After a flood stops, its last frames are in flight for a moment before the counters are read. */
    private static final long SETTLE_NANOS = 300_000_000L;
    /** After the legitimate clients stop, answers still in flight are awaited this long. */
    private static final long DRAIN_MILLIS = 500;

    private final DemoOptions options;
    private final DemoSchedule schedule;
    private final PrintWriter out;
    private final GeneratorKind generator;

    /** @throws IllegalArgumentException when the options' generator cannot run here (live frames refused) */
    public DemoRun(DemoOptions options, PrintWriter out) {
        this.generator = GeneratorKind.choose(options.generator());
        this.options = options;
        this.schedule = options.schedule();
        this.out = out;
    }

    /** What the demo measured about one flood while it ran; nanos are {@link System#nanoTime()} values. */
    private static final class Track {
        final AttackPlan plan;
        final FloodGenerator generator;
        long startedNanos;
        long stoppedNanos;
        long mitigatedNanos;
        long offeredAtMitigation;
        long passedAtMitigation;
        long offeredAtStop;
        long passedAtSettle;
        long settledNanos;

        Track(AttackPlan plan, FloodGenerator generator) {
            this.plan = plan;
            this.generator = generator;
        }
    }

    public DemoReport run() throws Exception {
        Path stateDir = Files.createTempDirectory("levee-demo-");
        Instant startedAt = Instant.now();
        try (DemoLab lab = DemoLab.create()) {
            out.printf(
                    "levee demo: lab %s — edge %s on %s (namespace %s), clients %s, attackers in %s%n",
                    lab.id(),
                    DemoLab.EDGE_ADDRESS,
                    lab.edgeInterface(),
                    lab.edgeNamespace(),
                    DemoLab.CLIENT_ADDRESSES,
                    lab.attackersNamespace());
            AgentConfig config = AgentConfig.defaults()
                    .withStateDir(stateDir)
                    .withApiAddress(new InetSocketAddress("127.0.0.1", 0))
                    .withDetector(DetectorConfig.defaults().withCooldown(options.cooldown()))
                    .withDetachOnExit(true);
            if (options.sampleRate() > 0) {
                config = config.withSampling(Sampling.fixed(options.sampleRate()));
            }
            XdpDataPlane dataPlane = XdpDataPlane.open(
                    lab.edgeInterface(),
                    lab.edgeNamespace(),
                    XdpMode.NATIVE,
                    config.sampling().initialRate());
            Agent agent;
            try {
                agent = Agent.start(config, dataPlane);
            } catch (RuntimeException e) {
                dataPlane.close(true);
                throw e;
            }
            // On Ctrl-C the lab's own hook removes the namespaces; this one the agent's pins and state.
            Thread hook = Thread.ofPlatform().unstarted(() -> {
                agent.close();
                deleteTree(stateDir);
            });
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                out.printf(
                        "levee demo: agent on %s, API on %s (token in %s), detector cool-down %d s%n",
                        dataPlane.layout().describe(),
                        agent.apiUrl(),
                        config.api().tokenFile(stateDir),
                        options.cooldown().toSeconds());
                out.printf(
                        "levee demo: floods of %,d pps each from the %s generator: %s%n",
                        options.attackPacketsPerSecond(), generator.id(), generator.description());
                return measure(lab, agent, startedAt);
            } finally {
                agent.close();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run
                }
            }
        } finally {
            deleteTree(stateDir);
        }
    }

    private DemoReport measure(DemoLab lab, Agent agent, Instant startedAt) throws Exception {
        FloodPath path = lab.floodPath();
        List<Track> tracks = new ArrayList<>();
        try (LegitTraffic legit = LegitTraffic.start(lab, options.legitUdpPerSecond(), options.legitTcpPerSecond())) {
            LegitLedger ledger = LegitLedger.of(legit);
            long start = System.nanoTime();
            Map<String, Long> rulePackets = new HashMap<>();
            List<Tick> ticks = new ArrayList<>();
            // The flood under way, read by the watch when a new rule appears: that rule mitigates it.
            AtomicReference<Track> current = new AtomicReference<>();
            RuleWatch watch = RuleWatch.start(agent, () -> {
                Track t = current.get();
                if (t != null && t.mitigatedNanos == 0) {
                    t.mitigatedNanos = System.nanoTime();
                    t.offeredAtMitigation = t.generator.offered();
                    t.passedAtMitigation = agent.dataPlane().counters().passed();
                }
            });
            try {
                for (AttackPlan plan : schedule.attacks()) {
                    tracks.add(new Track(plan, FloodGenerator.open(generator, path, plan.kind())));
                }
                ticks.add(tick(start, 0, agent, watch, rulePackets));
                out.print(ConsoleTable.header());
                out.flush();
                List<Event> events = events(start);
                for (Event e : events) {
                    sleepUntil(e.nanos());
                    switch (e.kind()) {
                        case START -> {
                            Track t = tracks.get(e.index());
                            current.set(t);
                            t.startedNanos = System.nanoTime();
                            t.generator.start(t.plan.packetsPerSecond());
                        }
                        case STOP -> {
                            Track t = tracks.get(e.index());
                            t.generator.stop();
                            t.stoppedNanos = System.nanoTime();
                            t.offeredAtStop = t.generator.offered();
                        }
                        case SETTLE -> {
                            Track t = tracks.get(e.index());
                            t.settledNanos = System.nanoTime();
                            t.passedAtSettle = readCounters(agent, rulePackets).passed();
                        }
                        case TICK -> {
                            Tick now = tick(System.nanoTime(), offered(tracks), agent, watch, rulePackets);
                            Second row = Timeline.row(start, ticks.getLast(), now, ledger, schedule);
                            ticks.add(now);
                            out.print(ConsoleTable.row(row));
                            out.flush();
                        }
                    }
                }
                legit.stopSending();
                Thread.sleep(DRAIN_MILLIS);
            } finally {
                watch.close();
                for (Track t : tracks) {
                    t.generator.close();
                }
            }
            return report(startedAt, start, tracks, ticks, ledger, watch, rulePackets);
        }
    }

    private enum EventKind {
        START,
        STOP,
        SETTLE,
        TICK
    }

    private record Event(long nanos, EventKind kind, int index) {}

    /** Every start, stop, settle and once-a-second tick of the run, in time order. */
    private List<Event> events(long start) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < schedule.attacks().size(); i++) {
            AttackPlan p = schedule.attacks().get(i);
            events.add(new Event(start + seconds(p.startSeconds()), EventKind.START, i));
            events.add(new Event(start + seconds(p.endSeconds()), EventKind.STOP, i));
            events.add(new Event(start + seconds(p.endSeconds()) + SETTLE_NANOS, EventKind.SETTLE, i));
        }
        for (int s = 1; s <= schedule.totalSeconds(); s++) {
            events.add(new Event(start + seconds(s), EventKind.TICK, s));
        }
        events.sort(Comparator.comparingLong(Event::nanos).thenComparing(Event::kind));
        return events;
    }

    private static long seconds(double s) {
        return (long) (s * 1e9);
    }

    private static long offered(List<Track> tracks) {
        return tracks.stream().mapToLong(t -> t.generator.offered()).sum();
    }

    private static Tick tick(long nanos, long offered, Agent agent, RuleWatch watch, Map<String, Long> rulePackets) {
        Counters c = readCounters(agent, rulePackets);
        return new Tick(
                nanos,
                offered,
                c.seen(),
                c.dropped() + c.ratelimited(),
                c.passed(),
                c.sampled(),
                c.samplesLost(),
                agent.samplesRead(),
                watch.inForce());
    }

    /** Reads the data plane's counters, remembering each rule's packets (a removed rule's counter goes with it). */
    private static Counters readCounters(Agent agent, Map<String, Long> rulePackets) {
        Counters c = agent.dataPlane().counters();
        c.rules().forEach((id, rc) -> rulePackets.merge(id, rc.packets(), Math::max));
        return c;
    }

    private DemoReport report(
            Instant startedAt,
            long start,
            List<Track> tracks,
            List<Tick> ticks,
            LegitLedger ledger,
            RuleWatch watch,
            Map<String, Long> rulePackets) {
        List<Second> timeline = Timeline.rows(start, ticks, ledger, schedule);
        double background = backgroundPacketsPerRequest(timeline);
        List<RuleWatch.Sighting> sightings = watch.sightings();
        List<RuleWatch.Detection> detections = watch.detections();
        List<AttackOutcome> outcomes = new ArrayList<>();
        List<LegitSummary.Window> windows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < tracks.size(); i++) {
            Track t = tracks.get(i);
            long until = i + 1 < tracks.size() ? tracks.get(i + 1).startedNanos : Long.MAX_VALUE;
            List<RuleWatch.Sighting> own = sightings.stream()
                    .filter(s -> s.inForceNanos() >= t.startedNanos && s.inForceNanos() < until)
                    .toList();
            OptionalDouble detected = detections.stream()
                    .filter(d -> d.detectedNanos() >= t.startedNanos && d.detectedNanos() < until)
                    .mapToDouble(d -> relative(start, d.detectedNanos()))
                    .min();
            boolean mitigated = !own.isEmpty() && t.mitigatedNanos != 0;
            OptionalDouble retired = own.isEmpty() || own.stream().anyMatch(s -> s.removedNanos() == 0)
                    ? OptionalDouble.empty()
                    : OptionalDouble.of(relative(
                            start,
                            own.stream()
                                    .mapToLong(RuleWatch.Sighting::removedNanos)
                                    .max()
                                    .orElseThrow()));
            long dropped = own.stream()
                    .mapToLong(s -> rulePackets.getOrDefault(s.rule().id(), 0L))
                    .sum();
            long passed = 0;
            if (mitigated) {
                long legitSent = ledger.window(t.mitigatedNanos, t.settledNanos).sent();
                passed = Math.max(0, Math.round(t.passedAtSettle - t.passedAtMitigation - background * legitSent));
            }
            long detectionEnd = mitigated ? t.mitigatedNanos : t.stoppedNanos;
            windows.add(new LegitSummary.Window(t.startedNanos, detectionEnd));
            DeliveryCounts duringDetection = ledger.window(t.startedNanos, detectionEnd);
            outcomes.add(new AttackOutcome(
                    t.plan,
                    relative(start, t.startedNanos),
                    relative(start, t.stoppedNanos),
                    detected,
                    mitigated ? OptionalDouble.of(relative(start, t.mitigatedNanos)) : OptionalDouble.empty(),
                    retired,
                    t.offeredAtStop,
                    mitigated ? t.offeredAtStop - t.offeredAtMitigation : 0,
                    dropped,
                    passed,
                    duringDetection,
                    own.isEmpty() ? Optional.empty() : own.getFirst().evidence(),
                    own.stream().map(RuleWatch.Sighting::rule).toList()));
        }
        long firstStart = tracks.getFirst().startedNanos;
        List<String> early = sightings.stream()
                .filter(s -> s.inForceNanos() < firstStart)
                .map(s -> s.rule().id())
                .toList();
        if (!early.isEmpty()) {
            notes.add("automatic rules made before the first flood (false positives on legitimate traffic): "
                    + String.join(", ", early));
        }
        List<String> leftover = sightings.stream()
                .filter(s -> s.removedNanos() == 0)
                .map(s -> s.rule().id())
                .toList();
        LegitSummary legit = LegitSummary.of(ledger, windows);
        notes.add(String.format(
                Locale.ROOT,
                "the detector's cool-down is shortened from %d s to %d s, so that every rule's"
                        + " retirement is seen within the demo",
                DetectorConfig.defaults().cooldown().toSeconds(),
                options.cooldown().toSeconds()));
        notes.add(String.format(
                Locale.ROOT,
                "attack packets passed after mitigation are estimated: packets the edge passed"
                        + " minus the legitimate traffic's own (%.2f packets per request, measured before the first flood)",
                background));
        notes.add("floods come from the " + generator.id() + " generator (" + generator.description()
                + ") in the attackers'"
                + " namespace, redirected by the upstream router's XDP program straight to the edge's interface; legitimate"
                + " UDP and TCP requests are routed by the upstream router's kernel");
        notes.add(
                options.sampleRate() > 0
                        ? "the agent samples a fixed 1 in " + options.sampleRate()
                                + " packets (levee run --sample-rate)"
                        : "the agent adapts its sample rate to the traffic (the default of levee run)");
        DemoSettings settings = new DemoSettings(
                startedAt,
                options.durationSeconds(),
                options.attackPacketsPerSecond(),
                generator.id(),
                generator.description(),
                options.legitUdpPerSecond() + options.legitTcpPerSecond(),
                options.cooldown(),
                machine(),
                notes);
        return new DemoReport(
                settings, legit, outcomes, timeline, Targets.evaluate(outcomes, legit, leftover), leftover);
    }

    /** Packets the edge passes per legitimate request when there is no flood: the seconds before the first one. */
    static double backgroundPacketsPerRequest(List<Second> timeline) {
        long passed = 0;
        long requests = 0;
        for (Second s : timeline) {
            if (!s.attack().isEmpty() || s.attackOffered() > 0) {
                break;
            }
            passed += s.passed();
            requests += s.legitSent();
        }
        return requests == 0 ? 0 : (double) passed / requests;
    }

    private static double relative(long start, long nanos) {
        return Math.round((nanos - start) / 1e6) / 1e3;
    }

    private static String machine() {
        String kernel;
        try {
            kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            kernel = System.getProperty("os.version");
        }
        return "Linux " + kernel + ", " + Runtime.getRuntime().availableProcessors() + " CPUs";
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    /** Removes the agent's state directory; the normal exit and the Ctrl-C hook may race, so "already gone" is fine. */
    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (NoSuchFileException gone) {
            // removed by the other path meanwhile
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof NoSuchFileException)) {
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the demo's state directory " + dir, e);
        }
    }
}
