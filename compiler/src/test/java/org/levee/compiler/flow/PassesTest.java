package org.levee.compiler.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.levee.cbpf.CbpfInstruction.*;

import java.util.BitSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfException;
import org.levee.cbpf.CbpfInstruction;
import org.levee.cbpf.CbpfProgram;

/** Each compiler pass on small hand-written programs whose right answer is obvious. */
class PassesTest {

    private static Flow flow(CbpfInstruction... program) {
        return JumpNormaliser.normalise(CbpfProgram.of(program));
    }

    @Nested
    class NormaliseJumps {
        @Test
        void relativeOffsetsBecomeAbsoluteTargets() {
            Flow f = flow(ldAbsH(12), jeqK(0x800, 1, 2), retK(1), retK(2), retK(0));
            assertThat(f.get(1)).isEqualTo(new Op(JMP | JEQ | K, 0x800, 3, 4));
        }

        @Test
        void jumpsToJaGoStraightToItsTarget() {
            Flow f = flow(ldAbsB(0), jeqK(1, 0, 1), ja(1), retK(0), retK(7));
            assertThat(f.get(1).jt()).isEqualTo(4);
            assertThat(f.get(1).jf()).isEqualTo(3);
        }

        @Test
        void aConditionalJumpWithEqualTargetsBecomesJa() {
            Flow f = flow(ldAbsB(0), jeqK(1, 0, 0), retK(1));
            assertThat(f.get(1)).isEqualTo(Op.ja(2));
        }

        @Test
        void jumpTargetsAreWhereJumpsGoNotWhereCodeFalls() {
            // 0: ldh [12]; 1: jeq #0x800 -> 2 else 4; 2: ldb [23]; 3: ja 5; 4: ret #0; 5: ret #1
            Flow f = flow(ldAbsH(12), jeqK(0x800, 0, 2), ldAbsB(23), ja(1), retK(0), retK(1));
            assertThat(f.jumpTargets()).isEqualTo(BitSet.valueOf(new long[] {0b110100}));
        }

        @Test
        void badProgramsNameTheInstruction() {
            assertThatThrownBy(() -> flow(ldAbsB(0), jeqK(1, 5, 0), retK(1)))
                    .isInstanceOf(CbpfException.class)
                    .hasMessageStartingWith("instruction 1: jumps to 7");
            assertThatThrownBy(() -> flow(new CbpfInstruction(0xff, 0, 0, 0), retK(1)))
                    .hasMessageStartingWith("instruction 0: unknown opcode 0xff");
            assertThatThrownBy(() -> flow(retK(1), ldAbsB(0)))
                    .hasMessageStartingWith("instruction 1: the last instruction must be a return");
            assertThatThrownBy(() -> flow(ldMem(16), retK(1)))
                    .hasMessageStartingWith("instruction 0: scratch memory index 16");
            assertThatThrownBy(() -> flow(ldAbsW(0xfffff000), retA()))
                    .hasMessageStartingWith("instruction 0: offset 0xfffff000 selects a Linux ancillary field");
            assertThatThrownBy(() -> flow(ja(3), retK(1))).hasMessageStartingWith("instruction 0: ja jumps to 4");
        }
    }

    @Nested
    class DropDeadCode {
        @Test
        void codeThatCanOnlyRejectBecomesRetZeroAndUnreachableCodeGoes() {
            // 0: ldb [0]; 1: jeq #1 -> 2 else 4; 2: ldb [1]; 3: ret #0; 4: ret #1
            Flow f = DeadCode.apply(flow(ldAbsB(0), jeqK(1, 0, 2), ldAbsB(1), retK(0), retK(1)));
            assertThat(f.ops())
                    .containsExactly(Op.plain(LD | B | ABS, 0), new Op(JMP | JEQ | K, 1, 2, 3), Op.retK(0), Op.retK(1));
        }

        @Test
        void divisionByTheConstantZeroNeverMatches() {
            Flow f = DeadCode.apply(flow(ldAbsB(0), divK(0), retK(1)));
            assertThat(f.ops()).containsExactly(Op.retK(0));
        }

