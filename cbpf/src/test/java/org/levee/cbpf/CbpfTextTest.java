package org.levee.cbpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.levee.cbpf.CbpfInstruction.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.levee.cbpf.corpus.PacketCorpus;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.cbpf.pcap.PcapWriter;
import org.levee.cbpf.testing.Command;
import org.levee.cbpf.testing.RandomPrograms;
import org.levee.testing.Requirements;

/** The text forms: round trips, tcpdump's own output, and parse errors with index and column. */
class CbpfTextTest {

    private static final CbpfProgram IPV4 = CbpfProgram.of(ldAbsH(12), jeqK(0x800, 0, 1), retK(262144), retK(0));

    @Test
    void parsesTheFormsOfAKnownProgram() {
        assertThat(CbpfText.parseDdd("4\n40 0 0 12\n21 0 1 2048\n6 0 0 262144\n6 0 0 0\n"))
                .isEqualTo(IPV4);
        assertThat(CbpfText.parseDdd("4\r\n40 0 0 12\r\n21\t0 1 2048\r\n6 0 0 262144\r\n6 0 0 0\r\n\r\n"))
                .isEqualTo(IPV4);
        assertThat(CbpfText.parseBytecode("4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0"))
                .isEqualTo(IPV4);
        assertThat(CbpfText.parseBytecode(" 4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0\n"))
                .isEqualTo(IPV4);
        assertThat(CbpfText.printBytecode(IPV4)).isEqualTo("4,40 0 0 12,21 0 1 2048,6 0 0 262144,6 0 0 0");
        assertThat(CbpfText.printListing(IPV4)).isEqualTo("""
                (000) ldh      [12]
                (001) jeq      #0x800           jt 2\tjf 3
                (002) ret      #262144
                (003) ret      #0
                """);
        assertThat(CbpfText.parseBytecode("1,6 0 0 4294967295").get(0).k()).isEqualTo(-1);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void printedFormsParseBackToTheSameProgram(long seed) {
        Random random = new Random(seed);
        for (int n = 0; n < 300; n++) {
            CbpfProgram program = RandomPrograms.anyProgram(random, 1 + random.nextInt(40));
            assertThat(CbpfText.parseDdd(CbpfText.printDdd(program))).isEqualTo(program);
            assertThat(CbpfText.parseBytecode(CbpfText.printBytecode(program))).isEqualTo(program);
            assertThat(CbpfText.parseDdd(program.toString())).isEqualTo(program);
            assertThat(CbpfText.printListing(program).lines()).hasSize(program.size());
        }
    }

    /** Valid random programs, with the fields the listing does not show set to 0, survive the listing. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void listingParsesBackToTheSameProgram(long seed) {
        Random random = new Random(seed);
        for (int n = 0; n < 300; n++) {
            CbpfProgram program = canonical(RandomPrograms.validProgram(random, 2 + random.nextInt(40)));
            assertThat(CbpfText.parseListing(CbpfText.printListing(program))).isEqualTo(program);
        }
    }

    /** The program with jt/jf of non-conditional instructions and k of instructions without one zeroed. */
    private static CbpfProgram canonical(CbpfProgram program) {
        return new CbpfProgram(program.instructions().stream()
                .map(insn -> {
                    boolean hasK = switch (insn.opClass()) {
                        case ALU, JMP -> insn.src() == K && insn.code() != (ALU | NEG);
                        case RET -> insn.rval() == K;
                        case MISC -> false;
                        default -> insn.opMode() != LEN;
                    };
                    int jt = insn.isConditionalJump() ? insn.jt() : 0;
                    int jf = insn.isConditionalJump() ? insn.jf() : 0;
                    return new CbpfInstruction(insn.code(), jt, jf, hasK ? insn.k() : 0);
                })
                .toList());
    }

    @Test
    void parsesHandWrittenListings() {
        assertThat(CbpfText.parseListing("""
                ldh [12]
                jeq #0x800 jt 2 jf 3

                ret #262144
                ret #0
                """)).isEqualTo(IPV4);
        assertThat(CbpfText.parseListing(
                        "ld #-1\nldx M[0]\nst M[15]\nldxb 4*([14]&0xf)\nld [x + 0x10]\nja 7\n" + "ldx #pktlen\nret a"))
                .isEqualTo(
                        CbpfProgram.of(ldImm(-1), ldxMem(0), st(15), ldxMsh(14), ldIndW(16), ja(1), ldxLen(), retA()));
    }

    static Stream<Arguments> listingErrors() {
        return Stream.of(
                Arguments.of("   \n", -1, -1, "empty listing"),
                Arguments.of("ret #0\nfoo #1", 1, 1, "unknown instruction 'foo'"),
                Arguments.of("(000) ldh [12]\n(002) ret #0", 1, 2, "line number (002)"),
                Arguments.of("ldh [1x]\nret #0", 0, 6, "'1x' is not a number"),
                Arguments.of("ld #4294967296\nret a", 0, 5, "does not fit in 32 bits"),
                Arguments.of("ld M[16]\nret a", 0, 6, "scratch word 16 is out of range"),
                Arguments.of("ldh [12]\njeq #1 jt 0 jf 2\nret #0", 1, 11, "jt target 0 must be after"),
                Arguments.of("jgt x jt 1\nret #0", 0, 5, "expected 'jgt #k jt N jf M'"),
                Arguments.of("ret #0\ntax x", 1, 5, "tax takes no operand"),
                Arguments.of("ldh 12\nret a", 0, 5, "expected 'ldh [k]'"),
                Arguments.of("add 3\nret a", 0, 5, "expected an immediate '#k'"),
                // Found by fuzzing (CbpfFuzzTest): a line number beyond an int threw NumberFormatException.
                Arguments.of("ld [5]\n(3709551616)d", 1, 2, "line number (3709551616) does not match"),
                Arguments.of("ld[5]\nret a", 0, 1, "expected '(NNN) op operand', found 'ld[5]'"),
                Arguments.of("  (12 ret a", 0, 3, "expected '(NNN) op operand'"),
                // Found by fuzzing: blanks inside the operand led the message after "column N:".
                Arguments.of("mod #   9233720368\nret a", 0, 6, "column 6: 9233720368 does not fit in 32 bits"));
    }

    /**
     * Found by fuzzing (CbpfFuzzTest): backtracking regular expressions took seconds on lines of
     * tens of thousands of blanks (and did not return on one of 60,000); lines are now split in one
     * pass.
     */
    @Test
    void longRunsOfBlanksParseInLinearTime() {
        String blanks = " ".repeat(200_000);
        long start = System.nanoTime();
        assertThat(CbpfText.parseListing("(000) ldh" + blanks + "[12]\n(001) jset" + blanks + "x" + blanks + "jt"
                        + blanks + "2\tjf" + blanks + "2\n(002) ret" + blanks + "#0" + blanks))
                .isEqualTo(CbpfProgram.of(
                        CbpfInstruction.ldAbsH(12),
                        CbpfInstruction.jmpX(CbpfInstruction.JSET, 0, 0),
                        CbpfInstruction.retK(0)));
        assertError(
                () -> CbpfText.parseListing("(000) jeq #0x800" + blanks + "jt 2 jf 5 jf 6\nret #0"),
                0,
                11,
                "expected 'jeq #k jt N jf M'");
        assertThat(System.nanoTime() - start).as("nanoseconds").isLessThan(1_000_000_000L);
        assertThat(CbpfText.parseListing("(0000000000000000000000) ret #0\n(00001) ret #1"))
                .isEqualTo(CbpfProgram.of(CbpfInstruction.retK(0), CbpfInstruction.retK(1)));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("listingErrors")
    void listingParseErrorsNameIndexAndColumn(String text, int index, int column, String message) {
        assertError(() -> CbpfText.parseListing(text), index, column, message);
    }

    static Stream<Long> seeds() {
        return LongStream.range(100, 104).boxed();
    }

    static Stream<Arguments> dddErrors() {
        return Stream.of(
                Arguments.of("", -1, -1, "empty text"),
                Arguments.of("x\n6 0 0 0", -1, 1, "count 'x' is not a decimal number"),
                Arguments.of("  0\n", -1, 3, "count 0 is out of range"),
                Arguments.of("5000\n6 0 0 0", -1, 1, "out of range 1..4096"),
                Arguments.of("3\n6 0 0 0\n6 0 0 0", 2, -1, "says 3 instructions but only 2 follow"),
                Arguments.of("1\n6 0 0 0\n6 0 0 0", 1, -1, "says 1 instructions but 2 follow"),
                Arguments.of("2\n6 0 0 0\n6 0 x1 0", 1, 5, "jf 'x1' is not a decimal number (line 3)"),
                Arguments.of("2\n6 0 0 0\n6  0 0 -1", 1, 8, "k '-1' is not a decimal number"),
                Arguments.of("1\n65536 0 0 0", 0, 1, "code 65536 is out of range 0..65535"),
                Arguments.of("1\n6 256 0 0", 0, 3, "jt 256 is out of range 0..255"),
                Arguments.of("1\n6 0 0 4294967296", 0, 7, "k 4294967296 is out of range 0..4294967295"),
                Arguments.of("1\n6 0 0 99999999999999999999999", 0, 7, "out of range"),
                Arguments.of("1\n6 0 0", 0, 6, "missing k: expected four numbers"),
                Arguments.of("1\n\n", 0, -1, "missing: the count says 1 instructions but only 0 follow"),
                Arguments.of("1\n6 0 0 0 7", 0, 9, "unexpected '7' after the four numbers"));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("dddErrors")
    void dddParseErrorsNameIndexAndColumn(String text, int index, int column, String message) {
        assertError(() -> CbpfText.parseDdd(text), index, column, message);
    }

    static Stream<Arguments> bytecodeErrors() {
        return Stream.of(
                Arguments.of("   ", -1, -1, "empty bytecode"),
                Arguments.of("2,6 0 0 0", 1, -1, "says 2 instructions but only 1 follow"),
                Arguments.of("1,6 0 0 0,", 1, -1, "says 1 instructions but 2 follow"),
                Arguments.of("a,6 0 0 0", -1, 1, "count 'a' is not a decimal number"),
                Arguments.of("2,6 0 0 0,6 0 0 0x10", 1, 17, "k '0x10' is not a decimal number"),
                Arguments.of("2,6 0 0 0,6 0 300 0", 1, 15, "jf 300 is out of range 0..255"),
                Arguments.of("2,6 0 0 0,6 0 0", 1, 16, "missing k"),
                Arguments.of("1,", 0, 3, "missing code"),
                Arguments.of("\n\n2,6 0 0 0,6 0 0 0x10", 1, 17, "k '0x10' is not a decimal number"),
                Arguments.of("1,6 0 0 0\n,", 1, -1, "says 1 instructions but 2 follow"));
    }

    /**
     * Found by fuzzing (SignatureFuzzTest, through the oracle's round trip): each field looked for
     * the start of its line from where it stood back to the text's start, so a long comma text
     * took time quadratic in its length (0.3 s for 4,096 instructions).
     */
    @Test
    void longBytecodeParsesInLinearTime() {
        List<CbpfInstruction> instructions = new ArrayList<>();
        for (int i = 0; i < 4095; i++) {
            instructions.add(CbpfInstruction.ldAbsB(i));
        }
        instructions.add(CbpfInstruction.retA());
        CbpfProgram program = new CbpfProgram(instructions);
        String padded = CbpfText.printBytecode(program).replace(",", " ".repeat(1_000) + ",");
        long start = System.nanoTime();
        assertThat(CbpfText.parseBytecode(padded)).isEqualTo(program);
        CbpfException error = catchThrowableOfType(CbpfException.class, () -> CbpfText.parseBytecode(padded + "x"));
        assertThat(error.getMessage()).startsWith("instruction 4095, column " + (padded.length() - 1 + 1) + ": k '0x'");
        assertThat(System.nanoTime() - start).as("nanoseconds").isLessThan(1_000_000_000L);
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("bytecodeErrors")
    void bytecodeParseErrorsNameIndexAndColumn(String text, int index, int column, String message) {
        assertError(() -> CbpfText.parseBytecode(text), index, column, message);
    }

    private static void assertError(Runnable parse, int index, int column, String message) {
        CbpfException error = catchThrowableOfType(CbpfException.class, parse::run);
        assertThat(error).isNotNull();
        assertThat(error.getMessage()).contains(message);
        if (index >= 0) {
            assertThat(error.instructionIndex()).hasValue(index);
            assertThat(error.getMessage()).startsWith("instruction " + index);
        } else {
            assertThat(error.instructionIndex()).isEmpty();
        }
        if (column >= 0) {
            assertThat(error.column()).hasValue(column);
            assertThat(error.getMessage()).contains("column " + column + ":");
        } else {
            assertThat(error.column()).isEmpty();
        }
    }

    static Stream<String> tcpdumpExpressions() {
        return Stream.of(
                "ip",
                "tcp port 80",
                "host 192.0.2.1 and not udp",
                "vlan 5 and ip6",
                "ip[2:2] - ((ip[0]&0xf)<<2) > 20",
                "tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn",
                "len > 100",
                "ip[8] % 3 = 1 or ip[9] ^ 6 = 0 or ip[8] / ip[1] > 2",
                "ip6 protochain 6",
                "arp or (ip and -ip[8] > 5)",
                "portrange 1-1023 and dst net 198.51.100.0/24",
                "greater 200 or icmp[icmptype] = icmp-echo");
    }

    /** Our -ddd, -dd and -d printers reproduce tcpdump's output for the same program. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("tcpdumpExpressions")
    void printsWhatTcpdumpPrints(String expression, @TempDir Path directory) throws IOException {
        Requirements.library(Libpcap.SONAME);
        Requirements.command("tcpdump");
        Path file = directory.resolve("ethernet.pcap");
        writeSample(file, LinkType.EN10MB);
        CbpfProgram program = Libpcap.compile(expression, LinkType.EN10MB);
        String ddd = Command.run("tcpdump", "-ddd", "-r", file.toString(), expression);
        assertThat(CbpfText.printDdd(program)).isEqualTo(ddd);
        assertThat(CbpfText.parseDdd(ddd)).isEqualTo(program);
        assertThat(CbpfText.printC(program))
                .isEqualTo(Command.run("tcpdump", "-dd", "-r", file.toString(), expression));
        String listing = Command.run("tcpdump", "-d", "-r", file.toString(), expression);
        assertThat(CbpfText.printListing(program)).isEqualTo(listing);
        // The listing omits fields an instruction does not use, where libpcap leaves values (tax k=5).
        assertThat(CbpfText.parseListing(listing)).isEqualTo(canonical(program));
    }

    /** Raw IP is DLT_RAW (12) for pcap_open_dead but LINKTYPE_RAW (101) in files; both give one program. */
    @Test
    void rawIpCompilesAsTcpdumpDoesForARawFile(@TempDir Path directory) throws IOException {
        Requirements.library(Libpcap.SONAME);
        Requirements.command("tcpdump");
        Path file = directory.resolve("raw.pcap");
        writeSample(file, LinkType.RAW);
        for (String expression : List.of("ip", "tcp port 80", "ip6 and udp")) {
            CbpfProgram program = Libpcap.compile(expression, LinkType.RAW);
            assertThat(CbpfText.printDdd(program))
                    .isEqualTo(Command.run("tcpdump", "-ddd", "-r", file.toString(), expression));
            assertThat(program).isNotEqualTo(Libpcap.compile(expression, LinkType.EN10MB));
        }
    }

    private static void writeSample(Path file, LinkType linkType) throws IOException {
        try (PcapWriter writer = PcapWriter.create(file, linkType)) {
            PacketCorpus.Packet packet = PacketCorpus.wellFormed(7, 1).getFirst();
            byte[] data = linkType == LinkType.RAW
                    ? java.util.Arrays.copyOfRange(packet.data(), 14, packet.data().length)
                    : packet.data();
            writer.write(0, data, data.length);
        }
        Files.size(file);
    }
}
