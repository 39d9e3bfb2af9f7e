package org.levee.ebpf.asm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DisassemblerTest {

    /** Expected text in the format of kernel/bpf/disasm.c, one case per class and form. */
    static Stream<Arguments> everyClass() {
        return Stream.of(
                // ALU64 and ALU
                Arguments.of(mov64(R0, 2), "(b7) r0 = 2"),
                Arguments.of(mov64(R6, R1), "(bf) r6 = r1"),
                Arguments.of(add64(R1, -8), "(07) r1 += -8"),
                Arguments.of(alu32(AluOp.AND, R2, R3), "(5c) w2 &= w3"),
                Arguments.of(alu32(AluOp.LSH, R2, 3), "(64) w2 <<= 3"),
                Arguments.of(arsh64(R4, 1), "(c7) r4 s>>= 1"),
                Arguments.of(neg64(R1), "(87) r1 = -r1"),
                Arguments.of(neg32(R1), "(84) w1 = -w1"),
                Arguments.of(sdiv64(R1, R2), "(3f) r1 s/= r2"),
                Arguments.of(signed32(AluOp.MOD, R1, 7), "(94) w1 s%= 7"),
                Arguments.of(movsx64(R1, R2, 32), "(bf) r1 = (s32)r2"),
                Arguments.of(movsx32(R1, R2, 8), "(bc) w1 = (s8)w2"),
                Arguments.of(toBigEndian(R3, 16), "(dc) r3 = be16 r3"),
                Arguments.of(toLittleEndian(R3, 64), "(d4) r3 = le64 r3"),
                Arguments.of(byteSwap(R3, 32), "(d7) r3 = bswap32 r3"),
                Arguments.of(addrSpaceCast(R1, R2, 0, 1), "(bf) r1 = addr_space_cast(r2, 0, 1)"),
                Arguments.of(new Instruction(0xbf, 0, 0, -1, 0), "(bf) r0 = &(void __percpu *)(r0)"),
                Arguments.of(new Instruction(0xc2, 0, 0, 0, 0), "(c2) nospec"),
                // JMP and JMP32
                Arguments.of(jeqImm(R2, 0, 3), "(15) if r2 == 0x0 goto pc+3"),
                Arguments.of(jneImm(R2, -1, -4), "(55) if r2 != 0xffffffff goto pc-4"),
                Arguments.of(jgtReg(R1, R2, 0), "(2d) if r1 > r2 goto pc+0"),
                Arguments.of(jump32(JumpOp.JSLE, R1, 5, 2), "(d6) if w1 s<= 0x5 goto pc+2"),
                Arguments.of(jump32(JumpOp.JSET, R1, R9, 2), "(4e) if w1 & w9 goto pc+2"),
                Arguments.of(ja(-1), "(05) goto pc-1"),
                Arguments.of(gotol(100_000), "(06) gotol pc+100000"),
                Arguments.of(mayGoto(4), "(e5) may_goto pc+4"),
                Arguments.of(call(Helper.MAP_LOOKUP_ELEM), "(85) call bpf_map_lookup_elem#1"),
                Arguments.of(call(Helper.RINGBUF_RESERVE), "(85) call bpf_ringbuf_reserve#131"),
                Arguments.of(callHelper(5000), "(85) call unknown#5000"),
                Arguments.of(callSubprogram(7), "(85) call pc+7"),
                Arguments.of(callKfunc(1234, 0), "(85) call kernel-function#1234"),
                Arguments.of(exit(), "(95) exit"),
                // LD
                Arguments.of(ldImm64(R1, 0xdead_beef_0000_0001L), "(18) r1 = 0xdeadbeef00000001"),
                Arguments.of(ldImm64(R1, -1), "(18) r1 = 0xffffffffffffffff"),
                Arguments.of(ldMapFd(R1, 5), "(18) r1 = map[fd:5]"),
                Arguments.of(ldMapValue(R2, 5, 16), "(18) r2 = map[fd:5][0]+16"),
                Arguments.of(ldAbs(Size.H, 12), "(28) r0 = *(u16 *)skb[12]"),
                Arguments.of(ldInd(Size.B, R7, 14), "(50) r0 = *(u8 *)skb[r7 + 14]"),
                // LDX
                Arguments.of(ldxW(R2, R1, 4), "(61) r2 = *(u32 *)(r1 +4)"),
                Arguments.of(ldxDW(R2, R10, -16), "(79) r2 = *(u64 *)(r10 -16)"),
                Arguments.of(ldxSigned(Size.B, R2, R1, 0), "(91) r2 = *(s8 *)(r1 +0)"),
                // ST and STX
                Arguments.of(st(Size.W, R10, -4, 0), "(62) *(u32 *)(r10 -4) = 0"),
                Arguments.of(stxDW(R10, -8, R1), "(7b) *(u64 *)(r10 -8) = r1"),
                Arguments.of(stxH(R1, 2, R3), "(6b) *(u16 *)(r1 +2) = r3"),
                Arguments.of(atomicAdd(Size.DW, R1, 0, R2), "(db) lock *(u64 *)(r1 +0) += r2"),
                Arguments.of(atomic(AtomicOp.XOR, Size.W, R1, 4, R2), "(c3) lock *(u32 *)(r1 +4) ^= r2"),
                Arguments.of(atomicFetchAdd(Size.DW, R1, 0, R2), "(db) r2 = atomic64_fetch_add((u64 *)(r1 +0), r2)"),
                Arguments.of(
                        atomic(AtomicOp.FETCH_OR, Size.W, R1, 0, R2), "(c3) r2 = atomic_fetch_or((u32 *)(r1 +0), r2)"),
                Arguments.of(atomicXchg(Size.DW, R1, 8, R3), "(db) r3 = atomic64_xchg((u64 *)(r1 +8), r3)"),
                Arguments.of(atomicCmpxchg(Size.DW, R1, 0, R2), "(db) r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)"),
                Arguments.of(atomicCmpxchg(Size.W, R1, 0, R2), "(c3) r0 = atomic_cmpxchg((u32 *)(r1 +0), r0, r2)"),
                Arguments.of(loadAcquire(Size.B, R0, R1, 2), "(d3) r0 = load_acquire((u8 *)(r1 +2))"),
                Arguments.of(storeRelease(Size.H, R1, 2, R3), "(cb) store_release((u16 *)(r1 +2), r3)"));
    }

    @ParameterizedTest
    @MethodSource("everyClass")
    void formatsLikeTheKernel(Instruction instruction, String expected) {
        assertThat(new Disassembler().format(instruction)).isEqualTo(expected);
    }

    @Test
    void numbersSlotsSkippingTheSecondHalfOfLdImm64() {
        List<Instruction> program = List.of(
                mov64(R0, 2), ldxW(R2, R1, 4), jeqImm(R2, 0, 3), ldMapFd(R1, 5), call(Helper.MAP_LOOKUP_ELEM), exit());
        assertThat(Disassembler.forKernelDump().disassemble(program)).isEqualTo("""
                0: (b7) r0 = 2
                1: (61) r2 = *(u32 *)(r1 +4)
                2: (15) if r2 == 0x0 goto pc+3
                3: (18) r1 = map[id:5]
                5: (85) call bpf_map_lookup_elem#1
                6: (95) exit
                """);
    }

    @Test
    void showsLabelsAndSymbolsOfAnAssembledProgram() {
        AssembledProgram program = new Assembler()
                .ldImm64(R1, "rule_7_enabled")
                .jeqImm(R1, 0, "pass")
                .ldMap(R1, "counters")
                .label("drop")
                .emit(mov64(R0, 1))
                .ja("exit")
                .label("pass")
                .emit(mov64(R0, 2))
                .label("exit")
                .emit(exit())
                .assemble();
        assertThat(new Disassembler().disassemble(program)).isEqualTo("""
                0: (18) r1 = const[rule_7_enabled]
                2: (15) if r1 == 0x0 goto pc+4 <pass>
                3: (18) r1 = map[counters]
                drop:
                5: (b7) r0 = 1
                6: (05) goto pc+1 <exit>
                pass:
                7: (b7) r0 = 2
                exit:
                8: (95) exit
                """);
    }

    /** Every valid instruction has a text (no BUG_ fallbacks), starting with its opcode. */
    @ParameterizedTest
    @ValueSource(longs = {31, 32})
    void everyRandomInstructionDisassembles(long seed) {
        RandomInstructions random = new RandomInstructions(seed);
        Disassembler disassembler = new Disassembler();
        for (Instruction instruction : random.program(SpecOpcodes.ALL, 3_000)) {
            assertThat(disassembler.format(instruction))
                    .startsWith(String.format("(%02x) ", instruction.opcode()))
                    .doesNotContain("null");
        }
    }
}
