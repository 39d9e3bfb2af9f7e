package org.levee.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.levee.cbpf.pcap.Libpcap;
import org.levee.cbpf.pcap.LinkType;
import org.levee.rules.Action;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Rule;
import org.levee.testing.Requirements;

/** What FlowSpec cannot express exactly is refused, with a reason naming it; actions translate as documented. */
class TranslationRefusalTest {

    @BeforeAll
    static void libpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "udp and dst port 53 | names no destination",
                "dst host 203.0.113.10 and port 53 | write dst port",
                "dst host 203.0.113.10 and dst port 53 | SCTP",
                "dst host 203.0.113.10 and len > 100 | len is the frame's length",
                "dst host 203.0.113.10 and ip[8] == 64 | ip[8] is no field FlowSpec matches",
                "dst host 203.0.113.10 and not udp | negate",
                "dst host 203.0.113.10 or dst host 203.0.113.11 | 'or'",
                "dst host 203.0.113.10 and ip[1] == 0xb8 | ECN",
                "dst host 203.0.113.10 and tcp[13] & 0x03 != 0 and tcp[13] & 0x03 != 3 | neither one flag pattern",
                "ip6 and dst host 2001:db8:1::10 and udp | RFC 8956",
                "dst host 203.0.113.10 and ip[6:2] & 0x1fff > 100 | non-zero fragment offset",
                "dst host 203.0.113.10 and ip[6:2] & 0x2000 != 0 | no FlowSpec bitmask equivalent",
                "dst host 203.0.113.10 and udp and tcp | exclude each other",
                "dst host 203.0.113.10 and src host 198.51.100.1 | spoofed",
                "ip and dst host 2001:db8::1 | matches no packet",
                "dst host 203.0.113.10 and udp[8:4] == 0x17000304 | 4-byte load",
            })
    void refused(String expression, String reason) {
        Translation t = FlowSpecTranslator.strict().translate(rule(new Match.Filter(expression), new Action.Drop()));
        assertThat(t).isInstanceOf(Translation.Refused.class);
        assertThat(((Translation.Refused) t).reason()).startsWith("FlowSpec: ").contains(reason);
    }

    @Test
    void matchesThatAreNotFiltersAreRefusedUnlessTheirDescriptionIsTheirProgram() {
        FlowSpecTranslator t = FlowSpecTranslator.strict();
        assertThat(reason(t, new Match.Dns(List.of("*.example.com"), true))).contains("payload");
        assertThat(reason(t, new Match.P0f("4:64:0:*:mss*10,6:mss,sok,ts,nop,ws:df,id+:0")))
                .contains("p0f");
        String expression = "ip and dst host 203.0.113.10 and udp and src port 123";
        Match.Cbpf bare = new Match.Cbpf(Libpcap.compile(expression, LinkType.EN10MB), "");
        assertThat(reason(t, bare)).contains("without a description");
        Match.Cbpf lying =
                new Match.Cbpf(Libpcap.compile(expression, LinkType.EN10MB), "ip and dst host 203.0.113.10 and udp");
        assertThat(reason(t, lying)).contains("does not compile to the rule's program");
        Match.Cbpf described = new Match.Cbpf(Libpcap.compile(expression, LinkType.EN10MB), expression);
        assertThat(t.translate(rule(described, new Action.Drop()))).isInstanceOf(Translation.Translated.class);
    }

    @Test
    void rateLimitsBecomeBytesPerSecondThroughAFixedLengthOrTheStatedPacketSize() {
        Match sized = new Match.Filter("dst host 203.0.113.10 and udp and ip[2:2] == 1400");
        Match unsized = new Match.Filter("dst host 203.0.113.10 and udp");
        Action limit = new Action.RateLimit(1000, 100);
        assertThat(action(FlowSpecTranslator.strict(), sized, limit))
                .isEqualTo(new FlowSpecAction.TrafficRate(1_400_000f));
        assertThat(reason(FlowSpecTranslator.strict(), unsized, limit)).contains("ratelimit_packet_bytes");
        FlowSpecTranslator stated = new FlowSpecTranslator(OptionalLong.of(500), false);
        assertThat(action(stated, unsized, limit)).isEqualTo(new FlowSpecAction.TrafficRate(500_000f));
        assertThat(action(stated, unsized, new Action.Drop())).isEqualTo(new FlowSpecAction.Discard());
        assertThat(reason(stated, unsized, new Action.Pass())).contains("pass rule");
    }

    @Test
    void theDetectorsVlanFormIsReadAsItsUntaggedHalfWithANote() {
        String half = "ip and dst host 203.0.113.10 and ip proto 17 and ip[6:2] & 0x1fff == 0 and src port 123";
        Translation t = FlowSpecTranslator.strict()
                .translate(rule(new Match.Filter("(" + half + ") or (vlan and " + half + ")"), new Action.Drop()));
        Translation.Translated ok = (Translation.Translated) t;
        assertThat(ok.notes()).anyMatch(n -> n.contains("VLAN"));
        assertThat(ok.routes())
                .singleElement()
                .hasToString(
                        "ipv4-flowspec [destination: 203.0.113.10/32][protocol: ==17][source-port: ==123][fragment: !is-fragment]"
                                + " then discard");
    }

    private static String reason(FlowSpecTranslator t, Match match) {
        return reason(t, match, new Action.Drop());
    }

    private static String reason(FlowSpecTranslator t, Match match, Action action) {
        Translation tr = t.translate(rule(match, action));
        assertThat(tr).isInstanceOf(Translation.Refused.class);
        return ((Translation.Refused) tr).reason();
    }

    private static FlowSpecAction action(FlowSpecTranslator t, Match match, Action action) {
        Translation tr = t.translate(rule(match, action));
        assertThat(tr).isInstanceOf(Translation.Translated.class);
        return ((Route.FlowSpec) ((Translation.Translated) tr).routes().getFirst()).action();
    }

    static Rule rule(Match match, Action action) {
        return new Rule("r", match, List.of(), List.of(), action, Optional.empty(), "", Origin.MANUAL);
    }
}
