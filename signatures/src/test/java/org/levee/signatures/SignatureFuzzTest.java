package org.levee.signatures;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.testing.ProgramOracle;
import org.levee.testing.Requirements;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;

/**
 * Fuzzes what the signature generators read from users: p0f signatures, DNS name patterns and
 * hex suffixes, each through to the classic BPF it generates. A bad input must be a
 * {@link SignatureException} naming the field, pattern and label, or character; a filter that is
 * generated must pass the validator, run in the interpreter and agree with libpcap's interpreter
 * on packets of every kind ({@link ProgramOracle}) — a generator that emits an invalid program is a
 * crash, not a rejection.
 */
@Tag("fuzz")
class SignatureFuzzTest {

    @BeforeAll
    static void requireLibpcap() {
        Requirements.library(Libpcap.SONAME);
    }

    private static void checkGenerated(CbpfProgram program) {
        try {
            ProgramOracle.check(program);
        } catch (org.levee.cbpf.CbpfException e) {
            throw new AssertionError("the generator emitted a program the validator refuses: " + e.getMessage(), e);
        }
    }

    @Test
    void p0fSignatures() {
        FuzzRunner.run(FuzzFamily.text("p0f signatures")
                        .seeds(P0fFilterTest.DATABASE)
                        .dictionary(
                                ":", ",", "*", "4", "6", "64", "64-", "64+1", "255", "256", "mss", "mss*", "mtu*", "%",
                                "nop", "ws", "sok", "sack", "ts", "eol+", "?", "df", "id+", "id-", "ecn", "0+", "flow",
                                "seq-", "ack+", "ack-", "uptr+", "urgf+", "pushf+", "ts1-", "ts2+", "opt+", "exws",
                                "linux", "bad", "0", "+", "1460", "65535", "14", "15")
                        .target(text -> {
                            P0fSignature signature = P0fSignature.parse(text);
                            for (LinkType link : List.of(LinkType.EN10MB, LinkType.RAW)) {
                                checkGenerated(new P0fFilter(signature, link).program());
                            }
                        })
                        .rejects(
                                SignatureException.class,
                                "^p0f signature (field '[^']+'( \\('.*'\\))?: |'.*' has \\d+ fields "
                                        + "separated by ':'; expected 8: )\\S|^the p0f filter needs \\d+ instructions")
                        .build())
                .assertNoCrashes();
    }

    /** Patterns one per line, as a rule lists them; case is ignored for an even number of them. */
    @Test
    void dnsPatterns() {
        FuzzRunner.run(FuzzFamily.text("DNS name patterns")
                        .seeds(
                                "example.com",
                                "*.www.fint.me\nexample.**",
                                ".",
                                "a%40b.example",
                                "*{4-63}.example.org",
                                "?a?.example.net\n*.*.example.com",
                                "xn--bcher-kva.example\nwww.example.com\n**",
                                "*{63-63}.**",
                                "a*{1-63}.**",
                                "x".repeat(63) + ".*.example",
                                "A-B.Example.COM\nexample.org")
                        .dictionary(
                                ".",
                                "*",
                                "**",
                                "?",
                                "%",
                                "%2e",
                                "%00",
                                "%ff",
                                "*{",
                                "-",
                                "}",
                                "*{1-63}",
                                "*{0-1}",
                                "*{4-255}",
                                "*{64-64}",
                                "\n",
                                "example",
                                "com",
                                "x".repeat(63),
                                "x".repeat(64))
                        .target(text -> {
                            List<String> patterns = List.of(text.split("\n", -1));
                            checkGenerated(DnsQueryFilter.of(patterns, patterns.size() % 2 == 0, 53, LinkType.EN10MB)
                                    .program());
                        })
                        .rejects(
                                SignatureException.class,
                                "^pattern \\d+ '.*'(, label \\d+ '.*')?: \\S|^no pattern given: \\S"
                                        + "|^the DNS filter needs \\d+ instructions")
                        .build())
                .assertNoCrashes();
    }

    @Test
    void hexSuffixes() {
        FuzzRunner.run(FuzzFamily.text("hex suffixes")
                        .seeds(
                                "010203",
                                "0x01 02:03",
                                "deadbeef",
                                "00",
                                "45 00 00 54",
                                "0X0a0B0c",
                                "00112233445566778899aabbccddeeff".repeat(4))
                        .dictionary("0x", "0X", " ", ":", "ff", "0", "g", "00".repeat(300))
                        .target(text ->
                                checkGenerated(SuffixFilter.parseHex(text).program()))
                        .rejects(
                                SignatureException.class,
                                "^suffix '.*': (character \\d+ '.+' is not a hex digit|\\d+ hex digits is"
                                        + " not a whole number of bytes)|^the suffix is empty|^the suffix filter needs \\d+ instructions")
                        .build())
                .assertNoCrashes();
    }
}
