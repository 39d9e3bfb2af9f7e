package org.levee.signatures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.LinkType;
import org.levee.signatures.DnsQuestionFilter.Side;
import org.levee.signatures.Frames.Ipv4;
import org.levee.signatures.Frames.Ipv6;

/**
 * Queries and responses alike, by the port of the side asked for; everything else (patterns,
 * encapsulations, decoys) is {@link DnsQueryFilter}'s, which shares the code and is tested in full.
 */
class DnsQuestionFilterTest {

    private static final byte[] QUERY = DnsQueries.query(DnsQueries.name("www.example.com"));
    private static final byte[] RESPONSE = DnsQueries.response(DnsQueries.name("www.example.com"));

    private static CbpfProgram filter(Side side) {
        return DnsQuestionFilter.of(List.of("*.example.com"), true, 53, side, LinkType.EN10MB)
                .program();
    }

    private static byte[] v4(int sourcePort, int destinationPort, byte[] dns) {
        return Frames.ethernet(0x0800, Ipv4.of(17).packet(Frames.udp(sourcePort, destinationPort, dns)));
    }

    private static byte[] v6(int sourcePort, int destinationPort, byte[] dns) {
        return Frames.ethernet(0x8100, 0x86dd, Ipv6.of(17).packet(Frames.udp(sourcePort, destinationPort, dns)));
    }

    @Test
    void responsesFromThePortMatchBySourcePort() {
        List<byte[]> frames = List.of(
                v4(53, 40000, RESPONSE),
                v4(53, 40000, QUERY),
                v6(53, 40000, RESPONSE),
                v4(40000, 53, RESPONSE),
                v4(53, 40000, DnsQueries.response(DnsQueries.name("www.example.org"))),
                v4(5353, 40000, RESPONSE));
        assertThat(Backends.verdicts(filter(Side.SOURCE), frames))
                .containsExactly(true, true, true, false, false, false);
    }

    @Test
    void messagesToThePortMatchByDestinationPortWhateverTheirQrBit() {
        List<byte[]> frames = List.of(
                v4(40000, 53, QUERY),
                v4(40000, 53, RESPONSE),
                v6(40000, 53, QUERY),
                v4(53, 40000, QUERY),
                v4(40000, 53, DnsQueries.query(DnsQueries.name("WWW.Example.COM"))));
        assertThat(Backends.verdicts(filter(Side.DESTINATION), frames)).containsExactly(true, true, true, false, true);
    }

    @Test
    void forQueriesToThePortItAgreesWithTheQueryFilter() {
        CbpfProgram queries = DnsQueryFilter.of(List.of("*.example.com"), true, 53, LinkType.EN10MB)
                .program();
        byte[] query = v4(40000, 53, QUERY);
        assertThat(Backends.verdict(filter(Side.DESTINATION), query))
                .isEqualTo(Backends.verdict(queries, query))
                .isTrue();
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> DnsQuestionFilter.of(List.of(), false, 53, Side.SOURCE, LinkType.EN10MB))
                .isInstanceOf(SignatureException.class)
                .hasMessageContaining("no pattern");
        assertThatThrownBy(() -> DnsQuestionFilter.of(List.of("a..b"), false, 53, Side.SOURCE, LinkType.EN10MB))
                .hasMessageContaining("pattern 1 'a..b', label 2 '': empty label");
        assertThatThrownBy(() -> DnsQuestionFilter.of(List.of("a"), false, 70000, Side.SOURCE, LinkType.EN10MB))
                .hasMessageContaining("is not a port number");
    }
}
