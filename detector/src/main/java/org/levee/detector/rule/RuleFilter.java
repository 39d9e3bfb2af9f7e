package org.levee.detector.rule;

import java.util.Objects;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;

/**
 * A rule's packet filter: the classic BPF program the data plane runs, and the text it came from
 * (a tcpdump expression, possibly followed by a DNS name clause) for people to read.
 */
public record RuleFilter(String description, CbpfProgram program) {

    public RuleFilter {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(program, "program");
    }

    /** Runs the program on an Ethernet frame with the kernel's semantics. */
    public boolean matches(byte[] packet, int wireLength) {
        return CbpfInterpreter.matches(program, packet, wireLength);
    }
}
