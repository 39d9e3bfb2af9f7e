package org.levee.cli.dataplane;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.dataplane.DataplaneException;
import org.levee.dataplane.Status;
import org.levee.dataplane.program.Counter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code levee dataplane status -i IFACE [--netns NAME] [--json]}. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description =
                "Show the program, rule-set version, data center, sample rate, counters and per-rule counts of an interface.")
public final class DataplaneStatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    InterfaceOptions target;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() {
        Status status;
        try {
            status = Status.read(target.layout());
        } catch (DataplaneException e) {
            throw new UserException(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(status.toJson());
            return 0;
        }
        out.printf(
                "interface %s%s: program %d, version %s, data center %s, %s%n",
                status.iface(),
                status.netns() == null ? "" : " (netns " + status.netns() + ")",
                status.programId(),
                status.version(),
                status.datacenter() == null ? "(none)" : status.datacenter(),
                status.sampleRate() == 0 ? "sampling off" : "sampling 1 in " + status.sampleRate());
        StringBuilder counters = new StringBuilder();
        for (Counter counter : Counter.values()) {
            counters.append(counters.isEmpty() ? "" : "  ")
                    .append(counter.key())
                    .append(' ')
                    .append(status.counters().get(counter));
        }
        out.println(counters);
        int width = status.rules().stream().mapToInt(r -> r.id().length()).max().orElse(2);
        for (Status.RuleStatus rule : status.rules()) {
            out.printf(
                    "%-" + width + "s  %-8s  %-9s  %12d packets  %14d bytes%n",
                    rule.id(),
                    rule.enabled() ? "enabled" : "disabled",
                    rule.action(),
                    rule.packets(),
                    rule.bytes());
        }
        return 0;
    }
}
