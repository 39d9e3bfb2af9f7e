package org.levee.signatures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.LinkType;
import org.levee.signatures.DnsPattern.Element;
import org.levee.signatures.Frames.Ipv4;
import org.levee.signatures.Frames.Ipv6;
import org.xbill.DNS.Name;

class DnsQueryFilterTest {

    private static CbpfProgram filter(boolean ignoreCase, String... patterns) {
        return DnsQueryFilter.of(List.of(patterns), ignoreCase, 53, LinkType.EN10MB)
                .program();
    }

    private static boolean matches(CbpfProgram program, String name) {
        return verdict(program, DnsQueries.overIpv4(DnsQueries.query(DnsQueries.name(name))));
    }

    private static List<Boolean> verdicts(CbpfProgram program, List<byte[]> frames) {
        return Backends.verdicts(program, frames);
    }

    private static boolean verdict(CbpfProgram program, byte[] frame) {
        return verdicts(program, List.of(frame)).getFirst();
    }

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource(
            delimiter = ' ',
            value = {
                "example.com example.com true",
                "example.com www.example.com false",
                "example.com example.co false",
                "example.com example.comm false",
                ".example.com. example.com true",
                "*.example.com a.example.com true",
                "*.example.com example.com false",
                "*.example.com a.b.example.com false",
                "*.example.com xn--bcher-kva.example.com true",
                "*xx.example.com abxx.example.com false",
                "x*x.example.com x*x.example.com true",
                "x*x.example.com xax.example.com false",
                "*{3-4}.example.com abc.example.com true",
                "*{3-4}.example.com abcd.example.com true",
                "*{3-4}.example.com ab.example.com false",
                "*{3-4}.example.com abcde.example.com false",
                "*{4-255}.example.com abcdefghij.example.com true",
                "fin?.me fint.me true",
                "fin?.me finX.me true",
                "fin?.me fin.me false",
                "fin?.me finXX.me false",
                "fin?.me www.finX.me false",
                "example.** example.com true",
                "example.** example.co.uk true",
                "example.** example false",
                "example.** www.example.com false",
                "example.** eexample.com false",
                "*.** a.b true",
                "*.** a false",
                "** a true",
                "a%2eb.example a\\.b.example true",
                "a%2eb.example a.b.example false",
                "Example.com example.com false",
                "*.*.example.com a.b.example.com true",
            })
    void bpftoolsExamples(String pattern, String name, boolean expected) {
        assertThat(matches(filter(false, pattern), name)).isEqualTo(expected);
    }

    @Test
    void anyOfSeveralPatterns() {
        CbpfProgram program = filter(false, "example.com", "*.www.fint.me", "example.**");
        assertThat(matches(program, "example.com")).isTrue();
        assertThat(matches(program, "blah.www.fint.me")).isTrue();
        assertThat(matches(program, "example.org")).isTrue();
        assertThat(matches(program, "www.fint.me")).isFalse();
        assertThat(matches(program, "org")).isFalse();
    }

    @Test
    void rootName() {
        CbpfProgram program = filter(false, ".");
        assertThat(matches(program, ".")).isTrue();
        assertThat(matches(program, "com")).isFalse();
    }

    @Test
    void caseFoldingFoldsLettersOnly() {
        CbpfProgram folded = filter(true, "a-b.Example.COM");
        assertThat(matches(folded, "A-B.EXAMPLE.com")).isTrue();
        assertThat(matches(folded, "a-b.example.com")).isTrue();
        // bpftools ORs 0x20 into every byte: '-' (0x2d) | 0x20 == '\r' (0x0d) | 0x20.
        assertThat(verdict(
                        folded,
                        DnsQueries.overIpv4(DnsQueries.query(
                                DnsQueries.name(List.of(bytes("a\rb"), bytes("example"), bytes("com")))))))
                .isFalse();
        // '@' (0x40) and '`' (0x60) differ by 0x20 too, and are not letters.
        CbpfProgram at = filter(true, "a%40b.example");
        assertThat(verdict(at, packet(List.of(bytes("a@b"), bytes("example"))))).isTrue();
        assertThat(verdict(at, packet(List.of(bytes("a`b"), bytes("example"))))).isFalse();
        assertThat(verdict(at, packet(List.of(bytes("A@B"), bytes("EXAMPLE"))))).isTrue();
        // Label lengths are never folded: 0x03 | 0x20 == 0x23 ('#').
        assertThat(matches(filter(false, "A-B.example.com"), "a-b.example.com")).isFalse();
    }

