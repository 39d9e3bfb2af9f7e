package org.levee.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.lab.DeliveryCounts;
import org.levee.lab.DemoLab;
import org.levee.lab.EdgeCounter;
import org.levee.lab.FloodKind;
import org.levee.lab.GeneratorKind;
import org.levee.lab.LabRun;
import org.levee.lab.LabSecond;
import org.levee.lab.LegitTraffic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee lab}: the demo's lab and traffic without Levee, for experiments: what the floods
 * do to an unprotected edge, or (with --drop) to one that drops them perfectly.
 */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        description = "Build the demo lab (network namespaces; needs root), send legitimate traffic and the floods one "
                + "after another, print a table once a second, remove the lab (also on Ctrl-C). The edge runs a counting "
                + "XDP program that passes the floods, or drops them with --drop.")
final class LabCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--duration", defaultValue = "30", description = "Seconds to run (default ${DEFAULT-VALUE}).")
    int duration;

    @Option(
            names = "--kinds",
            split = ",",
            description =
                    "Floods in order (default all): syn, dns-amp, memcached, dns-subdomain, udp, syn6, udp6 (the last two over IPv6).")
    List<String> kinds = new ArrayList<>();

    @Option(
            names = "--flood-rate",
            defaultValue = "0",
            description = "Flood packets per second, 0 for as fast as possible (default ${DEFAULT-VALUE}).")
    long floodRate;

    @Option(
            names = "--flood-seconds",
            defaultValue = "5",
            description = "Seconds each flood lasts, after a quiet second (default ${DEFAULT-VALUE}).")
    int floodSeconds;

    @Option(
            names = "--legit-udp",
            defaultValue = "1000",
            description = "Legitimate UDP requests per second (default ${DEFAULT-VALUE}).")
    long legitUdp;

    @Option(
            names = "--legit-tcp",
            defaultValue = "50",
            description =
                    "Legitimate TCP requests (new connections) per second, 0 for none (default ${DEFAULT-VALUE}).")
    long legitTcp;

    @Option(
            names = "--generator",
            paramLabel = "KIND",
            defaultValue = "auto",
            description =
                    "How floods are sent: live (XDP live frames), socket (AF_XDP), or auto (default: live where this "
                            + "kernel allows it, socket otherwise).")
    String generator;

    @Option(names = "--drop", description = "Drop the floods at the edge (perfect mitigation) instead of passing them.")
    boolean drop;

    @Override
    public Integer call() throws Exception {
        List<FloodKind> floods = floods();
        if (duration < 1) {
            throw new UserException("--duration must be ≥ 1 second, got " + duration);
        }
        if (floodSeconds < 1) {
            throw new UserException("--flood-seconds must be ≥ 1, got " + floodSeconds);
        }
        if (floodRate < 0) {
            throw new UserException("--flood-rate must be ≥ 0 pps, got " + floodRate);
        }
        if (legitUdp < 1 || legitTcp < 0) {
            throw new UserException(
                    "--legit-udp must be ≥ 1 and --legit-tcp ≥ 0, got " + legitUdp + " and " + legitTcp);
        }
        GeneratorKind sender;
        try {
            sender = GeneratorKind.choose(generator);
        } catch (IllegalArgumentException e) {
            throw new UserException("--generator: " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (DemoLab lab = DemoLab.create();
                EdgeCounter edge = EdgeCounter.attach(lab, drop);
                LegitTraffic legit = LegitTraffic.start(lab, legitUdp, legitTcp)) {
            out.printf(
                    "lab %s: edge %s on %s in %s, clients %s, attackers on %s in %s; floods %s, sent by the %s generator"
                            + " (%s) %s%n",
                    lab.id(),
                    DemoLab.EDGE_ADDRESS,
                    lab.edgeInterface(),
                    lab.edgeNamespace(),
                    DemoLab.CLIENT_ADDRESSES,
                    lab.attackersInterface(),
                    lab.attackersNamespace(),
                    drop ? "dropped at the edge" : "passed to the edge's stack",
                    sender.id(),
                    sender.description(),
                    floodRate == 0 ? "as fast as it can" : String.format("at %,d pps", floodRate));
            out.println(LabSecond.header());
            out.flush();
            new LabRun(lab, legit, edge, sender, floods, floodRate, floodSeconds).run(duration, s -> {
                out.println(s.row());
                out.flush();
            });
            // The table's last seconds may count TCP requests still retrying; the summary waits for them.
            legit.stopSending();
            Thread.sleep(legitTcp > 0 ? LegitTraffic.TCP_SETTLE_MILLIS : LegitTraffic.UDP_SETTLE_MILLIS);
            DeliveryCounts total = legit.total();
            out.printf(
                    "legitimate requests: %,d sent, %,d lost (%.3f %%), %,d unanswered%n",
                    total.sent(), total.lost(), 100.0 * total.lossRatio(), total.delivered() - total.answered());
        }
        return 0;
    }

    private List<FloodKind> floods() {
        if (kinds.isEmpty()) {
            return List.of(FloodKind.values());
        }
        List<FloodKind> result = new ArrayList<>();
        for (String id : kinds) {
            try {
                result.add(FloodKind.byId(id.strip()));
            } catch (IllegalArgumentException e) {
                throw new UserException("--kinds: " + e.getMessage());
            }
        }
        return result;
    }
}
