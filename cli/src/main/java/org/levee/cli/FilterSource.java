package org.levee.cli;

import java.util.List;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.cbpf.CbpfValidator;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cli.common.UserException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The filter a {@code filter} subcommand works on: a tcpdump expression (compiled by libpcap for
 * a capture of {@code --linktype}) or cBPF bytecode given with {@code --cbpf}. Bad input becomes
 * a {@link UserException} naming what and where.
 */
final class FilterSource {

    @Option(
            names = "--linktype",
            paramLabel = "en10mb|raw",
            defaultValue = "en10mb",
            description = "Link layer the expression is compiled for (default: ${DEFAULT-VALUE}).")
    String linkType;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Parameters(paramLabel = "EXPR", arity = "1..*", description = "A tcpdump filter expression.")
        List<String> expression;

        @Option(
                names = "--cbpf",
                paramLabel = "BYTECODE",
                description = "cBPF as 'N,code jt jf k,...' (tcpdump -ddd on one line).")
        String bytecode;
    }

    LinkType linkType() {
        return switch (linkType.toLowerCase(java.util.Locale.ROOT)) {
            case "en10mb", "ethernet" -> LinkType.EN10MB;
            case "raw" -> LinkType.RAW;
            default -> throw new UserException("--linktype: '" + linkType + "' is not en10mb or raw");
        };
    }

    /** The validated cBPF program. */
    CbpfProgram program() {
        CbpfProgram program;
        if (source.bytecode != null) {
            try {
                program = CbpfText.parseBytecode(source.bytecode);
            } catch (CbpfException e) {
                throw new UserException("--cbpf: " + e.getMessage(), e);
            }
        } else {
            String expression = String.join(" ", source.expression);
            try {
                program = Libpcap.compile(expression, linkType());
            } catch (CbpfException e) {
                throw new UserException("expression '" + expression + "': " + e.getMessage(), e);
            } catch (UnsatisfiedLinkError | IllegalStateException e) {
                throw new UserException(
                        "cannot compile expressions: libpcap (" + Libpcap.SONAME + ") is not usable: " + e.getMessage(),
                        e);
            }
        }
        try {
            CbpfValidator.validate(program);
        } catch (CbpfException e) {
            throw new UserException("invalid cBPF: " + e.getMessage(), e);
        }
        return program;
    }
}
