package org.levee.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.lab.GeneratorKind;
import org.levee.lab.soak.Soak;
import org.levee.rules.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description =
                "Run one node (a levee run process in a lab of network namespaces; needs root) under a repeating workload —"
                        + " a flood of another kind every 30 s, a rule added and one removed every second through the API, an exact number"
                        + " of marker datagrams every cycle — and check at the end that nothing leaked or got lost: heap, file descriptors,"
                        + " BPF maps, programs, links and pins back to the level after the second cycle (the first of a two-cycle soak); every marker counted; the API's"
                        + " rules exactly those added and not removed; an XDP program attached throughout. Writes DIR/soak.json; exit 1"
                        + " when a check fails. See docs/security.md, \"Soak\".")
final class SoakCommand implements Callable<Integer> {
    static final int FAILED = 1;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--duration",
            paramLabel = "TIME",
            defaultValue = "30m",
            description = "How long: 90s, 30m, 2h… (default ${DEFAULT-VALUE}; at least 60s, two cycles).")
    String duration;

    @Option(
            names = "--flood-pps",
            paramLabel = "PPS",
            defaultValue = "300000",
            description = "Packets per second of each cycle's flood (default ${DEFAULT-VALUE}).")
    long floodPps;

    @Option(
            names = "--generator",
            paramLabel = "KIND",
            defaultValue = "auto",
            description =
                    "How floods are sent: live (XDP live frames), socket (AF_XDP) or auto (live where the kernel allows it).")
    String generator;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            defaultValue = "levee-soak-report",
            description = "Where soak.json and the agent's log go (default ${DEFAULT-VALUE}).")
    Path report;

    @Override
    public Integer call() throws Exception {
        Duration d;
        try {
            d = Durations.parse(duration);
        } catch (IllegalArgumentException e) {
            throw new UserException("--duration: " + e.getMessage(), e);
        }
        GeneratorKind kind;
        try {
            kind = GeneratorKind.choose(generator);
        } catch (IllegalArgumentException e) {
            throw new UserException("--generator: " + e.getMessage(), e);
        }
        Soak.Options options;
        try {
            options = new Soak.Options(d, floodPps, kind, report);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        Soak.Result result = new Soak(options, out).run();
        out.println();
        for (Soak.Check c : result.checks()) {
            out.printf(Locale.ROOT, "%-6s %s: %s%n", c.passed() ? "ok" : "FAILED", c.name(), c.detail());
        }
        out.println("report: " + result.json());
        out.flush();
        return result.passed() ? 0 : FAILED;
    }
}
