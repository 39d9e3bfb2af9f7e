package org.levee.cli;

import picocli.CommandLine.Command;

/** {@code levee filter}: compile tcpdump expressions or cBPF and run them on captures. */
@Command(name = "filter", mixinStandardHelpOptions = true,
        description = "Compile filters (tcpdump expressions or cBPF) to eBPF or C, and run them on pcap files.",
        subcommands = {FilterCompileCommand.class, FilterRunCommand.class})
final class FilterCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
