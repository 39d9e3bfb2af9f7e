package org.levee.cbpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.testing.ProgramOracle;
import org.levee.cbpf.testing.RandomPrograms;
import org.levee.testing.Requirements;
import org.levee.testing.fuzz.FuzzFamily;
import org.levee.testing.fuzz.FuzzRunner;

/**
 * Fuzzes classic BPF as Levee reads it: the {@code tcpdump -ddd} text, the comma bytecode, the
 * {@code tcpdump -d} listing, and raw {@code struct sock_filter} arrays straight into the
 * validator. Every parse error and every refusal of the validator must be a {@link CbpfException}
 * naming the instruction (and the column, for text); every program that gets through must run in
 * the interpreter, agree with libpcap's interpreter and read back from its text forms
 * ({@link ProgramOracle}).
 */
@Tag("fuzz")
class CbpfFuzzTest {
    /** Every message of a text parser or of the validator starts by saying where. */
    static final String WHERE = "^(instruction \\d+(, column \\d+)?: |instruction count, column \\d+: "
            + "|empty (text|bytecode|listing): |the program (is empty|has \\d+ instructions))\\S";

    /** Real tcpdump -ddd output ('tcp port 80', 'ip6 and udp dst port 53', a TCP flags test, VLAN and arithmetic). */
    private static final List<String> TCPDUMP_DDD = List.of(
            "20|40 0 0 12|21 0 6 34525|48 0 0 20|21 0 15 6|40 0 0 54|21 12 0 80|40 0 0 56|21 10 11 80|21 0 10 2048|"
                    + "48 0 0 23|21 0 8 6|40 0 0 20|69 6 0 8191|177 0 0 14|72 0 0 14|21 2 0 80|72 0 0 16|21 0 1 80|"
                    + "6 0 0 262144|6 0 0 0|",
            "8|40 0 0 12|21 0 5 34525|48 0 0 20|21 0 3 17|40 0 0 56|21 0 1 53|6 0 0 262144|6 0 0 0|",
            "12|40 0 0 12|21 0 9 2048|48 0 0 23|21 0 7 6|40 0 0 20|69 5 0 8191|177 0 0 14|80 0 0 27|84 0 0 18|"
                    + "21 0 1 2|6 0 0 262144|6 0 0 0|",
            "17|40 0 0 12|21 2 0 33024|21 1 0 34984|21 0 12 37120|40 0 0 16|21 0 10 2048|40 0 0 20|2 0 0 1|48 0 0 18|"
                    + "84 0 0 15|100 0 0 2|7 0 0 5|96 0 0 1|28 0 0 0|37 0 1 20|6 0 0 262144|6 0 0 0|");

    @BeforeAll
    static void requireLibpcap() {
        Requirements.library(Libpcap.SONAME);
    }

    /** The tcpdump programs and seeded random valid ones, of 2 to 60 instructions. */
    static List<CbpfProgram> seedPrograms() {
        List<CbpfProgram> programs = new ArrayList<>();
        for (String ddd : TCPDUMP_DDD) {
            programs.add(CbpfText.parseDdd(ddd.replace('|', '\n')));
        }
        Random random = new Random(0xC8BF);
        for (int i = 0; i < 28; i++) {
            programs.add(RandomPrograms.validProgram(random, 2 + random.nextInt(59)));
        }
        return programs;
    }

    private static List<String> seeds(Function<CbpfProgram, String> print) {
        return seedPrograms().stream().map(print).toList();
    }

    @Test
    void tcpdumpDddText() {
        FuzzRunner.run(FuzzFamily.text("cBPF tcpdump -ddd text")
                        .seeds(seeds(CbpfText::printDdd))
                        .dictionary(
                                " ",
                                "\n",
                                "\r\n",
                                "\t",
                                "6 0 0 0",
                                "0",
                                "255",
                                "256",
                                "65535",
                                "65536",
                                "4294967295",
                                "4096",
                                "4097")
                        .target(text -> ProgramOracle.check(CbpfText.parseDdd(text)))
                        .rejects(CbpfException.class, WHERE)
                        .nativeCode()
                        .build())
                .assertNoCrashes();
    }

    @Test
    void commaBytecode() {
        FuzzRunner.run(FuzzFamily.text("cBPF comma bytecode")
                        .seeds(seeds(CbpfText::printBytecode))
                        .dictionary(
                                ",", " ", ",6 0 0 0", "0", "255", "256", "65535", "65536", "4294967295", "4096", "4097")
                        .target(text -> ProgramOracle.check(CbpfText.parseBytecode(text)))
                        .rejects(CbpfException.class, WHERE)
                        .nativeCode()
                        .build())
                .assertNoCrashes();
    }

    @Test
    void tcpdumpListing() {
        FuzzRunner.run(FuzzFamily.text("cBPF tcpdump -d listing")
                        .seeds(seeds(CbpfText::printListing))
                        .dictionary(
                                "ld", "ldh", "ldb", "ldx", "ldxb", "st", "stx", "ja", "jeq", "jgt", "jge", "jset",
                                "add", "sub", "mul", "div", "mod", "and", "or", "xor", "lsh", "rsh", "neg", "tax",
                                "txa", "ret", "#pktlen", "#len", "M[", "[x + ", "[", "]", "4*([", "]&0xf)", "jt", "jf",
                                "x", "a", "#", "#0x", "(000)", "(", ")", "\n")
                        .target(text -> {
                            CbpfProgram program = CbpfText.parseListing(text);
                            ProgramOracle.check(program);
                            // Fields a listing does not show are 0 in what it reads, so it reads back losslessly.
                            if (!CbpfText.parseListing(CbpfText.printListing(program))
                                    .equals(program)) {
                                throw new AssertionError("the listing does not read back to the program:\n" + program);
                            }
                        })
                        .rejects(CbpfException.class, WHERE)
                        .nativeCode()
                        .build())
                .assertNoCrashes();
    }

    /** {@code struct sock_filter} arrays (code u16, jt u8, jf u8, k u32, little-endian) as setsockopt takes them. */
    @Test
    void rawProgramsThroughTheValidatorAndTheInterpreter() {
        FuzzRunner.run(FuzzFamily.bytes("cBPF programs (validator, interpreter)")
                        .seeds(seedPrograms().stream()
                                .map(CbpfFuzzTest::sockFilters)
                                .toList())
                        .target(bytes -> ProgramOracle.check(program(bytes)))
                        .rejects(
                                CbpfException.class,
                                "^(instruction \\d+: |the program (is empty|has \\d+ instructions))\\S")
                        .nativeCode()
                        .build())
                .assertNoCrashes();
    }

    static byte[] sockFilters(CbpfProgram program) {
        ByteBuffer out = ByteBuffer.allocate(8 * program.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (CbpfInstruction insn : program.instructions()) {
            out.putShort((short) insn.code())
                    .put((byte) insn.jt())
                    .put((byte) insn.jf())
                    .putInt(insn.k());
        }
        return out.array();
    }

    /** The whole instructions of {@code bytes}; a trailing part of one is ignored, as a count would leave it. */
    static CbpfProgram program(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<CbpfInstruction> instructions = new ArrayList<>();
        for (int at = 0; at + 8 <= bytes.length; at += 8) {
            instructions.add(new CbpfInstruction(
                    Short.toUnsignedInt(in.getShort(at)),
                    Byte.toUnsignedInt(in.get(at + 2)),
                    Byte.toUnsignedInt(in.get(at + 3)),
                    in.getInt(at + 4)));
        }
        return new CbpfProgram(instructions);
    }
}
