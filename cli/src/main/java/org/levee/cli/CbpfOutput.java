package org.levee.cli;

import java.io.PrintWriter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import picocli.CommandLine.Option;

/** The {@code --to} option of every command that prints a classic BPF program. */
final class CbpfOutput {

    /** The text forms a program can be printed in. */
    enum Format {
        /** The comma form {@code N,code jt jf k,...}: what {@code filter run --cbpf} reads. */
        bytecode,
        /** The {@code tcpdump -d} listing. */
        asm,
        /** The {@code tcpdump -ddd} form: the count, then {@code code jt jf k} lines. */
        ddd
    }

    @Option(
            names = "--to",
            paramLabel = "FORMAT",
            defaultValue = "bytecode",
            description = "Output form: bytecode (N,code jt jf k,...), asm (tcpdump -d) or ddd (tcpdump -ddd). "
                    + "Default: ${DEFAULT-VALUE}.")
    Format format;

    void print(CbpfProgram program, PrintWriter out) {
        switch (format) {
            case bytecode -> out.println(CbpfText.printBytecode(program));
            case asm -> out.print(CbpfText.printListing(program));
            case ddd -> out.print(CbpfText.printDdd(program));
        }
        out.flush();
    }
}
