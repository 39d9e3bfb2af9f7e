package org.levee.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.lab.FloodKind;
import org.levee.lab.GeneratorKind;
import org.levee.lab.demo.AttackOutcome;
import org.levee.lab.demo.DemoOptions;
import org.levee.lab.demo.DemoReport;
import org.levee.lab.demo.DemoRun;
import org.levee.lab.demo.ReportFiles;
import org.levee.lab.demo.TargetResult;
import org.levee.lab.fleet.FleetDemo;
import org.levee.lab.fleet.FleetReport;
import org.levee.lab.fleet.FleetSchedule;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee demo}: real floods against a lab edge protected by Levee, end to end, with a
 * report. Exit 0 when every target was met, 1 when one was not, 2 for bad options.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Build a lab of network namespaces (needs root), run Levee on its edge, send legitimate traffic and "
                        + "five real floods one after another, print a table once a second, write DIR/report.json and "
                        + "DIR/report.html, and check the targets (exit 1 if one is missed). Removes the lab on exit and on Ctrl-C.")
final class DemoCommand implements Callable<Integer> {
    /** Exit code when the demo ran but missed a target. */
    static final int TARGET_MISSED = 1;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--duration",
            paramLabel = "S",
            defaultValue = "" + DemoOptions.DEFAULT_DURATION_SECONDS,
            description = "Seconds to run (default ${DEFAULT-VALUE}; with --fleet " + FleetSchedule.DEFAULT_SECONDS
                    + ", at least " + FleetSchedule.SHORTEST_SECONDS
                    + "): the floods share it, each followed by a quiet time for its rule to retire.")
    int duration;

    @Option(
            names = "--fleet",
            description =
                    "The fleet instead of one node: 3 data centers (4 edges, one anycast address),"
                            + " 3 etcd members, 2 controllers; floods spread over every data center and on one only; the leader killed, an etcd"
                            + " member restarted and an edge cut from etcd meanwhile (about 2 minutes with the lab's start; see docs/fleet.md, \"The fleet demo\").")
    boolean fleet;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            defaultValue = "levee-demo-report",
            description = "Where report.json and report.html go (default ${DEFAULT-VALUE}).")
    Path report;

    @Option(
            names = "--attacks",
            split = ",",
            paramLabel = "KIND",
            description =
                    "Floods in order (default: syn, dns-amp, memcached, dns-subdomain, udp, syn6); also udp6 (IPv6).")
    List<String> attacks = new ArrayList<>();

    @Option(
            names = "--attack-pps",
            paramLabel = "PPS",
            defaultValue = "0",
            description =
                    "Packets per second of each flood; 0, the default, means what the generator sustains here: 1,000,000 for live "
                            + "frames, 1,200,000 for the socket generator).")
    long attackPps;

    @Option(
            names = "--generator",
            paramLabel = "KIND",
            defaultValue = DemoOptions.DEFAULT_GENERATOR,
            description =
                    "How floods are sent: live (XDP live frames), socket (AF_XDP), or auto (default: live where this "
                            + "kernel allows it, socket otherwise).")
    String generator;

    @Option(
            names = "--legit-udp",
            paramLabel = "N",
            defaultValue = "" + DemoOptions.DEFAULT_LEGIT_UDP_PER_SECOND,
            description = "Legitimate UDP requests per second (default ${DEFAULT-VALUE}).")
    long legitUdp;

    @Option(
            names = "--legit-tcp",
            paramLabel = "N",
            defaultValue = "" + DemoOptions.DEFAULT_LEGIT_TCP_PER_SECOND,
            description =
                    "Legitimate TCP requests (a connection each) per second, 0 for none (default ${DEFAULT-VALUE}).")
    long legitTcp;

    @Option(
            names = "--cooldown",
            paramLabel = "S",
            defaultValue = "5",
            description = "The detector's cool-down in seconds (default ${DEFAULT-VALUE}; a production node keeps 60).")
    int cooldown;

    @Option(
            names = "--sample-rate",
            paramLabel = "N",
            defaultValue = "" + DemoOptions.DEFAULT_SAMPLE_RATE,
            description =
                    "The agent samples a fixed 1 in N packets; 0 (the default) lets it adapt N to the traffic, as levee run does.")
    int sampleRate;

    @Override
    public Integer call() throws Exception {
        if (fleet) {
            return fleet();
        }
        GeneratorKind sender;
        try {
            sender = GeneratorKind.choose(generator);
        } catch (IllegalArgumentException e) {
            throw new UserException("--generator: " + e.getMessage(), e);
        }
        DemoOptions options;
        try {
            options = new DemoOptions(
                    duration,
                    floods(),
                    attackPps == 0 ? sender.defaultFloodRate() : attackPps,
                    legitUdp,
                    legitTcp,
                    Duration.ofSeconds(cooldown),
                    sampleRate,
                    sender.id());
            options.schedule();
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        DemoReport result = new DemoRun(options, out).run();
        ReportFiles.write(report, result);
        out.println();
        for (AttackOutcome a : result.attacks()) {
            out.printf(
                    Locale.ROOT,
                    "%-13s %,.0f pps offered, mitigated in %s s, %s%% dropped after mitigation, rule retired at %s s: %s%n",
                    a.name(),
                    a.reachedPps(),
                    fmt(a.timeToMitigate()),
                    fmt(a.droppedPctAfterMitigation()),
                    fmt(a.retiredSeconds()),
                    a.rule().map(r -> r.comment()).orElse("no rule"));
        }
        out.printf(
                Locale.ROOT,
                "legitimate: %,d sent, %.3f%% lost, %.3f%% outside detection windows%n",
                result.legit().total().sent(),
                result.legit().lostPct(),
                result.legit().lostPctOutsideDetection());
        for (TargetResult t : result.targets()) {
            out.printf(
                    Locale.ROOT,
                    "%-6s %s: %s (%s %s)%n",
                    t.met() ? "met" : "MISSED",
                    t.name(),
                    fmt(t.measured()),
                    t.comparison(),
                    fmt(t.limit()));
        }
        out.printf("report: %s, %s%n", report.resolve(ReportFiles.JSON), report.resolve(ReportFiles.HTML));
        out.flush();
        return result.allTargetsMet() ? 0 : TARGET_MISSED;
    }

    private int fleet() throws Exception {
        if (!attacks.isEmpty() || attackPps != 0 || !generator.equals(DemoOptions.DEFAULT_GENERATOR)) {
            throw new UserException(
                    "--fleet runs its own schedule: --attacks, --attack-pps and --generator do not apply");
        }
        int seconds = spec.commandLine().getParseResult().hasMatchedOption("--duration")
                ? duration
                : FleetSchedule.DEFAULT_SECONDS;
        FleetSchedule schedule;
        try {
            schedule = FleetSchedule.lasting(seconds);
        } catch (IllegalArgumentException e) {
            throw new UserException("--duration: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        FleetReport result = new FleetDemo(schedule, report, out).run();
        result.write(report);
        out.println();
        for (FleetReport.Target t : result.targets()) {
            out.printf(
                    Locale.ROOT,
                    "%-6s %s: %s (%s %s)%n",
                    t.met() ? "met" : "MISSED",
                    t.name(),
                    fmt(t.measured()),
                    t.comparison(),
                    fmt(t.limit()));
        }
        out.printf("report: %s, %s%n", report.resolve(FleetReport.JSON_FILE), report.resolve(FleetReport.HTML_FILE));
        out.flush();
        return result.allTargetsMet() ? 0 : TARGET_MISSED;
    }

    private List<FloodKind> floods() {
        if (attacks.isEmpty()) {
            return DemoOptions.DEFAULT_KINDS;
        }
        List<FloodKind> result = new ArrayList<>();
        for (String id : attacks) {
            try {
                result.add(FloodKind.byId(id.strip()));
            } catch (IllegalArgumentException e) {
                throw new UserException("--attacks: " + e.getMessage());
            }
        }
        return result;
    }

    private static String fmt(java.util.OptionalDouble v) {
        return v.isPresent() ? fmt(v.getAsDouble()) : "—";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
