package org.levee.cli.dataplane;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code levee dataplane}: attach, replace, detach and inspect the XDP program of an interface. */
@Command(
        name = "dataplane",
        mixinStandardHelpOptions = true,
        description =
                "Attach a compiled rule set to an interface (or swap it atomically), detach it, show its counters.",
        subcommands = {
            DataplaneAttachCommand.class,
            DataplaneDetachCommand.class,
            DataplaneStatusCommand.class,
            CommandLine.HelpCommand.class
        })
public final class DataplaneCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
