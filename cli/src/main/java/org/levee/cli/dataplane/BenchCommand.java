package org.levee.cli.dataplane;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code levee bench}: measurements on this machine's kernel. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure Levee's programs in this kernel, and the controller.",
        subcommands = {BenchDataplaneCommand.class, BenchRulesetCommand.class, BenchGeneratorCommand.class, BenchDropCommand.class,
                BenchControllerCommand.class, CommandLine.HelpCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
