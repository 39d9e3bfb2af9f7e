package org.levee.cli.fleet;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code levee fleet}: the fleet as etcd shows it. */
@Command(
        name = "fleet",
        mixinStandardHelpOptions = true,
        description = "The fleet of edges and controllers, read from etcd.",
        subcommands = {FleetStatusCommand.class, CommandLine.HelpCommand.class})
public final class FleetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
