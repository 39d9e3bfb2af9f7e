package org.levee.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code levee doctor}: checks that this machine can run Levee. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check that this machine can run Levee (privileges, bpf(), JIT, bpffs, XDP, libpcap).")
final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("doctor: not yet implemented");
        return 1;
    }
}
