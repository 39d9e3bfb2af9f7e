package org.levee.signatures;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfValidator;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.signatures.DnsQuestionFilter.Side;
import org.levee.signatures.Frames.Ipv4;
import org.levee.signatures.Frames.Ipv6;
import org.levee.testing.Requirements;

/** and(A, B) matches exactly where A and B both match, including programs that return A. */
class CbpfConjunctionTest {

    static LongStream seeds() {
        return LongStream.range(1, 6);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchesWhereBothMatch(long seed) {
        Requirements.library("libpcap.so.0.8");
        List<CbpfProgram> programs = List.of(
                Libpcap.compile("udp", LinkType.EN10MB),
                Libpcap.compile("tcp and dst port 443", LinkType.EN10MB),
                Libpcap.compile("ip6", LinkType.EN10MB),
                Libpcap.compile("dst net 198.51.100.0/24", LinkType.EN10MB),
                Libpcap.compile("len > 100", LinkType.EN10MB),
                Libpcap.compile("vlan and udp src port 53", LinkType.EN10MB),
                DnsQuestionFilter.of(List.of("*.example.com"), true, 53, Side.SOURCE, LinkType.EN10MB)
                        .program(),
                // Returns the accumulator: the low bit of the IPv4 TTL (0 = no match).
                CbpfProgram.of(CbpfInstruction.ldAbsB(22), CbpfInstruction.andK(1), CbpfInstruction.retA()));
        List<byte[]> corpus = corpus(new SplittableRandom(seed));
        int both = 0;
        for (CbpfProgram a : programs) {
            for (CbpfProgram b : programs) {
                CbpfProgram and = CbpfConjunction.and(a, b);
                CbpfValidator.validate(and);
                for (byte[] frame : corpus) {
                    boolean expected = CbpfInterpreter.matches(a, frame, frame.length)
                            && CbpfInterpreter.matches(b, frame, frame.length);
                    assertThat(CbpfInterpreter.matches(and, frame, frame.length))
                            .as("%s AND %s", a, b)
                            .isEqualTo(expected);
                    both += expected && a != b ? 1 : 0;
                }
            }
        }
        assertThat(both)
                .as("the corpus has frames two different programs both match")
                .isPositive();
    }

    /** UDP and TCP over IPv4 and IPv6, some VLAN-tagged, some DNS responses, some cut short. */
    private static List<byte[]> corpus(SplittableRandom r) {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            byte[] payload = r.nextInt(3) == 0
                    ? DnsQueries.response(DnsQueries.name((r.nextBoolean() ? "www" : "a.b") + ".example.com"))
                    : new byte[r.nextInt(200)];
            int sourcePort = r.nextBoolean() ? 53 : 1024 + r.nextInt(60000);
            int destinationPort = r.nextBoolean() ? 443 : 1024 + r.nextInt(60000);
            byte[] transport = Frames.udp(sourcePort, destinationPort, payload);
            int protocol = r.nextBoolean() ? 17 : 6;
            boolean v6 = r.nextBoolean();
            byte[] ip = v6
                    ? Ipv6.of(protocol).packet(transport)
                    : Ipv4.of(protocol).withTtl(r.nextInt(256)).packet(transport);
            if (!v6 && r.nextBoolean()) {
                ip[16] = (byte) 203; // destination 203.0.113.2 instead of 198.51.100.2
                ip[17] = 0;
                ip[18] = 113;
            }
            int ethertype = v6 ? 0x86dd : 0x0800;
            byte[] frame = r.nextInt(4) == 0 ? Frames.ethernet(0x8100, ethertype, ip) : Frames.ethernet(ethertype, ip);
            frames.add(r.nextInt(6) == 0 ? java.util.Arrays.copyOf(frame, r.nextInt(frame.length)) : frame);
        }
        return frames;
    }
}
