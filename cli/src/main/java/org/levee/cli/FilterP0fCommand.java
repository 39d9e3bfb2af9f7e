package org.levee.cli;

import java.util.concurrent.Callable;
import org.levee.cli.common.UserException;
import org.levee.signatures.P0fFilter;
import org.levee.signatures.SignatureException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code levee filter p0f}: a filter for TCP SYNs by their p0f v3 signature. */
@Command(
        name = "p0f",
        mixinStandardHelpOptions = true,
        description = "Print a classic BPF filter matching TCP SYNs (SYN set, ACK clear) that p0f v3 matches exactly "
                + "with SIGNATURE.")
final class FilterP0fCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    LinkTypeOption link;

    @Mixin
    CbpfOutput output;

    @Parameters(
            paramLabel = "SIGNATURE",
            description =
                    "ver:ittl:olen:mss:wsize,scale:olayout:quirks:pclass, e.g. 4:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0")
    String signature;

    @Override
    public Integer call() {
        try {
            output.print(
                    P0fFilter.of(signature, link.type()).program(),
                    spec.commandLine().getOut());
            return 0;
        } catch (SignatureException e) {
            throw new UserException(e.getMessage(), e);
        }
    }
}
