package org.levee.compiler.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.cbpf.CbpfInstruction.*;

import org.junit.jupiter.api.Test;
import org.levee.compiler.flow.Value.Alu;
import org.levee.compiler.flow.Value.Const;
import org.levee.compiler.flow.Value.Load;
import org.levee.compiler.flow.Value.Unknown;

/** What a filter's tests tell the filters after it: recorded, derived, joined, forgotten. */
class KnowledgeTest {
    private static final Value ETHERTYPE = new Load(2, 12);
    private static final Value PROTOCOL = new Load(1, 23);
    private static final Value IHL = new Alu(LSH, new Alu(AND, new Load(1, 14), new Const(0xf)), new Const(2));

    private static Predicate eq(Value v, int k) {
        return new Predicate(JEQ, v, new Const(k));
    }

    @Test
    void anOutcomeIsKnownAsRecordedAndAPinnedValueDecidesEveryTestOfIt() {
        Knowledge ipv4 = Knowledge.NOTHING.with(eq(ETHERTYPE, 0x800), true);
        assertThat(ipv4.decide(eq(ETHERTYPE, 0x800))).isTrue();
        assertThat(ipv4.decide(eq(ETHERTYPE, 0x86dd))).isFalse();
        assertThat(ipv4.decide(new Predicate(JGT, ETHERTYPE, new Const(0x7ff)))).isTrue();
        assertThat(ipv4.decide(new Predicate(JSET, ETHERTYPE, new Const(0x100))))
                .isFalse();
        assertThat(ipv4.decide(eq(PROTOCOL, 17))).isNull();
        Knowledge notIpv4 = Knowledge.NOTHING.with(eq(ETHERTYPE, 0x800), false);
        assertThat(notIpv4.decide(eq(ETHERTYPE, 0x86dd)))
                .as("an exclusion decides only its own test")
                .isNull();
    }

    @Test
    void onlyStatementsAboutThePacketAreKept() {
        Predicate unknown = eq(new Unknown(3, Values.A_SLOT), 1);
        assertThat(Knowledge.NOTHING.with(unknown, true)).isSameAs(Knowledge.NOTHING);
        assertThat(Knowledge.NOTHING.withPointerShort(new Unknown(3, Values.X_SLOT), 18))
                .isSameAs(Knowledge.NOTHING);
    }

    @Test
    void failedGuardsRuleOutEveryLargerOne() {
        Knowledge shortPacket = Knowledge.NOTHING.withShorterThan(34);
        assertThat(shortPacket.guardFails(null, 34)).isTrue();
        assertThat(shortPacket.guardFails(null, 58)).isTrue();
        assertThat(shortPacket.guardFails(null, 33)).isFalse();
        Knowledge shortTransport = Knowledge.NOTHING.withPointerShort(IHL, 18);
        assertThat(shortTransport.guardFails(IHL, 18)).isTrue();
        assertThat(shortTransport.guardFails(IHL, 16)).isFalse();
        assertThat(shortTransport.guardFails(PROTOCOL, 18)).isFalse();
    }

    @Test
    void theTwoSidesOfATestJoinIntoWhatWasKnownBefore() {
        Knowledge before = Knowledge.NOTHING.with(eq(ETHERTYPE, 0x800), true);
        Knowledge udp = before.with(eq(PROTOCOL, 17), true);
        Knowledge notUdp = before.with(eq(PROTOCOL, 17), false);
        assertThat(udp.intersect(notUdp)).isEqualTo(before);
        assertThat(udp.intersect(udp.with(eq(new Load(2, 20), 0), true))).isEqualTo(udp);
    }

    @Test
    void aJoinKeepsWhatBothPathsKnowHoweverTheyLearnedIt() {
        // one path pinned the EtherType to IPv6, the other only learned it is not IPv4
        Knowledge ipv6 = Knowledge.NOTHING.with(eq(ETHERTYPE, 0x86dd), true).with(eq(PROTOCOL, 6), true);
        Knowledge notIpv4 = Knowledge.NOTHING.with(eq(ETHERTYPE, 0x800), false).with(eq(PROTOCOL, 6), true);
        Knowledge both = ipv6.intersect(notIpv4);
        assertThat(both.decide(eq(ETHERTYPE, 0x800))).isFalse();
        assertThat(both.decide(eq(PROTOCOL, 6))).isTrue();
        assertThat(both.decide(eq(ETHERTYPE, 0x86dd))).isNull();
        assertThat(notIpv4.intersect(ipv6)).isEqualTo(both);
    }

