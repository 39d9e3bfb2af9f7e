package org.levee.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code levee filter}: classic BPF filters: generate them from attack signatures, compile them
 * (tcpdump expressions or cBPF) to eBPF or C, and run them on captures.
 */
@Command(
        name = "filter",
        mixinStandardHelpOptions = true,
        description = "Classic BPF filters: generate them from attack signatures (dns, dns-validate, p0f, suffix), "
                + "compile them (tcpdump expressions or cBPF) to eBPF or C, and run them on pcap files.",
        subcommands = {
            FilterCompileCommand.class,
            FilterRunCommand.class,
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
