package org.levee.cli.rules;

import picocli.CommandLine.Command;

/** {@code levee rules …}: the rules of a running node, through its HTTP API. */
@Command(
        name = "rules",
        mixinStandardHelpOptions = true,
        description =
                "List, show, add and remove the rules of a running node (levee run) or controller, through its HTTP"
                        + " API, with its bearer token (writes need it; see --token-file).",
        subcommands = {RulesListCommand.class, RulesShowCommand.class, RulesAddCommand.class, RulesRemoveCommand.class})
public final class RulesCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
