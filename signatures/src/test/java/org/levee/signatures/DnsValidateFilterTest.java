package org.levee.signatures;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.LinkType;
import org.levee.signatures.Frames.Ipv4;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;

class DnsValidateFilterTest {
    private static final CbpfProgram LENIENT = new DnsValidateFilter(false, 53, LinkType.EN10MB).program();
    private static final CbpfProgram STRICT = new DnsValidateFilter(true, 53, LinkType.EN10MB).program();

    private static byte[] frame(byte[] dns) {
        return DnsQueries.overIpv4(dns);
    }

    private static byte[] query(int flag) {
        Message message = Message.newQuery(org.xbill.DNS.Record.newRecord(
                DnsQueries.name("www.example.com"), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN));
        message.getHeader().unsetFlag(Flags.RD);
        if (flag >= 0) {
            message.getHeader().setFlag(flag);
        }
        return message.toWire();
    }

    @Test
    void wellFormedQueriesPass() {
        byte[] plain = query(-1);
        assertThat(Backends.verdicts(
                        LENIENT,
                        List.of(
                                frame(plain),
                                frame(query(Flags.RD)),
                                frame(query(Flags.RA)),
                                frame(query(Flags.CD)),
                                frame(query(Flags.AD)),
                                DnsQueries.overIpv6(plain))))
                .containsOnly(false);
        assertThat(Backends.verdicts(STRICT, List.of(frame(plain), frame(query(Flags.CD)))))
                .containsOnly(false);
    }

    @Test
    void malformedQueriesMatch() {
        assertThat(Backends.verdicts(STRICT, List.of(frame(query(Flags.RD)), frame(query(Flags.RA)))))
                .containsOnly(true);
        byte[] plain = query(-1);
        List<byte[]> malformed = List.of(
                frame(query(Flags.QR)),
                frame(query(Flags.AA)),
                frame(query(Flags.TC)), // bpftools let TC through, meaning RA
                frame(with(plain, 2, 0x28)), // opcode 5 (UPDATE)
                frame(with(plain, 3, 0x03)), // RCODE 3
                frame(with(plain, 5, 2)), // QDCOUNT 2
                frame(with(plain, 5, 0)), // QDCOUNT 0
                frame(with(plain, 7, 1)), // ANCOUNT 1
                frame(with(plain, 9, 1)), // NSCOUNT 1
                frame(with(plain, 11, 2)), // ARCOUNT 2
                frame(Arrays.copyOf(plain, 12 + 8)), // shorter than a question for "a.b"
                // A UDP length field that claims less than the packet carries.
                udpLength(frame(plain), 8 + 12 + 8),
                // A packet cut inside the DNS header.
                Arrays.copyOf(frame(plain), 14 + 20 + 8 + 6));
        assertThat(Backends.verdicts(LENIENT, malformed)).containsOnly(true);
        assertThat(Backends.verdicts(LENIENT, List.of(frame(with(plain, 11, 1)))))
                .containsOnly(false);
    }

    @Test
    void onlyDnsToThePortIsJudged() {
        byte[] bad = query(Flags.QR);
        byte[] udp = Frames.udp(40000, 53, bad);
        assertThat(Backends.verdicts(
                        LENIENT,
                        List.of(
                                Frames.ethernet(0x0800, Ipv4.of(6).packet(udp)),
                                Frames.ethernet(0x0800, Ipv4.of(17).packet(Frames.udp(40000, 54, bad))),
                                Frames.ethernet(
                                        0x0800,
                                        Ipv4.of(17).withFlagsAndOffset(0x0020).packet(udp)))))
                .containsOnly(false);
    }

    static Stream<Long> seeds() {
        return LongStream.range(0, 40).boxed();
    }

    /** Random header words: the filter's verdict is the rule read straight off the header. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void agreesWithTheRule(long seed) {
        Random random = new Random(seed);
        boolean strict = random.nextBoolean();
        CbpfProgram program = strict ? STRICT : LENIENT;
        Name name = DnsQueries.name("a.b");
        for (int i = 0; i < 20; i++) {
            byte[] dns = DnsQueries.query(name);
            int flags = random.nextInt(4) == 0 ? random.nextInt(65536) : 1 << random.nextInt(16);
            int counts = random.nextInt(4);
            dns[2] = (byte) (flags >> 8);
            dns[3] = (byte) flags;
            dns[5 + 2 * counts] = (byte) random.nextInt(3);
            int allowed = 0x0070 | (strict ? 0 : 0x0180);
            boolean expected = (flags & ~allowed & 0xffff) != 0
                    || (dns[5] & 0xff) != 1
                    || dns[7] != 0
                    || dns[9] != 0
                    || (dns[11] & 0xff) > 1;
            assertThat(Backends.verdict(program, frame(dns)))
                    .as("flags %04x counts %d", flags, counts)
                    .isEqualTo(expected);
        }
    }

    private static byte[] with(byte[] dns, int index, int value) {
        byte[] copy = dns.clone();
        copy[index] = (byte) value;
        return copy;
    }

    private static byte[] udpLength(byte[] frame, int length) {
        byte[] copy = frame.clone();
        copy[14 + 20 + 4] = (byte) (length >> 8);
        copy[14 + 20 + 5] = (byte) length;
        return copy;
    }
}