    @Test
    void equalKnowledgeIsEqualHoweverItWasBuilt() {
        Knowledge oneByOne = Knowledge.NOTHING;
        for (int i = 0; i < 40; i++) { // past the depth at which outcomes are gathered into a map
            oneByOne = oneByOne.with(eq(new Load(1, i), i), i % 2 == 0);
        }
        Knowledge reversed = Knowledge.NOTHING;
        for (int i = 39; i >= 0; i--) {
            reversed = reversed.with(eq(new Load(1, i), i), i % 2 == 0);
        }
        assertThat(oneByOne).isEqualTo(reversed).hasSameHashCodeAs(reversed);
        assertThat(oneByOne.size()).isEqualTo(40);
        assertThat(oneByOne.decide(eq(new Load(1, 0), 0))).isTrue();
        assertThat(oneByOne.decide(eq(new Load(1, 39), 39))).isFalse();
    }

    @Test
    void retainKeepsWhatCodeYetToRunUsesAndDropsWhatAPinDecides() {
        Knowledge known = Knowledge.NOTHING
                .with(eq(ETHERTYPE, 0x800), false)
                .with(eq(ETHERTYPE, 0x86dd), true)
                .with(eq(PROTOCOL, 17), true)
                .withShorterThan(60);
        Knowledge.Relevance onlyEthertype = new Knowledge.Relevance() {
            @Override
            public boolean tests(Predicate p) {
                return p.a().equals(ETHERTYPE);
            }

            @Override
            public boolean uses(Value v) {
                return v.equals(ETHERTYPE);
            }

            @Override
            public boolean loads() {
                return false;
            }
        };
        Knowledge kept = known.retain(onlyEthertype);
        assertThat(kept).isEqualTo(Knowledge.NOTHING.with(eq(ETHERTYPE, 0x86dd), true));
        assertThat(kept.decide(eq(ETHERTYPE, 0x800)))
                .as("still derived from the pin")
                .isFalse();
        assertThat(kept.decide(eq(PROTOCOL, 17))).isNull();
        assertThat(kept.guardFails(null, 100))
                .as("no loads to come: the length bound goes")
                .isFalse();
    }

    @Test
    void knowledgeImpliedByMoreKnowledge() {
        Knowledge less = Knowledge.NOTHING.with(eq(ETHERTYPE, 0x800), false);
        Knowledge more = Knowledge.NOTHING.with(eq(ETHERTYPE, 0x86dd), true).with(eq(PROTOCOL, 17), true);
        assertThat(less.isImpliedBy(more)).isTrue();
        assertThat(more.isImpliedBy(less)).isFalse();
        assertThat(Knowledge.NOTHING.isImpliedBy(less)).isTrue();
        assertThat(Knowledge.NOTHING.withShorterThan(40).isImpliedBy(Knowledge.NOTHING.withShorterThan(30)))
                .isTrue();
        assertThat(Knowledge.NOTHING.withShorterThan(30).isImpliedBy(Knowledge.NOTHING.withShorterThan(40)))
                .isFalse();
    }

    @Test
    void entriesMeetInWhatBothGuarantee() {
        Knowledge ipv4 = Knowledge.NOTHING.with(eq(ETHERTYPE, 0x800), true);
        Entry port = new Entry(ipv4.with(eq(PROTOCOL, 17), true), new Value.IndirectLoad(2, 16, IHL), 2, IHL, 34, 18);
        Entry other = new Entry(ipv4, PROTOCOL, 0, IHL, 24, 18);
        Entry met = port.meet(other);
        assertThat(met).isEqualTo(new Entry(ipv4, null, 0, IHL, 24, 18));
        assertThat(met.isImpliedBy(port)).isTrue();
        assertThat(met.isImpliedBy(other)).isTrue();
        assertThat(port.isImpliedBy(other)).isFalse();
        assertThat(Entry.NONE.isImpliedBy(port)).isTrue();
    }
}
