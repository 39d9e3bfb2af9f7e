package org.levee.cli;

import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.signatures.DnsValidateFilter;
import org.levee.signatures.SignatureException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code levee filter dns-validate}: a filter for malformed DNS queries. */
@Command(
        name = "dns-validate",
        mixinStandardHelpOptions = true,
        description = "Print a classic BPF filter matching malformed DNS queries to --port: too short, flags other "
                + "than RD, RA, AD, CD, Z, QDCOUNT not 1, ANCOUNT or NSCOUNT not 0, ARCOUNT above 1.")
final class FilterDnsValidateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-s", "--strict"},
            description = "Also treat RD and RA as malformed.")
    boolean strict;

    @Option(names = "--port", defaultValue = "53", description = "UDP destination port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Mixin
    LinkTypeOption link;

    @Mixin
    CbpfOutput output;

    @Override
    public Integer call() {
        try {
            output.print(
                    new DnsValidateFilter(strict, port, link.type()).program(),
                    spec.commandLine().getOut());
            return 0;
        } catch (SignatureException e) {
            throw new UserException(e.getMessage(), e);
        }
    }
}