    @Test
    void everyEncapsulationMatches() {
        CbpfProgram program = filter(false, "*.example.com");
        byte[] dns = DnsQueries.query(DnsQueries.name("www.example.com"));
        byte[] udp = Frames.udp(40000, 53, dns);
        byte[] ipv4 = Ipv4.of(17).packet(udp);
        byte[] ipv4Options = Ipv4.of(17)
                .withOptions(new byte[] {1, 1, 1, 0, 7, 7, 4, 0, 0, 0, 0, 0})
                .packet(udp);
        byte[] ipv6 = Ipv6.of(17).packet(udp);
        List<byte[]> frames = List.of(
                Frames.ethernet(0x0800, ipv4),
                Frames.ethernet(0x0800, ipv4Options),
                Frames.ethernet(0x8100, 0x0800, ipv4),
                Frames.ethernet(0x88a8, 0x0800, ipv4Options),
                Frames.ethernet(0x86dd, ipv6),
                Frames.ethernet(0x8100, 0x86dd, ipv6),
                // A first fragment carries the UDP header: it counts.
                Frames.ethernet(0x0800, Ipv4.of(17).withFlagsAndOffset(0x2000).packet(udp)));
        assertThat(verdicts(program, frames)).containsOnly(true);
        CbpfProgram raw = DnsQueryFilter.of(List.of("*.example.com"), false, 53, LinkType.RAW)
                .program();
        assertThat(verdicts(raw, List.of(ipv4, ipv4Options, ipv6))).containsOnly(true);
        assertThat(verdicts(raw, List.of(Frames.ethernet(0x0800, ipv4)))).containsOnly(false);
    }

    @Test
    void decoysDoNotMatch() {
        CbpfProgram program = filter(false, "*.example.com");
        byte[] dns = DnsQueries.query(DnsQueries.name("www.example.com"));
        byte[] udp = Frames.udp(40000, 53, dns);
        // The same bytes in a TCP segment (UDP's header where TCP's would be).
        List<byte[]> decoys = List.of(
                Frames.ethernet(0x0800, Ipv4.of(6).packet(udp)),
                Frames.ethernet(0x86dd, Ipv6.of(6).packet(udp)),
                Frames.ethernet(0x0800, Ipv4.of(17).packet(Frames.udp(40000, 5353, dns))),
                Frames.ethernet(0x0800, Ipv4.of(17).withFlagsAndOffset(0x0001).packet(udp)),
                Frames.ethernet(0x0800, Ipv4.of(17).withFlagsAndOffset(0x2010).packet(udp)),
                Frames.ethernet(
                        0x0800,
                        Ipv4.of(17)
                                .packet(Frames.udp(
                                        40000, 53, DnsQueries.response(DnsQueries.name("www.example.com"))))),
                Frames.ethernet(0x0800, Ipv4.of(17).packet(Frames.udp(40000, 53, withoutQuestions(dns)))),
                // IPv6 with a hop-by-hop header before UDP: extension headers are not followed.
                Frames.ethernet(0x86dd, Ipv6.of(0).packet(concat(new byte[] {17, 0, 1, 4, 0, 0, 0, 0}, udp))),
                Frames.ethernet(0x0806, Ipv4.of(17).packet(udp)),
                // An IPv6 header behind the IPv4 ethertype, and the reverse.
                Frames.ethernet(0x0800, Ipv6.of(17).packet(udp)),
                Frames.ethernet(0x86dd, Ipv4.of(17).packet(udp)),
                // An 802.1Q tag around a tag is not followed.
                Frames.ethernet(0x8100, 0x8100, Ipv4.of(17).packet(udp)));
        assertThat(verdicts(program, decoys)).containsOnly(false);
        assertThat(verdicts(
                        DnsQueryFilter.of(List.of("*.example.com"), false, 5353, LinkType.EN10MB)
                                .program(),
                        List.of(decoys.get(2))))
                .containsOnly(true);
    }

    @Test
    void longestNamesMatchAndCutNamesNeverDo() {
        String label63 = "a".repeat(63);
        String longest = label63 + "." + label63 + "." + label63 + "." + "b".repeat(61);
        Name name = DnsQueries.name(longest);
        assertThat(name.length()).isEqualTo((short) 255);
        byte[] frame = DnsQueries.overIpv4(DnsQueries.query(name));
        for (String pattern : List.of(longest, "*." + label63 + ".*.*", "*{63-63}.**", "**", "a*{1-63}.**")) {
            boolean expected = !pattern.startsWith("a*");
            CbpfProgram program = filter(false, pattern);
            assertThat(verdict(program, frame)).as(pattern).isEqualTo(expected);
            // Cut anywhere before the name's last byte: never a match, never an error.
            int nameStart = 14 + 20 + 8 + 12;
            List<byte[]> cuts = IntStream.range(0, nameStart + 255)
                    .mapToObj(length -> Arrays.copyOf(frame, length))
                    .toList();
            assertThat(verdicts(program, cuts)).as(pattern).containsOnly(false);
        }
        assertThatThrownBy(() -> filter(false, longest + ".c"))
                .isInstanceOf(SignatureException.class)
                .hasMessageContaining("at least 257 bytes");
    }

