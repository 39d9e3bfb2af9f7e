package org.levee.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code levee filter …}: classic BPF filters: generate them from signatures, compile, run. */
@Command(name = "filter", mixinStandardHelpOptions = true,
        description = "Classic BPF filters: generate them from attack signatures.",
        subcommands = {
                FilterDnsCommand.class,
                FilterDnsValidateCommand.class,
                FilterP0fCommand.class,
                FilterSuffixCommand.class,
        })
final class FilterCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
