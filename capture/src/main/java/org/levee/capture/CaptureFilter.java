package org.levee.capture;

import java.util.Objects;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfText;
import org.levee.cbpf.pcap.Libpcap;

/**
 * Which packets a capture keeps: a classic BPF program (from a tcpdump expression or given as
 * bytecode) and the text the user wrote, which goes into the pcapng {@code if_filter} option.
 * {@link #ALL} keeps every packet without running a filter.
 *
 * @param text    what the user wrote; empty for {@link #ALL}
 * @param program the filter, or null for {@link #ALL}
 */
public record CaptureFilter(String text, CbpfProgram program) {
    /** Every packet. */
    public static final CaptureFilter ALL = new CaptureFilter("", null);

    public CaptureFilter {
        Objects.requireNonNull(text, "text");
    }

    /** A tcpdump expression compiled by libpcap for Ethernet frames; blank means {@link #ALL}. */
    public static CaptureFilter expression(String expression) {
        if (expression == null || expression.isBlank()) {
            return ALL;
        }
        return new CaptureFilter(expression.strip(), Libpcap.compile(expression.strip()));
    }

    /** Classic BPF in tcpdump's {@code -ddd} comma form ({@code N,code jt jf k,...}). */
    public static CaptureFilter bytecode(String bytecode) {
        return new CaptureFilter(bytecode.strip(), CbpfText.parseBytecode(bytecode));
    }

    public boolean capturesAll() {
        return program == null;
    }
}
