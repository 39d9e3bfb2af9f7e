package org.levee.detector.rule;

import org.levee.cbpf.CbpfProgram;

/** Compiles a tcpdump filter expression for Ethernet frames, as libpcap does. */
@FunctionalInterface
public interface TcpdumpCompiler {

    /** @throws IllegalArgumentException when the expression does not compile */
    CbpfProgram compile(String expression);
}
