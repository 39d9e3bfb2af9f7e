package org.levee.detector.rule;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfValidator;
import org.levee.cbpf.pcap.LinkType;
import org.levee.detector.fingerprint.Field;
import org.levee.detector.fingerprint.Fingerprint;
import org.levee.rules.Match;
import org.levee.rules.Prefix;
import org.levee.signatures.CbpfConjunction;
import org.levee.signatures.DnsPattern;
import org.levee.signatures.DnsQuestionFilter;

/**
 * The standard way from fingerprint to filter: every field but the DNS name goes into a tcpdump
 * expression compiled by libpcap (or any {@link TcpdumpCompiler}); a DNS name or parent domain
 * is matched by the signatures module's DNS question filter, joined to the first with a
 * conjunction.
 */
public final class FingerprintFilterCompiler implements FilterCompiler {

    private static final int DNS_PORT = 53;

    private final TcpdumpCompiler tcpdump;

    /** Compiles with libpcap. */
    public FingerprintFilterCompiler() {
        this(new LibpcapTcpdumpCompiler());
    }

    public FingerprintFilterCompiler(TcpdumpCompiler tcpdump) {
        this.tcpdump = Objects.requireNonNull(tcpdump, "tcpdump compiler");
    }

    @Override
    public Match.Cbpf compile(Prefix destination, Fingerprint fingerprint) {
        String expression = TcpdumpExpressions.of(destination, fingerprint);
        CbpfProgram program = tcpdump.compile(expression);
        Object name = fingerprint.values().get(Field.DNS_NAME);
        Object parent = fingerprint.values().get(Field.DNS_PARENT);
        if (name == null && parent == null) {
            return new Match.Cbpf(program, expression);
        }
        boolean sourcePort =
                Integer.valueOf(DNS_PORT).equals(fingerprint.values().get(Field.SOURCE_PORT));
        boolean isParent = name == null;
        String domain = (String) (isParent ? parent : name);
        String clause = "dns question " + (isParent ? "*." : "") + domain
                + (sourcePort ? " (udp src port 53)" : " (udp dst port 53)");
        CbpfProgram both = CbpfConjunction.and(program, dnsFilter(domain, isParent, sourcePort));
        try {
            CbpfValidator.validate(both);
        } catch (CbpfException e) {
            throw new IllegalArgumentException("the filter for " + fingerprint + " is invalid: " + e.getMessage(), e);
        }
        return new Match.Cbpf(both, "(" + expression + ") and " + clause);
    }

    /**
     * The filter of UDP messages to or from port 53 whose first question name is {@code name}
     * (or, for a parent domain, one label and then {@code name}), letters compared as DNS does,
     * whatever their case.
     *
     * @param name the name as the sample decoder writes it: dot-separated, without trailing dot,
     *     a byte that is not printable ASCII (or a dot or a backslash in a label) as {@code \DDD}
     * @param sourcePort true for UDP source port 53 (responses), false for the destination port
     */
    static CbpfProgram dnsFilter(String name, boolean parentDomain, boolean sourcePort) {
        List<DnsPattern.Element> labels = new ArrayList<>();
        if (parentDomain) {
            labels.add(new DnsPattern.Element.AnyLabel(1, DnsPattern.MAX_LABEL_BYTES));
        }
        for (byte[] label : labels(name)) {
            labels.add(new DnsPattern.Element.Literal(label, new boolean[label.length]));
        }
        DnsPattern pattern = new DnsPattern((parentDomain ? "*." : "") + name, labels);
        return new DnsQuestionFilter(
                        List.of(pattern),
                        true,
                        DNS_PORT,
                        sourcePort ? DnsQuestionFilter.Side.SOURCE : DnsQuestionFilter.Side.DESTINATION,
                        LinkType.EN10MB)
                .program();
    }

    /** The labels of a name in the decoder's presentation format, as bytes, checked as DNS requires. */
    static List<byte[]> labels(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("DNS name is empty");
        }
        List<byte[]> out = new ArrayList<>();
        int wireLength = 1; // the root label's zero
        String[] labels = name.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int j = 0; j < label.length(); j++) {
                char c = label.charAt(j);
                if (c == '\\') {
                    if (j + 4 > label.length()
                            || !label.substring(j + 1, j + 4).matches("[0-9]{3}")
                            || Integer.parseInt(label.substring(j + 1, j + 4)) > 255) {
                        throw new IllegalArgumentException("DNS name '" + name + "': label " + i
                                + " has a bad escape at " + j + " (\\DDD, DDD at most 255)");
                    }
                    bytes.write(Integer.parseInt(label.substring(j + 1, j + 4)));
                    j += 3;
                } else if (c < 0x21 || c > 0x7e) {
                    throw new IllegalArgumentException("DNS name '" + name + "': label " + i
                            + " has a non-printable character at " + j + " (write it as \\DDD)");
                } else {
                    bytes.write(c);
                }
            }
            if (bytes.size() == 0 || bytes.size() > DnsPattern.MAX_LABEL_BYTES) {
                throw new IllegalArgumentException(
                        "DNS name '" + name + "': label " + i + " has length " + bytes.size() + ", must be 1..63");
            }
            out.add(bytes.toByteArray());
            wireLength += 1 + bytes.size();
        }
        if (wireLength > DnsPattern.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("DNS name '" + name + "' is " + wireLength
                    + " bytes in wire format, more than " + DnsPattern.MAX_NAME_BYTES);
        }
        return out;
    }
}