        @Test
        void canMatchFollowsEveryPath() {
            boolean[] canMatch = DeadCode.canMatch(flow(ldAbsB(0), jeqK(1, 0, 1), retK(0), retA()));
            assertThat(canMatch).containsExactly(true, true, false, true);
        }
    }

    @Nested
    class ReuseValues {
        @Test
        void aLoadRepeatedAfterAJoinIsDropped() {
            // both paths leave A = [12:2]; reloading it after the join is redundant
            Flow f = ValueReuse.apply(
                    flow(ldAbsH(12), jeqK(1, 0, 1), ldxImm(3), ldAbsH(12), jeqK(2, 0, 1), retK(1), retK(0)));
            assertThat(f.ops()).filteredOn(op -> op.isAbsoluteLoad()).hasSize(1);
        }

        @Test
        void theMshAfterAnEqualComputationIsDropped() {
            // X = ([14] & 0xf) << 2 computed with ALU operations, then ldxb 4*([14]&0xf)
            Flow f = ValueReuse.apply(flow(ldAbsB(14), andK(0xf), lshK(2), tax(), ldxMsh(14), ldIndB(0), retA()));
            assertThat(f.ops()).noneMatch(Op::isMsh);
        }

        @Test
        void anIndirectLoadWithAConstantXBecomesAbsolute() {
            Flow f = ValueReuse.apply(flow(ldxImm(10), ldIndH(4), retA()));
            assertThat(f.ops()).contains(Op.plain(LD | H | ABS, 14));
        }

        @Test
        void aJumpOnConstantsIsDecided() {
            Flow f = DeadCode.apply(ValueReuse.apply(flow(ldImm(5), addK(3), jeqK(8, 0, 1), retK(1), retK(0))));
            assertThat(f.ops()).containsExactly(Op.plain(LD | W | IMM, 5), Op.plain(ALU | ADD | K, 3), Op.retK(1));
        }
    }

    @Nested
    class ZeroInitialisation {
        @Test
        void onlySlotsReadBeforeWrittenOnSomePathAreZeroed() {
            // A is read at 0 (add) before any write; X is written (ldx #1) before it is read;
            // M[3] is read on the path where 2 jumps over the store.
            Flow f = flow(addK(1), ldxImm(1), jeqK(0, 0, 1), st(3), ldMem(3), aluX(ADD), retA());
            BitSet zero = Initialisation.slotsToZero(f);
            assertThat(zero.get(Values.A_SLOT)).isTrue();
            assertThat(zero.get(Values.X_SLOT)).isFalse();
            assertThat(zero.get(2 + 3)).isTrue();
            assertThat(zero.cardinality()).isEqualTo(2);
        }

        @Test
        void aStoreOnEveryPathNeedsNoZeroing() {
            Flow f = flow(ldAbsB(0), st(2), ldMem(2), retA());
            assertThat(Initialisation.slotsToZero(f).isEmpty()).isTrue();
        }
    }

    @Nested
    class DivisionByZeroGuards {
        @Test
        void aConstantNonZeroXNeedsNoGuard() {
            assertThat(DivisionGuards.needed(flow(ldAbsB(0), ldxImm(5), aluX(DIV), retA()))
                            .isEmpty())
                    .isTrue();
        }

        @Test
        void xFromThePacketNeedsOneGuardAndThenNoMore() {
            Flow f = flow(ldAbsB(0), tax(), ldAbsB(1), aluX(DIV), aluX(MOD), retA());
            assertThat(DivisionGuards.needed(f).stream().boxed().toList()).containsExactly(3);
        }

        @Test
        void aBranchThatExcludesZeroRemovesTheGuard() {
            // if A > 0: X = A; A /= X
            Flow f = flow(ldAbsB(0), jgtK(0, 0, 3), tax(), aluX(DIV), retA(), retK(0));
            assertThat(DivisionGuards.needed(f).isEmpty()).isTrue();
        }
    }

