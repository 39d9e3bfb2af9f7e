package org.levee.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.signatures.DnsQueryFilter;
import org.levee.signatures.SignatureException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code levee filter dns}: a filter for DNS queries by their first question name. */
@Command(
        name = "dns",
        mixinStandardHelpOptions = true,
        description = {
            "Print a classic BPF filter matching DNS queries (UDP to --port, over IPv4 or IPv6) whose first "
                    + "question name matches any PATTERN.",
            "Patterns: a label '*' is any one label, '*{MIN-MAX}' a label of MIN..MAX bytes, '?' any one byte, "
                    + "a last label '**' one or more labels, %%HH a byte in hex; other stars are literal; "
                    + "leading and trailing dots are ignored. See docs/signatures.md."
        })
final class FilterDnsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(
            names = {"-i", "--ignore-case"},
            description = "Fold the case of ASCII letters (only letters).")
    boolean ignoreCase;

    @Option(names = "--port", defaultValue = "53", description = "UDP destination port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Mixin
    LinkTypeOption link;

    @Mixin
    CbpfOutput output;

    @Parameters(paramLabel = "PATTERN", arity = "1..*", description = "DNS name patterns, e.g. *.example.com")
    List<String> patterns;

    @Override
    public Integer call() {
        try {
            output.print(
                    DnsQueryFilter.of(patterns, ignoreCase, port, link.type()).program(),
                    spec.commandLine().getOut());
            return 0;
        } catch (SignatureException e) {
            throw new UserException(e.getMessage(), e);
        }
    }
}
