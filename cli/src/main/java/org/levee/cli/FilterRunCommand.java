package org.levee.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.kernel.KernelSocketFilter;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.PcapFiles;
import org.levee.cbpf.pcap.PcapRecord;
import org.levee.cli.common.UserException;
import org.levee.compiler.CbpfCompiler;
import org.levee.compiler.XdpFilterProgram;
import org.levee.ebpf.BpfException;
import org.levee.ebpf.Program;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code levee filter run}: one line per packet of a capture, {@code <n> match} or
 * {@code <n> nomatch}, from the chosen engine. The default engine is the compiled XDP program in
 * the kernel (BPF_PROG_TEST_RUN, once per packet), which sees the captured bytes: its
 * {@code len} is the captured length. XDP never sees a packet shorter than 14 bytes and the
 * kernel refuses to test-run one: such packets get the interpreter's verdict on the same bytes,
 * with a note on stderr.
 */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description =
                "Run a filter on every packet of a pcap/pcapng file: prints '<n> match' or '<n> nomatch' per packet.")
final class FilterRunCommand implements Callable<Integer> {

    @Mixin
    FilterSource filter;

    @Option(names = "--pcap", paramLabel = "FILE", required = true, description = "The capture (pcap or pcapng).")
    Path pcap;

    @Option(
            names = "--engine",
            paramLabel = "kernel|interpreter|libpcap|kernel-cbpf",
            defaultValue = "kernel",
            description = "kernel: our eBPF in XDP (default); interpreter: Levee's cBPF interpreter; libpcap: "
                    + "pcap_offline_filter; kernel-cbpf: the kernel's own cBPF on a socket.")
    String engine;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CbpfProgram program = filter.program();
        List<PcapRecord> records;
        try {
            records = PcapFiles.read(pcap);
        } catch (IOException e) {
            throw new UserException("--pcap " + pcap + ": " + e.getMessage(), e);
        }
        switch (engine) {
            case "interpreter" -> {
                for (int n = 0; n < records.size(); n++) {
                    PcapRecord r = records.get(n);
                    print(out, n, CbpfInterpreter.matches(program, r.data(), r.wireLength()));
                }
            }
            case "libpcap" -> {
                for (int n = 0; n < records.size(); n++) {
                    PcapRecord r = records.get(n);
                    print(out, n, Libpcap.offlineFilter(program, r.data(), r.wireLength()));
                }
            }
            case "kernel-cbpf" -> {
                try (KernelSocketFilter socket = KernelSocketFilter.open()) {
                    socket.attach(program);
                    for (int n = 0; n < records.size(); n++) {
                        print(out, n, socket.matches(records.get(n).data()));
                    }
                } catch (CbpfException e) {
                    throw new UserException(e.getMessage(), e);
                }
            }
            case "kernel" -> runXdp(program, records, out, err);
            default ->
                throw new UserException(
                        "--engine: '" + engine + "' is not kernel, interpreter, libpcap or kernel-cbpf");
        }
        out.flush();
        err.flush();
        return 0;
    }

    private static void runXdp(CbpfProgram program, List<PcapRecord> records, PrintWriter out, PrintWriter err) {
        XdpFilterProgram xdp;
        try {
            xdp = XdpFilterProgram.of(CbpfCompiler.compile(program));
        } catch (CbpfException e) {
            throw new UserException("cannot compile: " + e.getMessage(), e);
        }
        try (Program loaded = xdp.load("levee_filter")) {
            for (int n = 0; n < records.size(); n++) {
                byte[] data = records.get(n).data();
                if (data.length < XdpFilterProgram.MIN_TEST_RUN_BYTES) {
                    err.println("packet " + (n + 1) + ": " + data.length + " bytes, shorter than the "
                            + XdpFilterProgram.MIN_TEST_RUN_BYTES + " XDP needs: verdict from the interpreter");
                    print(out, n, CbpfInterpreter.run(program, data) != 0);
                } else {
                    print(out, n, XdpFilterProgram.matches(loaded, data));
                }
            }
        } catch (BpfException e) {
            throw new UserException(
                    "the kernel refused the filter program: "
                            + e.getMessage().lines().findFirst().orElse("") + " (loading needs root)",
                    e);
        }
    }

    private static void print(PrintWriter out, int index, boolean match) {
        out.println((index + 1) + (match ? " match" : " nomatch"));
    }
}
