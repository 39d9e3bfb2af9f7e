package org.levee.signatures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.CbpfProgram;
import org.levee.cbpf.pcap.LinkType;
import org.levee.signatures.Frames.Ipv4;
import org.levee.signatures.Frames.Ipv6;
import org.levee.signatures.Frames.Tcp;
import org.levee.signatures.P0fReference.Fingerprint;

class P0fFilterTest {

    /** TCP request signatures from p0f 3.09b's p0f.fp, one or more per label (also the fuzz tests' seeds). */
    static final List<String> DATABASE = List.of(
            "*:64:0:*:mss*20,10:mss,sok,ts,nop,ws:df,id+:0",
            "*:64:0:*:mss*10,4:mss,sok,ts,nop,ws:df,id+:0",
            "*:64:0:*:mss*4,6:mss,sok,ts,nop,ws:df,id+:0",
            "*:64:0:*:mss*12,0:mss::0",
            "*:64:0:*:16384,0:mss::0",
            "*:64:0:16396:mss*2,4:mss,sok,ts,nop,ws:df,id+:0",
            "4:64:0:1430:mss*4,6:mss,sok,ts,nop,ws::0",
            "*:64:0:*:mss*44,1:mss,sok,ts,nop,ws:df,id+:0",
            "*:64:0:*:mss*10,*:mss,sok,ts,nop,ws:df,id+:0",
            "*:64:0:*:*,*:mss,nop,nop,sok,nop,ws:df,id+:0",
            "*:64:0:*:*,0:mss:df,id+:0",
            "*:128:0:*:16384,0:mss,nop,nop,sok:df,id+:0",
            "*:128:0:*:65535,2:mss,nop,ws,nop,nop,sok:df,id+:0",
            "*:128:0:*:8192,8:mss,nop,ws,nop,nop,sok:df,id+:0",
            "*:128:0:*:8192,2:mss,nop,ws,sok,ts:df,id+:0",
            "*:64:0:1380:mss*4,7:mss,nop,nop,ts,nop,ws:df,id+:0",
            "*:64:0:*:65535,1:mss,nop,ws,nop,nop,ts,sok,eol+1:df,id+:0",
            "*:64:0:*:65535,6:mss,nop,ws,sok,ts:df,id+:0",
            "*:64:0:*:16384,3:mss,nop,nop,sok,nop,ws,nop,nop,ts:df,id+:0",
            "*:64:0:*:32850,1:nop,ws,nop,nop,ts,nop,nop,sok,mss:df,id+:0",
            "*:64:0:*:mss*34,0:mss,nop,ws,nop,nop,sok:df,id+:0",
            "4:128:0:1460:mtu*2,0:mss,nop,ws::0",
            "4:64:0:1460:61440,0:mss,nop,ws::0",
            "*:64-:0:1460:1024,0:mss::0",
            "*:64-:0:265:512,0:mss,sok,ts:ack+:0",
            "*:64-:0:0:4,10:sok,ts,ws,eol+0:ack+:0",
            "*:64-:0:1460:3,10:ws,nop,mss,sok,nop,nop:ecn,uptr+:0",
            "*:192:0:1331:1337,0:mss,nop,eol+18::0",
            "*:192:0:1331:1337,5:mss,ws,sok,ts,nop,eol+3::0",
            "*:128:0:1452:65535,0:mss,nop,nop,sok,nop,nop,ts::0",
            "*:64:0:1460:mss*4,7:mss,sok,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,ws:df,id+:0");

    static Stream<String> database() {
        return DATABASE.stream();
    }

