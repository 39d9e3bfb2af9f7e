package org.levee.cli.capture;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.levee.capture.ActionNames;
import org.levee.capture.CaptureException;
import org.levee.capture.CaptureFilter;
import org.levee.capture.CaptureHook;
import org.levee.capture.CaptureLoop;
import org.levee.capture.CaptureProgram;
import org.levee.capture.CaptureSession;
import org.levee.capture.PacketOutput;
import org.levee.cbpf.CbpfException;
import org.levee.cli.common.UserException;
import org.levee.dataplane.DataplaneException;
import org.levee.ebpf.XdpAction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code levee capture}: xdpcap for Levee's exit hook. Puts a capture program in the hook slot of
 * each chosen action, writes what they report as pcapng or summary lines, and takes the programs
 * out again on Ctrl-C, SIGTERM or after {@code -c} packets.
 */
@Command(
        name = "capture",
        mixinStandardHelpOptions = true,
        description = {
            "Capture packets at the data plane's exit with their XDP verdict (xdpcap): "
                    + "dropped packets too, which tcpdump never sees.",
            "Writes pcapng (-w FILE, or -w - for stdout) with one interface per action (XDPdrop, XDPpass, …) "
                    + "or prints one line per packet. Ctrl-C or SIGTERM stops and empties the hook."
        })
public final class CaptureCommand implements Callable<Integer> {
    /** How long a signal waits for the capture to end cleanly before emptying the hook itself. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-i", "--interface"},
            paramLabel = "IFACE",
            description = "Interface whose data plane hook to use (/sys/fs/bpf/levee/[NETNS/]IFACE/xdpcap_hook).")
    String iface;

    @Option(names = "--netns", paramLabel = "NAME", description = "Network namespace of the interface.")
    String netns;

    @Option(
            names = "--hook",
            paramLabel = "PATH",
            description = "Use this pinned xdpcap-compatible hook map instead of Levee's own.")
    Path hook;

    @Option(names = "-w", paramLabel = "FILE", description = "Write pcapng to FILE, or to stdout with '-'.")
    String file;

    @Option(
            names = "--actions",
            paramLabel = "LIST",
            defaultValue = "aborted,drop,pass,tx,redirect",
            description = "Actions to capture, comma-separated (default: ${DEFAULT-VALUE}).")
    String actions;

    @Option(
            names = "-c",
            paramLabel = "COUNT",
            defaultValue = "0",
            description = "Stop after COUNT packets (default: no limit).")
    long count;

    @Option(
            names = "--snaplen",
            paramLabel = "N",
            defaultValue = "" + CaptureSession.DEFAULT_SNAPLEN,
            description =
                    "Bytes of each packet to keep, 1.." + CaptureProgram.MAX_SNAPLEN + " (default: ${DEFAULT-VALUE}).")
    int snaplen;

    @Option(
            names = "--cbpf",
            paramLabel = "BYTECODE",
            description = "Filter given as classic BPF, tcpdump -ddd's comma form (N,code jt jf k,...).")
    String cbpf;

    @Option(names = "-q", description = "No counters on stderr.")
    boolean quiet;

    @Parameters(paramLabel = "EXPR", arity = "0..*", description = "tcpdump filter expression (default: every packet).")
    List<String> expression;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (count < 0) {
            throw new UserException("-c: packet count must be positive, got " + count);
        }
        CaptureSession.Spec captureSpec = new CaptureSession.Spec(
                hookPath(), parseActions(), filter(), checkedSnaplen(), CaptureSession.DEFAULT_RING_BYTES);
        try (ShutdownGuard signals = new ShutdownGuard(SHUTDOWN_WAIT)) {
            CaptureSession session;
            try {
                session = CaptureSession.start(captureSpec);
            } catch (CaptureException e) {
                throw new UserException(e.getMessage(), e);
            }
            signals.guard(session);
            try (session;
                    PacketOutput output = output(session)) {
                err.println("levee capture: capturing " + ActionNames.labels(session.actions())
                        + " at " + session.hookPath()
                        + (session.filter().capturesAll()
                                ? ""
                                : " matching '" + session.filter().text() + "'") + ", snaplen " + session.snaplen());
                err.flush();
                try {
                    CaptureLoop.run(
                            session,
                            output,
                            count,
                            signals::stopRequested,
                            quiet ? null : Duration.ofSeconds(1),
                            stats -> {
                                err.println(CaptureLoop.format(stats));
                                err.flush();
                            });
                } catch (IOException e) {
                    err.println("levee capture: output closed (" + e.getMessage() + "), stopping");
                }
                if (!quiet) {
                    err.println(CaptureLoop.format(session.stats()));
                }
            }
        }
        err.flush();
        return 0;
    }

    private Path hookPath() {
        if (hook != null) {
            if (iface != null || netns != null) {
                throw new UserException("--hook names the hook itself: do not combine it with -i or --netns");
            }
            return hook;
        }
        if (iface == null) {
            throw new UserException("which interface? give -i IFACE (or --hook PATH)");
        }
        try {
            return CaptureHook.defaultPath(iface, netns);
        } catch (DataplaneException e) {
            throw new UserException(e.getMessage(), e);
        }
    }

    private Set<XdpAction> parseActions() {
        try {
            return ActionNames.parseList(actions);
        } catch (IllegalArgumentException e) {
            throw new UserException("--actions: " + e.getMessage(), e);
        }
    }

    private int checkedSnaplen() {
        if (snaplen < 1 || snaplen > CaptureProgram.MAX_SNAPLEN) {
            throw new UserException("--snaplen: " + snaplen + " is outside 1.." + CaptureProgram.MAX_SNAPLEN);
        }
        return snaplen;
    }

    private CaptureFilter filter() {
        String text = expression == null ? "" : String.join(" ", expression);
        if (cbpf != null && !text.isBlank()) {
            throw new UserException("give either a filter expression or --cbpf, not both");
        }
        try {
            return cbpf != null ? CaptureFilter.bytecode(cbpf) : CaptureFilter.expression(text);
        } catch (CbpfException e) {
            throw new UserException((cbpf != null ? "--cbpf: " : "filter: ") + e.getMessage(), e);
        }
    }

    private PacketOutput output(CaptureSession session) throws IOException {
        if (file == null) {
            return PacketOutput.summary(spec.commandLine().getOut(), ZoneId.systemDefault());
        }
        String where = hook != null ? hook.toString() : iface + (netns == null ? "" : " in network namespace " + netns);
        String description = "levee capture on " + where;
        if (file.equals("-")) {
            // The raw descriptor, not System.out: a PrintStream would hide a closed pipe.
            OutputStream stdout = new FileOutputStream(FileDescriptor.out);
            return PacketOutput.pcapng(
                    stdout, session.actions(), session.filter(), session.snaplen(), description, true);
        }
        OutputStream out;
        try {
            out = new BufferedOutputStream(Files.newOutputStream(Path.of(file)), 1 << 16);
        } catch (IOException e) {
            throw new UserException("-w: cannot write " + file + ": " + e.getMessage(), e);
        }
        return PacketOutput.pcapng(out, session.actions(), session.filter(), session.snaplen(), description, false);
    }
}
