package org.levee.cli.api;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code levee api …}: housekeeping of the agent's and the controller's HTTP APIs. */
@Command(
        name = "api",
        mixinStandardHelpOptions = true,
        description = "The HTTP APIs of the agent and the controller: their bearer token (docs/security.md).",
        subcommands = ApiTokenCommand.class)
public final class ApiCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