    @ParameterizedTest
    @MethodSource("database")
    void p0fDatabaseSignaturesCompile(String text) {
        P0fSignature signature = P0fSignature.parse(text);
        for (LinkType link : List.of(LinkType.EN10MB, LinkType.RAW)) {
            CbpfProgram program = new P0fFilter(signature, link).program();
            // Validator and kernel accept it; a non-SYN never matches.
            assertThat(Backends.verdicts(program, List.of(new byte[60], new byte[0])))
                    .containsOnly(false);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "4:64:0:*:*,*:mss:df|has 7 fields",
                "5:64:0:*:*,*::df:0|field 'ver' ('5'): expected 4, 6 or *",
                "4:x:0:*:*,*::df:0|field 'ittl' ('x')",
                "4:256:0:*:*,*::df:0|field 'ittl' ('256'): the initial TTL must be within 1..255",
                "4:64:3:*:*,*::df:0|field 'olen' ('3'): IPv4 options come in 4-byte words",
                "6:64:4:*:*,*:::0|field 'olen' ('4'): p0f counts no options for IPv6",
                "4:64:0:70000:*,*::df:0|field 'mss' ('70000'): 70000 is outside 0..65535",
                "4:64:0:1460:*,*::df:0|field 'mss' ('1460'): a non-zero MSS needs mss in olayout",
                "4:64:0:*:*:::df:0|has 9 fields",
                "4:64:0:*:*:mss:df:0|field 'wsize,scale' ('*')",
                "4:64:0:*:%1,*::df:0|field 'wsize' ('1'): 1 is outside 2..65535",
                "4:64:0:*:mss*0,*:mss:df:0|field 'wsize' ('0'): 0 is outside 1..1000",
                "4:64:0:*:abc,*::df:0|field 'wsize' ('abc')",
                "4:64:0:*:*,7::df:0|field 'scale' ('7'): a non-zero window scale needs ws in olayout",
                "4:64:0:*:*,*:mss,foo:df:0|option 2 'foo': expected eol+N, nop, mss, ws, sok, sack, ts or ?N",
                "4:64:0:*:*,*:eol+1,mss:df:0|eol must be the last option",
                "4:64:0:*:*,*:eol:df:0|end of options is written eol+N",
                "4:64:0:*:*,*:?2:df:0|option 2 has a name; write mss",
                "4:64:0:*:*,*::df,xyz:0|'xyz' is not a quirk",
                "4:64:0:*:*,*::id+:0|'id+' without 'df' never matches",
                "4:64:0:*:*,*::df,id-:0|'id-' with 'df' never matches",
                "4:64:0:*:*,*::flow:0|'flow' is an IPv6 quirk",
                "6:64:0:*:*,*::df:0|'df' is an IPv4 quirk",
                "4:64:0:*:*,*::ack-:0|'ack-' needs the ACK flag",
                "4:64:0:*:*,*::ts1-:0|'ts1-' needs ts in olayout",
                "4:64:0:*:*,*:mss:opt+:0|'opt+' needs eol+N with N > 0",
                "4:64:0:*:*,*::urgf+,uptr+:0|'uptr+' with 'urgf+' never matches",
                "4:64:0:*:*,*::df:x|field 'pclass' ('x'): expected 0, + or *",
                "4:64:0:*:*,*:ts,ts,ts,ts,ts:df:0|the options take at least 50 bytes",
                "4:64:0:*:mss*4,*:ws:df:0|mss*N and mtu*N need mss in olayout",
            })
    void badSignaturesNameTheField(String text, String message) {
        assertThatThrownBy(() -> P0fSignature.parse(text))
                .isInstanceOf(SignatureException.class)
                .hasMessageContaining(message);
    }

    static Stream<Long> seeds() {
        return LongStream.range(0, 150).boxed();
    }

