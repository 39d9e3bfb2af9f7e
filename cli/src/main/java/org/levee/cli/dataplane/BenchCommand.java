package org.levee.cli.dataplane;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code levee bench}: measurements on this machine's kernel. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Measure Levee's programs in this kernel, the compiler's filters, rule changes, the detector, sFlow decoding,"
                        + " the controller, and rule distribution to the fleet.",
        subcommands = {
            BenchDataplaneCommand.class,
            BenchRulesetCommand.class,
            BenchCompilerCommand.class,
            BenchGeneratorCommand.class,
            BenchDropCommand.class,
            BenchDetectorCommand.class,
            BenchSflowCommand.class,
            BenchControllerCommand.class,
            BenchFleetCommand.class,
            CommandLine.HelpCommand.class
        })
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
