package org.levee.detector.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.detector.synth.DnsMessages;
import org.levee.detector.synth.FrameBuilder;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;

class SampleDecoderTest {

    static LongStream seeds() {
        return LongStream.range(1, 41);
    }

    /** Frames with random header values, decoded back to the same values. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void decodesTheFieldsAFrameWasBuiltWith(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 200; i++) {
            int version = r.nextBoolean() ? 4 : 6;
            IpAddress source = Traffic.randomSource(r, version);
            IpAddress destination = Traffic.randomSource(r, version);
            int ttl = r.nextInt(256);
            int id = r.nextInt(65536);
            boolean df = r.nextBoolean();
            int sourcePort = r.nextInt(65536);
            int destinationPort = r.nextInt(65536);
            FrameBuilder b = new FrameBuilder()
                    .addresses(source, destination)
                    .ttl(ttl)
                    .ipId(id)
                    .dontFragment(df);
            boolean vlan = r.nextBoolean();
            if (vlan) {
                b.vlan(r.nextInt(4096));
            }
            int optionBytes = version == 4 ? 4 * r.nextInt(11) : 0;
            if (optionBytes > 0) {
                byte[] options = new byte[optionBytes];
                java.util.Arrays.fill(options, (byte) 1); // no-ops
                b.ipOptions(options);
            }
            byte[] payload = new byte[r.nextInt(64)];
            r.nextBytes(payload);
            int kind = r.nextInt(3);
            int flags = r.nextInt(256);
            int window = r.nextInt(65536);
            byte[] tcpOptions = {2, 4, 5, (byte) 0xb4, 1, 3, 3, 7};
            switch (kind) {
                case 0 -> b.tcp(sourcePort, destinationPort, flags, window, tcpOptions, payload);
                case 1 -> b.udp(sourcePort, destinationPort, payload);
                default -> b.icmp(8, 0, payload);
            }
            byte[] frame = b.build();
            DecodedPacket p = SampleDecoder.decode(frame, frame.length);

            assertThat(p).isNotNull();
            assertThat(p.ipVersion()).isEqualTo(version);
            assertThat(p.source()).isEqualTo(source);
            assertThat(p.destination()).isEqualTo(destination);
            assertThat(p.ttl()).isEqualTo(ttl);
            assertThat(p.ipLength()).isEqualTo(frame.length - (vlan ? 18 : 14));
            assertThat(p.ipId()).isEqualTo(version == 4 ? id : DecodedPacket.ABSENT);
            assertThat(p.dontFragment()).isEqualTo(version == 4 ? (df ? 1 : 0) : DecodedPacket.ABSENT);
            long prefix = payload.length >= 4
                    ? ((payload[0] & 0xffL) << 24)
                            | ((payload[1] & 0xff) << 16)
                            | ((payload[2] & 0xff) << 8)
                            | (payload[3] & 0xff)
                    : DecodedPacket.ABSENT;
            switch (kind) {
                case 0 -> {
                    assertThat(p.protocol()).isEqualTo(6);
                    assertThat(p.sourcePort()).isEqualTo(sourcePort);
                    assertThat(p.destinationPort()).isEqualTo(destinationPort);
                    assertThat(p.tcpFlags()).isEqualTo(flags);
                    assertThat(p.tcpWindow()).isEqualTo(window);
                    assertThat(p.trafficClass())
                            .isEqualTo((flags & 0x12) == 0x02 ? TrafficClass.TCP_SYN : TrafficClass.TCP_OTHER);
                    assertThat(p.tcpOptionsLayout()).hasToString("hl28[mss,nop,ws]");
                    assertThat(p.payloadPrefix()).isEqualTo(prefix);
                }
                case 1 -> {
                    assertThat(p.protocol()).isEqualTo(17);
                    assertThat(p.sourcePort()).isEqualTo(sourcePort);
                    assertThat(p.destinationPort()).isEqualTo(destinationPort);
                    assertThat(p.trafficClass()).isEqualTo(TrafficClass.UDP);
                    assertThat(p.payloadPrefix()).isEqualTo(prefix);
                }
                default -> {
                    assertThat(p.trafficClass()).isEqualTo(TrafficClass.ICMP);
                    assertThat(p.sourcePort()).isEqualTo(DecodedPacket.ABSENT);
                    assertThat(p.tcpOptionsLayout()).isNull();
                }
            }
        }
    }

    @Test
    void laterFragmentsAreFragmentsWithoutTransportFields() {
        for (String address : new String[] {"203.0.113.7", "2001:db8::7"}) {
            IpAddress a = IpAddress.parse(address);
            byte[] later = new FrameBuilder()
                    .addresses(a, a)
                    .fragment(185, true)
                    .raw(17, new byte[100])
                    .build();
            DecodedPacket p = SampleDecoder.decode(later, later.length);
            assertThat(p.trafficClass()).as(address).isEqualTo(TrafficClass.FRAGMENT);
            assertThat(p.sourcePort()).isEqualTo(DecodedPacket.ABSENT);
            byte[] first = new FrameBuilder()
                    .addresses(a, a)
                    .fragment(0, true)
                    .udp(53, 4444, new byte[100])
                    .build();
            DecodedPacket q = SampleDecoder.decode(first, first.length);
            assertThat(q.trafficClass()).as(address).isEqualTo(TrafficClass.UDP);
            // IPv6: the fragment header stands between IP and UDP, where rules do not look.
            assertThat(q.sourcePort()).isEqualTo(a.version() == 4 ? 53 : DecodedPacket.ABSENT);
        }
    }

    @Test
    void decodesTheFirstDnsQuestionNameInLowerCase() {
        byte[] dns = DnsMessages.query(7, "WwW.Example.COM", 1, true);
        byte[] frame = new FrameBuilder().udp(5353, 53, dns).build();
        DecodedPacket p = SampleDecoder.decode(frame, frame.length);
        assertThat(p.dnsQuestionName()).isEqualTo("www.example.com");
        assertThat(DecodedPacket.parentDomain(p.dnsQuestionName())).isEqualTo("example.com");
        // Cut inside the name: no name rather than a wrong one.
        byte[] cut = java.util.Arrays.copyOf(frame, frame.length - 20);
        assertThat(SampleDecoder.decode(cut, frame.length).dnsQuestionName()).isNull();
        // Not port 53: not DNS.
        byte[] other = new FrameBuilder().udp(5353, 5353, dns).build();
        assertThat(SampleDecoder.decode(other, other.length).dnsQuestionName()).isNull();
    }

    @Test
    void nonIpFramesDecodeToNull() {
        byte[] arp = new byte[60];
        arp[12] = 0x08;
        arp[13] = 0x06;
        assertThat(SampleDecoder.decode(arp, 60)).isNull();
        assertThat(SampleDecoder.decode(new byte[0], 0)).isNull();
    }

    /** Random bytes, truncations and bit flips of real frames: never an exception. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void neverThrowsOnArbitraryBytes(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        IpAddress victim = IpAddress.parse(r.nextBoolean() ? "203.0.113.1" : "2001:db8::1");
        var factories = java.util.List.of(
                Traffic.webClients(victim),
                Traffic.resolverResponses(victim),
                Traffic.synFlood(victim),
                Traffic.dnsAmplification(victim),
                Traffic.randomSubdomain(victim, "a.example"));
        for (int i = 0; i < 500; i++) {
            byte[] frame = factories.get(r.nextInt(factories.size())).next(r);
            byte[] mutated = java.util.Arrays.copyOf(frame, r.nextInt(frame.length + 1));
            for (int flips = r.nextInt(6); flips > 0 && mutated.length > 0; flips--) {
                mutated[r.nextInt(mutated.length)] ^= (byte) (1 << r.nextInt(8));
            }
            if (r.nextInt(10) == 0) {
                r.nextBytes(mutated);
            }
            byte[] bytes = mutated;
            assertThatCode(() -> {
                        DecodedPacket p = SampleDecoder.decode(bytes, frame.length);
                        if (p != null) {
                            p.tcpOptionsLayout();
                            p.dnsQuestionName();
                        }
                    })
                    .as("frame %s", java.util.HexFormat.of().formatHex(bytes))
                    .doesNotThrowAnyException();
        }
    }
}
