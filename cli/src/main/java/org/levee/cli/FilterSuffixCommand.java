package org.levee.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.signatures.SignatureException;
import org.levee.signatures.SuffixFilter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code levee filter suffix}: a filter for packets ending with given bytes. */
@Command(
        name = "suffix",
        mixinStandardHelpOptions = true,
        description = "Print a classic BPF filter matching packets whose last bytes are HEX.")
final class FilterSuffixCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CbpfOutput output;

    @Parameters(
            paramLabel = "HEX",
            arity = "1..*",
            description = "The bytes in hex, e.g. 010203 or 01 02 03 (arguments are joined).")
    List<String> hex;

    @Override
    public Integer call() {
        try {
            output.print(
                    SuffixFilter.parseHex(String.join("", hex)).program(),
                    spec.commandLine().getOut());
            return 0;
        } catch (SignatureException e) {
            throw new UserException(e.getMessage(), e);
        }
    }
}
