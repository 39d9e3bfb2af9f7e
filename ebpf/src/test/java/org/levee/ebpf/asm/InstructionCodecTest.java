package org.levee.ebpf.asm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.levee.ebpf.asm.Register.*;

import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class InstructionCodecTest {

    /** Encodings worked out by hand from the instruction-set document's field layout. */
    static Stream<Arguments> golden() {
        return Stream.of(
                Arguments.of(Instruction.mov64(R0, 2), "b700000002000000"),
                Arguments.of(Instruction.ldxW(R2, R1, 4), "6112040000000000"),
                Arguments.of(Instruction.jeqImm(R2, 0, 3), "1502030000000000"),
                Arguments.of(Instruction.ja(-2), "0500feff00000000"),
                Arguments.of(Instruction.gotol(-70000), "0600000090eefeff"),
                Arguments.of(Instruction.ldMapFd(R1, 5), "18110000050000000000000000000000"),
                Arguments.of(Instruction.ldImm64(R3, 0x1122334455667788L), "18030000887766550000000044332211"),
                Arguments.of(Instruction.call(Helper.MAP_LOOKUP_ELEM), "8500000001000000"),
                Arguments.of(Instruction.exit(), "9500000000000000"),
                Arguments.of(Instruction.stxDW(R10, -8, R1), "7b1af8ff00000000"),
                Arguments.of(Instruction.st(Size.W, R10, -4, -1), "620afcffffffffff"),
                Arguments.of(Instruction.atomicFetchAdd(Size.DW, R1, 0, R2), "db21000001000000"),
                Arguments.of(Instruction.atomicCmpxchg(Size.W, R1, 8, R2), "c3210800f1000000"),
                Arguments.of(Instruction.toBigEndian(R4, 16), "dc04000010000000"),
                Arguments.of(Instruction.byteSwap(R4, 64), "d704000040000000"),
                Arguments.of(Instruction.movsx64(R1, R2, 8), "bf21080000000000"),
                Arguments.of(Instruction.sdiv64(R1, 3), "3701010003000000"),
                Arguments.of(Instruction.ldxSigned(Size.H, R0, R1, 2), "8910020000000000"),
                Arguments.of(Instruction.jump32(JumpOp.JSLT, R1, R2, 7), "ce21070000000000"),
                Arguments.of(Instruction.ldAbs(Size.H, 12), "280000000c000000"),
                Arguments.of(Instruction.callKfunc(1234, 1), "85200100d2040000"));
    }

    @ParameterizedTest
    @MethodSource("golden")
    void encodesAsWorkedOutByHand(Instruction instruction, String hex) {
        byte[] bytes = InstructionCodec.encode(List.of(instruction));
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(hex);
        assertThat(InstructionCodec.decode(HexFormat.of().parseHex(hex))).containsExactly(instruction);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void randomProgramsRoundTripExactly(long seed) {
        RandomInstructions random = new RandomInstructions(seed);
        List<Instruction> program = random.program(SpecOpcodes.ALL, 2_000);

        byte[] bytes = InstructionCodec.encode(program);
        long[] slots = InstructionCodec.encodeToLongs(program);

        assertThat(bytes).hasSize(8 * InstructionCodec.slotCount(program));
        assertThat(InstructionCodec.decode(bytes)).isEqualTo(program);
        assertThat(InstructionCodec.decode(slots)).isEqualTo(program);
        // Re-encoding the decoded bytes gives the same bytes: the format has one encoding per instruction.
        assertThat(InstructionCodec.encode(InstructionCodec.decode(bytes))).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12})
    void everyOpcodeOfTheSpecificationHasValidInstructions(long seed) {
        RandomInstructions random = new RandomInstructions(seed);
        for (int opcode : SpecOpcodes.ALL) {
            Instruction instruction = random.withOpcode(opcode, 20_000);
            assertThat(instruction).as("opcode 0x%02x", opcode).isNotNull();
            assertThat(InstructionCodec.decode(InstructionCodec.encode(List.of(instruction))))
                    .containsExactly(instruction);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22})
    void opcodesOutsideTheSpecificationAreRejected(long seed) {
        RandomInstructions random = new RandomInstructions(seed);
        for (int opcode = 0; opcode < 256; opcode++) {
            if (!SpecOpcodes.contains(opcode)) {
                assertThat(random.withOpcode(opcode, 500))
                        .as("opcode 0x%02x", opcode)
                        .isNull();
                byte[] bytes =
                        InstructionCodec.encode(List.of(Instruction.exit(), Instruction.exit(), Instruction.exit()));
                bytes[16] = (byte) opcode;
                int unknown = opcode;
                assertThatThrownBy(() -> InstructionCodec.decode(bytes))
                        .isInstanceOf(InstructionFormatException.class)
                        .hasMessageStartingWith("slot 2: ")
                        .hasMessageContaining(String.format("0x%02x", unknown))
                        .satisfies(e -> assertThat(((InstructionFormatException) e).slot())
                                .isEqualTo(2));
            }
        }
    }

    /** Random bytes decode, or fail with the slot of the first bad instruction; nothing else. */
    @ParameterizedTest
    @ValueSource(longs = {41, 42, 43})
    void randomBytesDecodeOrFailWithTheirSlot(long seed) {
        java.util.Random random = new java.util.Random(seed);
        int decoded = 0;
        for (int i = 0; i < 3_000; i++) {
            byte[] bytes = new byte[8 * (1 + random.nextInt(3))];
            random.nextBytes(bytes);
            bytes[0] = (byte) SpecOpcodes.ALL[random.nextInt(SpecOpcodes.ALL.length)]; // mostly defined opcodes
            try {
                List<Instruction> instructions = InstructionCodec.decode(bytes);
                assertThat(InstructionCodec.encode(instructions)).isEqualTo(bytes);
                decoded++;
            } catch (InstructionFormatException e) {
                assertThat(e.slot()).isBetween(0, bytes.length / 8 - 1);
                assertThat(e.getMessage()).startsWith("slot " + e.slot() + ": ");
            }
        }
        assertThat(decoded).as("some random slots are valid instructions").isPositive();
    }

    @Test
    void slotArraysAreLittleEndianBytes() {
        List<Instruction> program = List.of(Instruction.ldImm64(R1, -2), Instruction.exit());
        long[] slots = InstructionCodec.encodeToLongs(program);
        assertThat(slots).containsExactly(0xfffffffe_00000118L, 0xffffffff_00000000L, 0x95L);
    }

    @Test
    void rejectsTruncatedLdImm64() {
        byte[] bytes = InstructionCodec.encode(List.of(Instruction.exit(), Instruction.ldImm64(R1, 7)));
        byte[] truncated = java.util.Arrays.copyOf(bytes, 16);
        assertThatThrownBy(() -> InstructionCodec.decode(truncated))
                .isInstanceOf(InstructionFormatException.class)
                .hasMessage("slot 1: ld_imm64 needs two slots but the program ends");
    }

    @Test
    void rejectsMalformedSecondSlotOfLdImm64() {
        byte[] bytes = InstructionCodec.encode(List.of(Instruction.ldImm64(R1, 7)));
        bytes[9] = 0x01; // a register in the second slot
        assertThatThrownBy(() -> InstructionCodec.decode(bytes))
                .isInstanceOf(InstructionFormatException.class)
                .hasMessageStartingWith("slot 1: second slot of ld_imm64");
    }

    @Test
    void rejectsPartialSlot() {
        assertThatThrownBy(() -> InstructionCodec.decode(new byte[12]))
                .isInstanceOf(InstructionFormatException.class)
                .hasMessageContaining("length 12 bytes is not a multiple of 8");
    }

    @Test
    void rejectsReservedFieldsLikeTheKernel() {
        assertThatThrownBy(() -> new Instruction(0x95, 0, 0, 0, 1))
                .hasMessageContaining("opcode 0x95")
                .hasMessageContaining("imm must be 0");
        assertThatThrownBy(() -> new Instruction(0xbf, 11, 1, 0, 0)).hasMessageContaining("dst 11 is not a register");
        assertThatThrownBy(() -> Instruction.byteSwap(R1, 24)).hasMessageContaining("byte swap width 24");
        assertThatThrownBy(() -> Instruction.movsx32(R1, R2, 32)).hasMessageContaining("MOVSX is not 8 or 16");
        assertThatThrownBy(() -> Instruction.atomicAdd(Size.B, R1, 0, R2))
                .hasMessageContaining("defined only for sizes W and DW");
        assertThatThrownBy(() -> new Instruction(0x07, 1, 0, 0, 1L << 32))
                .hasMessageContaining("does not fit in 32 bits");
        assertThatThrownBy(() -> Instruction.ldImm64(R1, LoadSource.MAP_FD, 1L << 32 | 5))
                .hasMessageContaining("high 32 bits of a map fd or index load must be 0, are 1");
    }
}