    /** What dnsjava will not build: names that are not plain labels, or longer than 255 bytes. */
    @Test
    void anySuffixNeedsAWholePlainName() {
        CbpfProgram program = filter(false, "example.**");
        byte[] header = java.util.HexFormat.of().parseHex("123401000001000000000000");
        byte[] pointer = concat(header, concat(bytes("\u0007example"), new byte[] {(byte) 0xc0, 0x0c, 0, 1, 0, 1}));
        byte[] plain = concat(header, concat(bytes("\u0007example\u0003com"), new byte[] {0, 0, 1, 0, 1}));
        java.io.ByteArrayOutputStream longName = new java.io.ByteArrayOutputStream();
        longName.writeBytes(bytes("\u0007example"));
        for (int i = 0; i < 4; i++) {
            longName.write(63);
            longName.writeBytes(bytes("x".repeat(63)));
        }
        longName.writeBytes(new byte[] {0, 0, 1, 0, 1});
        byte[] tooLong = concat(header, longName.toByteArray());
        List<Boolean> verdicts = verdicts(program, List.of(udpFrame(plain), udpFrame(pointer), udpFrame(tooLong)));
        assertThat(verdicts).containsExactly(true, false, false);
    }

    private static byte[] udpFrame(byte[] dns) {
        return Frames.ethernet(0x0800, Ipv4.of(17).packet(Frames.udp(40000, 53, dns)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "\"\"|empty pattern",
                "a..b|pattern 1 'a..b', label 2 '': empty label",
                "**.a|label 1 '**': '**' (any suffix) must be the last label",
                "foo**|'**' must be a label of its own",
                "*{4}.a|length range is written *{MIN-MAX}",
                "*{0-4}.a|MIN 0 must be within 1..63",
                "*{5-4}.a|MAX 4 must be within MIN..255",
                "a b|character 2 (U+0020) is not printable ASCII",
                "a%4|'%' at character 2 must be followed by two hex digits",
                "a%zz|'%' at character 2 must be followed by two hex digits",
            })
    void badPatternsNameWhatAndWhere(String pattern, String message) {
        assertThatThrownBy(() -> filter(false, pattern))
                .isInstanceOf(SignatureException.class)
                .hasMessageContaining(message);
        String label64 = "x".repeat(64);
        assertThatThrownBy(() -> filter(false, "ok", label64 + ".com"))
                .hasMessageContaining("pattern 2")
                .hasMessageContaining("label 1")
                .hasMessageContaining("64 bytes");
    }

    @Test
    void tooManyPatternsForOneProgramIsAnError() {
        List<String> patterns = IntStream.range(0, 200)
                .mapToObj(i -> "a".repeat(60) + i + ".example.com")
                .toList();
        assertThatThrownBy(() ->
                        DnsQueryFilter.of(patterns, false, 53, LinkType.EN10MB).program())
                .isInstanceOf(SignatureException.class)
                .hasMessageMatching("the DNS filter needs \\d+ instructions; classic BPF allows 4096: .*");
    }

    static Stream<Long> seeds() {
        return LongStream.range(0, 60).boxed();
    }

    /** Random patterns and names: the filter agrees with a label-by-label reading of the pattern. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void agreesWithReferenceMatcher(long seed) {
        Random random = new Random(seed);
        boolean ignoreCase = random.nextBoolean();
        List<byte[]> base = randomName(random);
        String pattern = patternFor(random, base);
        DnsPattern parsed = DnsPattern.parse(pattern, "pattern 1");
        CbpfProgram program = new DnsQueryFilter(List.of(parsed), ignoreCase, 53, LinkType.EN10MB).program();
        List<List<byte[]>> names = new ArrayList<>();
        names.add(base);
        for (int i = 0; i < 12; i++) {
            names.add(mutate(random, base));
        }
        List<byte[]> frames = new ArrayList<>();
        for (List<byte[]> name : names) {
            frames.add(
                    random.nextBoolean() ? packet(name) : DnsQueries.overIpv6(DnsQueries.query(DnsQueries.name(name))));
        }
        List<Boolean> verdicts = verdicts(program, frames);
        for (int i = 0; i < names.size(); i++) {
            assertThat(verdicts.get(i))
                    .as("pattern %s (ignore case %s), name %s", pattern, ignoreCase, DnsQueries.name(names.get(i)))
                    .isEqualTo(referenceMatch(parsed, names.get(i), ignoreCase));
        }
        assertThat(verdicts.getFirst())
                .as("a pattern made from a name matches it, %s", pattern)
                .isEqualTo(!ignoreCase ? true : verdicts.getFirst());
    }

    /** The meaning of a pattern, read directly off its labels. */
    static boolean referenceMatch(DnsPattern pattern, List<byte[]> name, boolean ignoreCase) {
        List<Element> elements = pattern.labels();
        int fixed = pattern.hasAnySuffix() ? elements.size() - 1 : elements.size();
        if (pattern.hasAnySuffix() ? name.size() <= fixed : name.size() != fixed) {
            return false;
        }
        for (int i = 0; i < fixed; i++) {
            byte[] label = name.get(i);
            switch (elements.get(i)) {
                case Element.AnyLabel any -> {
                    if (label.length < any.min() || label.length > any.max()) {
                        return false;
                    }
                }
                case Element.Literal literal -> {
                    byte[] want = literal.bytes();
                    boolean[] wildcard = literal.wildcard();
                    if (want.length != label.length) {
                        return false;
                    }
                    for (int j = 0; j < want.length; j++) {
                        if (!wildcard[j] && !sameByte(want[j], label[j], ignoreCase)) {
                            return false;
                        }
                    }
                }
                case Element.AnySuffix ignored -> throw new AssertionError("not last");
            }
        }
        return true;
    }

    private static boolean sameByte(byte a, byte b, boolean ignoreCase) {
        if (a == b) {
            return true;
        }
        return ignoreCase
                && Character.isLetter(a)
                && Character.isLetter(b)
                && a >= 0
                && b >= 0
                && Character.toLowerCase((char) a) == Character.toLowerCase((char) b);
    }

    private static final byte[] ALPHABET = "abcXYZ09-_*?\r@`{[".getBytes(StandardCharsets.ISO_8859_1);

    private static List<byte[]> randomName(Random random) {
        List<byte[]> labels = new ArrayList<>();
        int count = 1 + random.nextInt(4);
        for (int i = 0; i < count; i++) {
            labels.add(randomLabel(random));
        }
        return labels;
    }

    private static byte[] randomLabel(Random random) {
        byte[] label = new byte[1 + random.nextInt(random.nextInt(10) == 0 ? 63 : 6)];
        for (int j = 0; j < label.length; j++) {
            label[j] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return label;
    }

    /** A pattern written from {@code name}: labels kept, case-flipped, starred or ranged; maybe '**'. */
    private static String patternFor(Random random, List<byte[]> name) {
        int keep = name.size() > 1 && random.nextInt(3) == 0 ? 1 + random.nextInt(name.size() - 1) : name.size();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < keep; i++) {
            byte[] label = name.get(i);
            switch (random.nextInt(6)) {
                case 0 -> labels.add("*");
                case 1 -> {
                    int min = 1 + random.nextInt(Math.max(1, label.length));
                    labels.add("*{" + min + "-" + (min + random.nextInt(5)) + "}");
                }
                default -> {
                    StringBuilder text = new StringBuilder();
                    for (byte b : label) {
                        int r = random.nextInt(8);
                        if (r == 0) {
                            text.append('?');
                        } else if (r == 1 && Character.isLetter(b)) {
                            text.append(
                                    Character.isUpperCase(b)
                                            ? Character.toLowerCase((char) b)
                                            : Character.toUpperCase((char) b));
                        } else if (Character.isLetterOrDigit(b) || b == '-' || b == '_') {
                            text.append((char) b);
                        } else {
                            text.append(String.format("%%%02x", b & 0xff));
                        }
                    }
                    labels.add(text.toString());
                }
            }
        }
        if (keep < name.size()) {
            labels.add("**");
        }
        return String.join(".", labels);
    }

    private static List<byte[]> mutate(Random random, List<byte[]> name) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] label : name) {
            out.add(label.clone());
        }
        switch (random.nextInt(6)) {
            case 0 -> out.add(randomLabel(random));
            case 1 -> out.add(0, randomLabel(random));
            case 2 -> {
                if (out.size() > 1) {
                    out.removeLast();
                }
            }
            case 3 -> {
                byte[] label = out.get(random.nextInt(out.size()));
                label[random.nextInt(label.length)] ^= (byte) (random.nextBoolean() ? 0x20 : 1 << random.nextInt(8));
            }
            case 4 -> {
                int i = random.nextInt(out.size());
                out.set(i, Arrays.copyOf(out.get(i), Math.min(63, out.get(i).length + 1)));
                out.get(i)[out.get(i).length - 1] = 'q';
            }
            default -> out.set(random.nextInt(out.size()), randomLabel(random));
        }
        return out;
    }

    private static byte[] packet(List<byte[]> name) {
        return DnsQueries.overIpv4(DnsQueries.query(DnsQueries.name(name)));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] withoutQuestions(byte[] dns) {
        byte[] copy = dns.clone();
        copy[4] = 0;
        copy[5] = 0;
        return copy;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
