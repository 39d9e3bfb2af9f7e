package org.levee.detector.rule;

import java.util.Objects;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfValidator;
import org.levee.detector.fingerprint.Field;
import org.levee.detector.fingerprint.Fingerprint;
import org.levee.detector.sample.Prefix;

/**
 * The standard way from fingerprint to filter: every field but the DNS name goes into a tcpdump
 * expression compiled by libpcap (or any {@link TcpdumpCompiler}); a DNS name or parent domain
 * is matched by a direct cBPF program, joined to the first with a conjunction.
 */
public final class FingerprintFilterCompiler implements FilterCompiler {

    private final TcpdumpCompiler tcpdump;

    /** Compiles with libpcap. */
    public FingerprintFilterCompiler() {
        this(new LibpcapTcpdumpCompiler());
    }

    public FingerprintFilterCompiler(TcpdumpCompiler tcpdump) {
        this.tcpdump = Objects.requireNonNull(tcpdump, "tcpdump compiler");
    }

    @Override
    public RuleFilter compile(Prefix destination, Fingerprint fingerprint) {
        String expression = TcpdumpExpressions.of(destination, fingerprint);
        CbpfProgram program = tcpdump.compile(expression);
        Object name = fingerprint.values().get(Field.DNS_NAME);
        Object parent = fingerprint.values().get(Field.DNS_PARENT);
        if (name == null && parent == null) {
            return new RuleFilter(expression, program);
        }
        boolean sourcePort = Integer.valueOf(53).equals(fingerprint.values().get(Field.SOURCE_PORT));
        boolean isParent = name == null;
        String domain = (String) (isParent ? parent : name);
        CbpfProgram dns = DnsQueryNameFilter.build(domain, isParent, sourcePort);
        String clause = "dns question " + (isParent ? "*." : "") + domain
                + (sourcePort ? " (udp src port 53)" : " (udp dst port 53)");
        CbpfProgram both = CbpfConjunction.and(program, dns);
        try {
            CbpfValidator.validate(both);
        } catch (CbpfException e) {
            throw new IllegalArgumentException("the filter for " + fingerprint + " is invalid: " + e.getMessage(), e);
        }
        return new RuleFilter("(" + expression + ") and " + clause, both);
    }
}