    @Nested
    class BoundsGuards {
        @Test
        void oneGuardAtTheStartCoversEveryMatchingPath() {
            // ip and ip[9] = 6: [12:2] then [23]; the rejecting branch needs nothing
            Flow f = flow(ldAbsH(12), jeqK(0x800, 0, 3), ldAbsB(23), jeqK(6, 0, 1), retK(1), retK(0));
            PacketGuards.Plan plan = PacketGuards.plan(f, Values.analyse(f));
            assertThat(plan.guard()).containsExactly(24, 0, 0, 0, 0, 0);
        }

        @Test
        void aPathThatMatchesWithFewerBytesKeepsTheLaterGuardSeparate() {
            // [12:2] == 1 matches at once; otherwise [40] is needed
            Flow f = flow(ldAbsH(12), jeqK(1, 2, 0), ldAbsB(40), retA(), retK(1));
            PacketGuards.Plan plan = PacketGuards.plan(f, Values.analyse(f));
            assertThat(plan.guard()[0]).isEqualTo(14);
            assertThat(plan.guard()[2]).isEqualTo(41);
        }

        @Test
        void indirectLoadsWithTheSameXShareAPointerAndGrowItsGuard() {
            Flow f = flow(ldxMsh(14), ldIndH(14), jeqK(53, 2, 0), ldIndH(16), retA(), retK(1));
            PacketGuards.Plan plan = PacketGuards.plan(f, Values.analyse(f));
            assertThat(plan.guard()[0]).isEqualTo(15);
            assertThat(plan.guard()[1]).isEqualTo(16);
            assertThat(plan.guard()[3]).isEqualTo(18);
            assertThat(plan.pointerBefore()[3]).isEqualTo(16);
        }

        @Test
        void aLoadPastAnyXdpPacketNeverSucceeds() {
            Flow f = flow(ldAbsB(70000), retA());
            assertThat(PacketGuards.plan(f, Values.analyse(f)).guard()[0]).isEqualTo(PacketGuards.FAILS);
        }
    }

    @Nested
    class NetworkByteOrder {
        @Test
        void aLoadComparedOnlyWithConstantsStaysRaw() {
            Flow f = flow(ldAbsH(12), jeqK(0x800, 0, 1), retK(1), retK(0));
            ByteOrder.Decision d = ByteOrder.decide(f);
            assertThat(d.rawLoads().get(0)).isTrue();
            assertThat(d.rawJumps().get(1)).isTrue();
            assertThat(ByteOrder.swapped(0x800, 2)).isEqualTo(0x0008);
            assertThat(ByteOrder.swapped(0x12345678, 4)).isEqualTo(0x78563412);
        }

        @Test
        void aLoadUsedInArithmeticIsSwapped() {
            Flow f = flow(ldAbsH(16), subK(20), jgtK(100, 0, 1), retK(1), retK(0));
            assertThat(ByteOrder.decide(f).rawLoads().isEmpty()).isTrue();
        }

        @Test
        void aJumpReachedByASwappedValueSwapsEveryValueReachingIt() {
            // A = [12:2] or A = [14:2] + 1 meet at one jeq: the second must be swapped, so the first too
            Flow f = flow(
                    ldAbsB(0), jeqK(1, 0, 2), ldAbsH(12), ja(2), ldAbsH(14), addK(1), jeqK(5, 0, 1), retK(1), retK(0));
            ByteOrder.Decision d = ByteOrder.decide(f);
            assertThat(d.rawLoads().isEmpty()).isTrue();
            assertThat(d.rawJumps().isEmpty()).isTrue();
        }

        @Test
        void aSixteenBitValueNeverEqualsAConstantAbove65535() {
            int swapped = ByteOrder.swapped(0x10800, 2);
            assertThat(swapped & 0xffff0000).isNotZero();
        }
    }

    @Test
    void withoutRenumbersJumpsPastRemovedInstructions() {
        Flow f = flow(ldAbsB(0), jeqK(1, 0, 1), addK(1), addK(2), retA());
        BitSet removed = new BitSet();
        removed.set(2);
        // jf pointed at the removed instruction 2: it now goes to what followed it
        assertThat(f.without(removed).get(1)).isEqualTo(new Op(JMP | JEQ | K, 1, 2, 2));
        assertThat(f.without(removed).size()).isEqualTo(4);
    }
}
