package org.levee.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.cli.common.UserException;
import org.levee.compiler.CEmitter;
import org.levee.compiler.CbpfCompiler;
import org.levee.compiler.Compilation;
import org.levee.compiler.XdpFilterProgram;
import org.levee.ebpf.BpfException;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramInfo;
import org.levee.ebpf.asm.Disassembler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code levee filter compile}: shows a filter as cBPF, as our eBPF or as C, with sizes. */
@Command(
        name = "compile",
        mixinStandardHelpOptions = true,
        description =
                "Compile a filter and print it as cBPF (asm, ddd, bytecode), eBPF (the single-filter XDP program) or C.")
final class FilterCompileCommand implements Callable<Integer> {

    @Mixin
    FilterSource filter;

    @Option(
            names = "--to",
            paramLabel = "asm|ddd|bytecode|ebpf|c",
            defaultValue = "ebpf",
            description = "Output form (default: ${DEFAULT-VALUE}).")
    String to;

    @Option(
            names = "--stats",
            description = "Print cbpf_insns, ebpf_insns (the fragment alone), xlated_insns and "
                    + "jited_bytes (after loading the XDP program into the kernel) instead of the code.")
    boolean stats;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CbpfProgram program = filter.program();
        Compilation compilation;
        try {
            compilation = CbpfCompiler.compile(program);
        } catch (CbpfException e) {
            throw new UserException("cannot compile: " + e.getMessage(), e);
        }
        XdpFilterProgram xdp = XdpFilterProgram.of(compilation);
        if (stats) {
            out.println("cbpf_insns: " + program.size());
            out.println("ebpf_insns: " + xdp.fragmentInsns());
            try (Program loaded = xdp.load("levee_filter")) {
                ProgramInfo info = loaded.info();
                out.println("xlated_insns: " + info.xlatedLength() / 8);
                out.println("jited_bytes: " + info.jitedLength());
            } catch (BpfException e) {
                throw new UserException(
                        "the kernel refused the program ("
                                + e.getMessage().lines().findFirst().orElse("") + "); loading needs root",
                        e);
            }
            out.flush();
            return 0;
        }
        String text = switch (to) {
            case "asm" -> CbpfText.printListing(program);
            case "ddd" -> CbpfText.printDdd(program);
            case "bytecode" -> CbpfText.printBytecode(program);
            case "ebpf" -> new Disassembler().disassemble(xdp.program());
            case "c" -> CEmitter.function(compilation, "levee_filter");
            default -> throw new UserException("--to: '" + to + "' is not asm, ddd, bytecode, ebpf or c");
        };
        out.print(text.endsWith("\n") ? text : text + "\n");
        out.flush();
        return 0;
    }
}
