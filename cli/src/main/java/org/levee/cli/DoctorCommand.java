package org.levee.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.levee.cli.doctor.Check;
import org.levee.cli.doctor.CheckResult;
import org.levee.cli.doctor.DoctorChecks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code levee doctor}: checks that this machine can run Levee, one line per check. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = "Check that this machine can run Levee: privileges, bpf(), JIT, bpffs, ring buffers, "
                + "XDP test runs, atomics, XDP attach, libpcap, kernel version; and, for the lab only, XDP live frames and "
                + "AF_XDP sockets (a note, never a failure). Exit 1 if a required check fails.")
final class DoctorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        int width = DoctorChecks.all().stream()
                .mapToInt(c -> c.name().length())
                .max()
                .orElse(0);
        boolean requiredFailed = false;
        for (Check check : DoctorChecks.all()) {
            CheckResult result = check.run();
            out.printf("%-" + width + "s  %s%n", check.name(), result.render());
            out.flush();
            requiredFailed |= check.required() && !result.ok();
        }
        return requiredFailed ? 1 : 0;
    }
}
