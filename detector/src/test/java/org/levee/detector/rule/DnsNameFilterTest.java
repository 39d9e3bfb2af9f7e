package org.levee.detector.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.CbpfValidator;
import org.levee.detector.sample.DecodedPacket;
import org.levee.detector.sample.SampleDecoder;
import org.levee.detector.synth.DnsMessages;
import org.levee.detector.synth.FrameBuilder;
import org.levee.detector.synth.Traffic;
import org.levee.rules.IpAddress;

/**
 * The DNS part of a fingerprint's filter (the signatures module's question filter, made from the
 * decoder's name) against the sample decoder, the reference: on queries and answers over IPv4
 * (any header length), IPv6 and VLAN, with mixed case, truncation and corruption, the filter
 * matches exactly when the decoded first question name is the name (or has it as parent).
 */
class DnsNameFilterTest {

    static final List<String> ZONES = List.of("example.com", "store.example.net", "a.b.example.org", "x.example");

    static LongStream seeds() {
        return LongStream.range(1, 31);
    }

    private static String randomLabel(SplittableRandom r) {
        char[] c = new char[1 + r.nextInt(20)];
        for (int i = 0; i < c.length; i++) {
            c[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".charAt(r.nextInt(64));
        }
        return new String(c);
    }

    private static String randomName(SplittableRandom r) {
        String zone = ZONES.get(r.nextInt(ZONES.size()));
        return switch (r.nextInt(4)) {
            case 0 -> zone;
            case 1 -> randomLabel(r) + "." + zone;
            case 2 -> randomLabel(r) + "." + randomLabel(r) + "." + zone;
            default -> randomLabel(r) + ".example.org";
        };
    }

    private static String mixCase(String name, SplittableRandom r) {
        StringBuilder b = new StringBuilder();
        for (char c : name.toCharArray()) {
            b.append(r.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return b.toString();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchesExactlyWhatTheDecoderReads(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String zone = ZONES.get(r.nextInt(ZONES.size()));
        boolean sourcePort = r.nextBoolean();
        CbpfProgram exact = FingerprintFilterCompiler.dnsFilter(zone, false, sourcePort);
        CbpfProgram parent = FingerprintFilterCompiler.dnsFilter(zone, true, sourcePort);
        CbpfValidator.validate(exact);
        CbpfValidator.validate(parent);
        int exactMatches = 0;
        int parentMatches = 0;
        for (int i = 0; i < 400; i++) {
            byte[] frame = randomFrame(r, zone);
            if (r.nextInt(5) == 0) {
                frame = Arrays.copyOf(frame, r.nextInt(frame.length + 1));
            }
            if (r.nextInt(8) == 0 && frame.length > 0) {
                frame[r.nextInt(frame.length)] ^= (byte) (1 << r.nextInt(8));
            }
            DecodedPacket p = SampleDecoder.decode(frame, frame.length);
            String name = p == null ? null : p.dnsQuestionName();
            boolean portOk = p != null
                    && (sourcePort ? p.sourcePort() == 53 : p.destinationPort() == 53)
                    && (p.ipVersion() == 4 || p.transportOffset() >= 0);
            boolean expectExact = portOk && zone.equals(name);
            boolean expectParent = portOk && zone.equals(DecodedPacket.parentDomain(name));
            String hex = java.util.HexFormat.of().formatHex(frame);
            assertThat(CbpfInterpreter.matches(exact, frame, frame.length))
                    .as("exact %s on %s (%s)", zone, name, hex)
                    .isEqualTo(expectExact);
            assertThat(CbpfInterpreter.matches(parent, frame, frame.length))
                    .as("parent %s on %s (%s)", zone, name, hex)
                    .isEqualTo(expectParent);
            exactMatches += expectExact ? 1 : 0;
            parentMatches += expectParent ? 1 : 0;
        }
        assertThat(exactMatches).as("the corpus exercises exact matches").isPositive();
        assertThat(parentMatches).as("the corpus exercises parent matches").isPositive();
    }

    private static byte[] randomFrame(SplittableRandom r, String zone) {
        int version = r.nextBoolean() ? 4 : 6;
        String name = r.nextInt(3) == 0 ? zone : r.nextBoolean() ? randomLabel(r) + "." + zone : randomName(r);
        name = mixCase(name, r);
        byte[] dns = r.nextBoolean()
                ? DnsMessages.query(r.nextInt(65536), name, 1, r.nextBoolean())
                : DnsMessages.response(r.nextInt(65536), name, 1, 1 + r.nextInt(3), 48, r);
        FrameBuilder b = new FrameBuilder()
                .addresses(Traffic.randomSource(r, version), Traffic.randomSource(r, version))
                .ttl(64)
                .ipId(r.nextInt(65536));
        if (r.nextBoolean()) {
            b.vlan(r.nextInt(4096));
        }
        if (version == 4 && r.nextBoolean()) {
            b.ipOptions(new byte[4 * (1 + r.nextInt(10))]);
        }
        if (version == 4 && r.nextInt(10) == 0) {
            b.fragment(1 + r.nextInt(100), false);
        }
        int ports = r.nextInt(4);
        int sp = ports == 0 ? 53 : ports == 1 ? 1024 + r.nextInt(60000) : ports == 2 ? 53 : 5353;
        int dp = ports == 0 ? 1024 + r.nextInt(60000) : ports == 1 ? 53 : 53;
        if (r.nextInt(10) == 0) {
            return b.tcp(sp, dp, 0x18, 1000, new byte[0], dns).build();
        }
        return b.udp(sp, dp, dns).build();
    }

    @Test
    void matchesCaseInsensitivelyAndOnlyOneLabelDeepForTheParent() {
        CbpfProgram parent = FingerprintFilterCompiler.dnsFilter("Store.Example.NET", true, false);
        assertThat(matches(parent, "abc.store.example.net")).isTrue();
        assertThat(matches(parent, "ABC.STORE.EXAMPLE.NET")).isTrue();
        assertThat(matches(parent, "store.example.net")).isFalse();
        assertThat(matches(parent, "a.b.store.example.net")).isFalse();
        assertThat(matches(parent, "abc.store.example.net.evil")).isFalse();
        assertThat(matches(parent, "abc.store.example.ne")).isFalse();
    }

    private static boolean matches(CbpfProgram program, String name) {
        byte[] frame = new FrameBuilder()
                .addresses(IpAddress.parse("192.0.2.1"), IpAddress.parse("203.0.113.53"))
                .udp(4444, 53, DnsMessages.query(1, name, 1, false))
                .build();
        return CbpfInterpreter.matches(program, frame, frame.length);
    }

    @Test
    void rejectsNamesItCannotMatch() {
        assertThatThrownBy(() -> FingerprintFilterCompiler.dnsFilter("a..example", false, false))
                .hasMessageContaining("label 1 has length 0");
        assertThatThrownBy(() -> FingerprintFilterCompiler.dnsFilter("x".repeat(64) + ".example", false, false))
                .hasMessageContaining("label 0 has length 64");
        assertThatThrownBy(() -> FingerprintFilterCompiler.dnsFilter("", true, false))
                .hasMessageContaining("empty");
    }
}