    /**
     * A random SYN (or near-SYN), a signature written from p0f's reading of it, and variants of
     * that signature: the filter's verdict (interpreter and kernel) is p0f's on every pair.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void agreesWithP0f(long seed) {
        Random random = new Random(seed);
        List<byte[]> frames = new ArrayList<>();
        byte[] syn = randomSyn(random);
        frames.add(syn);
        for (int i = 0; i < 6; i++) {
            frames.add(corrupt(random, syn));
        }
        for (int i = 0; i < 3; i++) {
            frames.add(randomSyn(random));
        }
        Fingerprint fp = P0fReference.read(syn);
        List<String> signatures = new ArrayList<>();
        String own = fp == null ? LINUX_3_11 : signatureOf(random, fp);
        signatures.add(own);
        for (int i = 0; i < 8; i++) {
            signatures.add(variant(random, own));
        }
        int checked = 0;
        for (String text : signatures) {
            P0fSignature signature;
            try {
                signature = P0fSignature.parse(text);
            } catch (SignatureException e) {
                assertThat(text.equals(own) && fp != null)
                        .as("a signature written from a real packet parses: %s", e.getMessage())
                        .isFalse();
                continue;
            }
            checked++;
            // Every third seed runs the same packets without their link layer.
            boolean raw = seed % 3 == 0;
            CbpfProgram program = new P0fFilter(signature, raw ? LinkType.RAW : LinkType.EN10MB).program();
            List<Boolean> verdicts = Backends.verdicts(
                    program, raw ? frames.stream().map(P0fFilterTest::ipPacket).toList() : frames);
            for (int i = 0; i < frames.size(); i++) {
                boolean expected = P0fReference.matches(signature, P0fReference.read(frames.get(i)));
                assertThat(verdicts.get(i))
                        .as("signature %s on %s", text, HexFormat.of().formatHex(frames.get(i)))
                        .isEqualTo(expected);
            }
            if (text.equals(own) && fp != null) {
                assertThat(verdicts.getFirst())
                        .as("%s matches the SYN it was written from", own)
                        .isTrue();
            }
        }
        assertThat(checked).isPositive();
    }

    /** The IP packet inside an Ethernet frame (tagged or not). */
    private static byte[] ipPacket(byte[] frame) {
        int tpid = (frame[12] & 0xff) << 8 | (frame[13] & 0xff);
        int start = tpid == 0x8100 || tpid == 0x88a8 ? 18 : 14;
        return java.util.Arrays.copyOfRange(frame, Math.min(start, frame.length), frame.length);
    }

    // ---- Random SYNs ----

    static byte[] randomSyn(Random random) {
        boolean ipv6 = random.nextInt(3) == 0;
        byte[] options = randomOptions(random);
        int flags = 0x02;
        if (random.nextInt(6) == 0) {
            flags |= 0x08;
        }
        if (random.nextInt(8) == 0) {
            flags |= 0x20;
        }
        if (random.nextInt(8) == 0) {
            flags |= 0xc0;
        }
        if (random.nextInt(12) == 0) {
            flags |= new int[] {0x10, 0x04, 0x01}[random.nextInt(3)];
        }
        Integer dataOffset = null;
        if (random.nextInt(8) == 0 && options.length > 4) {
            dataOffset = 5 + (options.length - 1 - random.nextInt(4)) / 4; // cut the last option short
        }
        int mss = 1460 - random.nextInt(2) * 20;
        int window = switch (random.nextInt(6)) {
            case 0 -> 65535;
            case 1 -> mss * (1 + random.nextInt(45));
            case 2 -> 1500 * (1 + random.nextInt(40));
            case 3 -> 1448 * (1 + random.nextInt(40));
            case 4 -> 8192;
            default -> random.nextInt(65536);
        };
        Tcp tcp = new Tcp(
                flags,
                random.nextInt(10) == 0 ? 0 : random.nextInt() & 0xffffffffL,
                random.nextInt(8) == 0 ? random.nextInt() : 0,
                window,
                random.nextInt(8) == 0 ? 1 + random.nextInt(1000) : 0,
                random.nextInt(12) == 0 ? 1 : 0,
                options,
                dataOffset);
        byte[] payload = random.nextInt(8) == 0 ? new byte[1 + random.nextInt(20)] : new byte[0];
        byte[] segment = tcp.segment(payload);
        if (ipv6) {
            Ipv6 ip = Ipv6.of(6)
                    .withHopLimit(randomTtl(random))
                    .withFlow(random.nextBoolean() ? 0 : random.nextInt(0x100000))
                    .withTrafficClass(random.nextInt(8) == 0 ? 1 + random.nextInt(3) : 0);
            return Frames.ethernet(random.nextInt(6) == 0 ? 0x8100 : 0, 0x86dd, ip.packet(segment));
        }
        int flagsAndOffset = (random.nextInt(5) == 0 ? 0 : 0x4000) | (random.nextInt(12) == 0 ? 0x8000 : 0);
        if (random.nextInt(15) == 0) {
            flagsAndOffset |= 0x2000;
        }
        Ipv4 ip = Ipv4.of(6)
                .withTtl(randomTtl(random))
                .withId(random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(65535))
                .withFlagsAndOffset(flagsAndOffset)
                .withTos(random.nextInt(8) == 0 ? 1 + random.nextInt(3) : 0)
                .withOptions(random.nextInt(8) == 0 ? new byte[] {1, 1, 1, 0} : new byte[0]);
        return Frames.ethernet(random.nextInt(6) == 0 ? 0x8100 : 0, 0x0800, ip.packet(segment));
    }

