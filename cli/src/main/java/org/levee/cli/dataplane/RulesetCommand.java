package org.levee.cli.dataplane;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code levee ruleset}: compile rule files into objects and look inside objects. */
@Command(
        name = "ruleset",
        mixinStandardHelpOptions = true,
        description = "Compile rule sets (YAML/JSON) into eBPF objects and inspect them.",
        subcommands = {RulesetCompileCommand.class, RulesetInspectCommand.class, CommandLine.HelpCommand.class})
public final class RulesetCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
