package org.levee.rules;

import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.signatures.DnsQueryFilter;
import org.levee.signatures.P0fFilter;

/**
 * Turns one match source into classic BPF for Ethernet frames (what XDP sees). {@link RuleFilters}
 * calls it once per distinct match and remembers the result.
 */
@FunctionalInterface
public interface MatchCompiler {

    /** The UDP port DNS rules look at. */
    int DNS_PORT = 53;

    /**
     * Tcpdump expressions through libpcap, DNS patterns and p0f signatures through the
     * signatures generators, bytecode as it is.
     */
    MatchCompiler STANDARD = match -> switch (match) {
        case Match.Filter f -> Libpcap.compile(f.expression(), LinkType.EN10MB);
        case Match.Cbpf c -> c.program();
        case Match.Dns d ->
            DnsQueryFilter.of(d.patterns(), d.ignoreCase(), DNS_PORT, LinkType.EN10MB)
                    .program();
        case Match.P0f p -> P0fFilter.of(p.signature(), LinkType.EN10MB).program();
    };

    /**
     * The program of {@code match}.
     *
     * @throws IllegalArgumentException or {@link org.levee.cbpf.CbpfException} saying why it does not compile
     */
    CbpfProgram compile(Match match);
}