    private static int randomTtl(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> 64 - random.nextInt(40);
            case 1 -> 128 - random.nextInt(40);
            case 2 -> 255 - random.nextInt(40);
            default -> 1 + random.nextInt(255);
        };
    }

    static byte[] randomOptions(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count = random.nextInt(8);
        for (int i = 0; i < count; i++) {
            boolean wrongLength = random.nextInt(20) == 0;
            switch (random.nextInt(9)) {
                case 0, 1 -> {
                    out.write(2);
                    out.write(wrongLength ? 5 : 4);
                    short16(out, random.nextInt(4) == 0 ? random.nextInt(200) : 1460);
                }
                case 2 -> {
                    out.write(3);
                    out.write(wrongLength ? 4 : 3);
                    out.write(random.nextInt(6) == 0 ? 15 + random.nextInt(3) : random.nextInt(15));
                }
                case 3 -> {
                    out.write(4);
                    out.write(wrongLength ? 3 : 2);
                }
                case 4 -> {
                    out.write(8);
                    out.write(wrongLength ? 12 : 10);
                    int32(out, random.nextInt(6) == 0 ? 0 : random.nextInt());
                    int32(out, random.nextInt(6) == 0 ? random.nextInt() : 0);
                }
                case 5, 6 -> out.write(1);
                case 7 -> {
                    out.write(5);
                    int length = random.nextInt(6) == 0 ? 4 : 10;
                    out.write(length);
                    out.writeBytes(new byte[length - 2]);
                }
                default -> {
                    out.write(30);
                    int length = random.nextInt(8) == 0 ? 1 : 2 + random.nextInt(4);
                    out.write(length);
                    out.writeBytes(new byte[Math.max(0, length - 2)]);
                }
            }
        }
        if (random.nextInt(4) == 0) {
            out.write(0);
            int padding = random.nextInt(4);
            for (int i = 0; i < padding; i++) {
                out.write(random.nextInt(6) == 0 ? 1 + random.nextInt(255) : 0);
            }
        }
        byte[] options = out.toByteArray();
        if (options.length > 40) {
            return new byte[] {2, 4, 5, (byte) 180};
        }
        return options;
    }

    /** The SYN with a few header or option bytes changed. */
    private static byte[] corrupt(Random random, byte[] frame) {
        byte[] copy = frame.clone();
        int changes = 1 + random.nextInt(2);
        for (int i = 0; i < changes; i++) {
            int at = 14 + random.nextInt(Math.max(1, Math.min(copy.length, 14 + 40 + 60) - 14));
            copy[at] ^= (byte) (1 << random.nextInt(8));
        }
        if (random.nextInt(6) == 0) {
            return java.util.Arrays.copyOf(copy, copy.length - 1 - random.nextInt(8));
        }
        return copy;
    }

    // ---- Signatures written from fingerprints ----

    static String signatureOf(Random random, Fingerprint fp) {
        String version = random.nextBoolean() ? "*" : fp.ipv6() ? "6" : "4";
        int ttl = Math.min(255, fp.ttl() + random.nextInt(35));
        String ittl =
                random.nextInt(5) == 0 ? Math.min(255, fp.ttl() + random.nextInt(200)) + "-" : String.valueOf(ttl);
        String mss = random.nextInt(3) == 0 ? "*" : String.valueOf(fp.mss());
        String window;
        int[] multiple = P0fReference.windowMultiple(fp);
        int choice = random.nextInt(4);
        if (choice == 0 && multiple != null) {
            window = (multiple[0] == 0 ? "mss*" : "mtu*") + multiple[1];
        } else if (choice == 1) {
            window = "*";
        } else if (choice == 2 && fp.window() > 1) {
            int divisor = smallDivisor(random, fp.window());
            window = divisor >= 2 ? "%" + divisor : String.valueOf(fp.window());
        } else {
            window = String.valueOf(fp.window());
        }
        String scale = random.nextInt(3) == 0 ? "*" : String.valueOf(fp.wscale());
        List<String> layout = new ArrayList<>();
        for (int kind : fp.layout()) {
            layout.add(kind == P0fSignature.EOL ? "eol+" + fp.eolPadding() : P0fSignature.optionName(kind));
        }
        List<String> quirks = new ArrayList<>();
        for (P0fQuirk quirk : P0fQuirk.values()) {
            if (fp.quirks().contains(quirk)) {
                quirks.add(quirk.token());
            }
        }
        if (!fp.ipv6() && fp.layout().contains(P0fSignature.TS) && fp.ipId() == ((fp.seq() ^ fp.ts1()) & 0xffff)) {
            quirks.add("linux");
        }
        String pclass = random.nextInt(3) == 0 ? "*" : fp.payload() == 0 ? "0" : "+";
        return String.join(
                ":",
                version,
                ittl,
                String.valueOf(fp.ipOptions()),
                mss,
                window + "," + scale,
                String.join(",", layout),
                String.join(",", quirks),
                pclass);
    }

    private static int smallDivisor(Random random, int value) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int d = 2 + random.nextInt(64);
            if (value % d == 0) {
                return d;
            }
        }
        return value % 2 == 0 ? 2 : 0;
    }

    private static final String[] QUIRK_TOKENS = {
        "df", "id+", "id-", "ecn", "0+", "flow", "seq-", "ack+", "uptr+", "urgf+", "pushf+", "ts1-", "ts2+", "opt+",
        "exws", "linux", "bad"
    };

    /** {@code text} with one field changed. */
    static String variant(Random random, String text) {
        String[] f = text.split(":", -1);
        String[] wsizeScale = f[4].split(",", -1);
        switch (random.nextInt(9)) {
            case 0 -> f[0] = new String[] {"4", "6", "*"}[random.nextInt(3)];
            case 1 -> f[1] = String.valueOf(1 + random.nextInt(255)) + (random.nextInt(4) == 0 ? "-" : "");
            case 2 -> f[2] = String.valueOf(4 * random.nextInt(3));
            case 3 -> f[3] = new String[] {"*", "0", "1460", "1440", "536"}[random.nextInt(5)];
            case 4 ->
                wsizeScale[0] = new String[] {"*", "65535", "%2", "%1000", "mss*44", "mss*10", "mtu*4", "64240", "8192"}
                        [random.nextInt(9)];
            case 5 -> wsizeScale[1] = new String[] {"*", "0", "7", "15"}[random.nextInt(4)];
            case 6 ->
                f[5] = new String[] {
                            "",
                            "mss",
                            "mss,sok,ts,nop,ws",
                            "mss,nop,nop,sok",
                            "nop,eol+2",
                            "ws",
                            f[5] + ",nop",
                            "sack",
                            "?30"
                        }
                        [random.nextInt(9)];
            case 7 -> {
                List<String> quirks = new ArrayList<>(f[6].isEmpty() ? List.of() : List.of(f[6].split(",")));
                String quirk = QUIRK_TOKENS[random.nextInt(QUIRK_TOKENS.length)];
                if (!quirks.remove(quirk)) {
                    quirks.add(quirk);
                }
                f[6] = String.join(",", quirks);
            }
            default -> f[7] = new String[] {"0", "+", "*"}[random.nextInt(3)];
        }
        f[4] = wsizeScale[0] + "," + wsizeScale[1];
        return String.join(":", f);
    }

    /** p0f.fp's Linux 3.11 and newer. */
    private static final String LINUX_3_11 = "*:64:0:*:mss*20,7:mss,sok,ts,nop,ws:df,id+:0";

    private static void short16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value);
    }

    private static void int32(ByteArrayOutputStream out, int value) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(value).array());
    }
}
