package org.levee.detector.rule;

import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;

/**
 * Compiles tcpdump expressions with libpcap for Ethernet frames as XDP sees them (VLAN tags in
 * the bytes), optimised, like {@code tcpdump -ddd -r file}.
 */
public final class LibpcapTcpdumpCompiler implements TcpdumpCompiler {

    /** A compiler; libpcap is loaded on first use. */
    public LibpcapTcpdumpCompiler() {}

    @Override
    public CbpfProgram compile(String expression) {
        try {
            return Libpcap.compile(expression, LinkType.EN10MB);
        } catch (CbpfException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
