package org.levee.signatures;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.LinkType;

/**
 * Generates a classic BPF filter matching DNS messages, queries and responses alike, whose first
 * question name matches any of {@code patterns}, to or from one UDP port. Where
 * {@link DnsQueryFilter} is bpftools' filter for queries arriving at a server, this one serves
 * what a flood looks like from the victim's side: a reflection attack sends responses from port
 * 53, and their question names are as telling as a query's.
 *
 * <p>The packet checks are {@link DnsQueryFilter}'s (link layer, IPv4 of any header length and
 * never a non-first fragment, IPv6 with UDP as the next header, at least one question) except that
 * the QR bit is not tested and the port is the UDP {@code side} given.
 *
 * @param patterns   the name patterns; a packet matches when any of them does
 * @param ignoreCase fold the case of ASCII letters
 * @param port       the UDP port
 * @param side       which of the UDP ports must be {@code port}
 * @param link       what the packets start with
 */
public record DnsQuestionFilter(List<DnsPattern> patterns, boolean ignoreCase, int port, Side side, LinkType link) {

    /** The UDP port a filter tests. */
    public enum Side {
        /** The source port: responses from a server on the port. */
        SOURCE,
        /** The destination port: messages to a server on the port. */
        DESTINATION
    }

    public DnsQuestionFilter {
        patterns = List.copyOf(patterns);
        if (patterns.isEmpty()) {
            throw new SignatureException("no pattern given: name at least one DNS name pattern");
        }
        Objects.requireNonNull(side, "side");
        PacketHeaders.checkPort(port);
        PacketHeaders.checkLink(link);
    }

    /** Parses each of {@code patterns} ("pattern 1", "pattern 2", … in errors). */
    public static DnsQuestionFilter of(List<String> patterns, boolean ignoreCase, int port, Side side, LinkType link) {
        List<DnsPattern> parsed = new ArrayList<>();
        for (int i = 0; i < patterns.size(); i++) {
            parsed.add(DnsPattern.parse(patterns.get(i), "pattern " + (i + 1)));
        }
        return new DnsQuestionFilter(parsed, ignoreCase, port, side, link);
    }

    public CbpfProgram program() {
        FilterAssembler asm = new FilterAssembler();
        Label reject = asm.newLabel("reject");
        PacketHeaders.toUdpPort(asm, link, port, side == Side.SOURCE, reject);
        DnsQueryFilter.matchQuestion(asm, patterns, ignoreCase, reject);
        return Programs.checkSize(asm.assemble(), "the DNS filter");
    }
}
