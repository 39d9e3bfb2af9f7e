package org.levee.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.levee.cbpf.CbpfInterpreter;
import org.levee.testing.Requirements;

class RuleFiltersTest {

    /** Every match the filters asked to compile, in order. */
    private final List<Match> compiled = new ArrayList<>();

    private final RuleFilters filters = new RuleFilters(match -> {
        compiled.add(match);
        return MatchCompiler.STANDARD.compile(match);
    });

    @BeforeEach
    void libpcap() {
        Requirements.library("libpcap.so.0.8");
    }

    private static Rule rule(String id, Match match, String... destinations) {
        return new Rule(
                id,
                match,
                List.of(destinations).stream().map(Prefix::parse).toList(),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                "",
                Origin.MANUAL);
    }

    @Test
    void aGrowingRuleSetCompilesOnlyItsNewRule() {
        Rule udp = rule("udp", new Match.Filter("udp"));
        Rule dns = rule("dns", new Match.Dns(List.of("*.example.com"), true), "203.0.113.0/24");
        Rule syn = rule("syn", new Match.P0f("4:64:0:*:mss*10,6:mss,sok,ts,nop,ws:df,id+:0"));
        filters.compile("v1", new RuleSet("v1", List.of(udp, dns)));
        assertThat(compiled).containsExactly(udp.match(), dns.match(), new Match.Filter("dst net 203.0.113.0/24"));

        compiled.clear();
        filters.compile(syn);
        List<RuleFilter> all = filters.compile("v2", new RuleSet("v2", List.of(udp, dns, syn)));
        assertThat(compiled)
                .as("the new rule, once: checked alone, then applied with the others")
                .containsExactly(syn.match());
        assertThat(all).extracting(RuleFilter::rule).containsExactly(udp, dns, syn);
        assertThat(all.get(1).destination()).isPresent();

        compiled.clear();
        Rule sameMatch = rule("udp-too", new Match.Filter("udp"));
        filters.compile("v3", new RuleSet("v3", List.of(udp, sameMatch)));
        assertThat(compiled).as("an equal match is the same filter").isEmpty();
        assertThat(filters.remembered())
                .as("the removed rules' filters are forgotten")
                .isEqualTo(1);
        filters.compile("v4", new RuleSet("v4", List.of(udp, dns)));
        assertThat(compiled).containsExactly(dns.match(), new Match.Filter("dst net 203.0.113.0/24"));
    }

    @Test
    void aDetectorsProgramIsValidatedNotCompiled() {
        Match.Cbpf program =
                new Match.Cbpf(MatchCompiler.STANDARD.compile(new Match.Filter("udp port 53")), "udp port 53");
        RuleFilter filter = new RuleFilters().compile(rule("auto-1", program));
        assertThat(filter.match()).isSameAs(program.program());
        byte[] frame = new byte[60];
        assertThat(CbpfInterpreter.matches(filter.match(), frame, frame.length)).isFalse();
    }

    @Test
    void filtersThatDoNotCompileAreNamedWithTheirRule() {
        RuleSet set = RuleCodec.parse("r.yaml", """
                rules:
                  - {id: fine, filter: udp, action: drop}
                  - {id: typo, filter: "udp and prot 53", action: drop}
                  - {id: badcode, cbpf: "1,5 0 0 7", action: drop}
                  - {id: baddns, dns: ["exa mple..com"], action: drop}
                  - {id: badnet, filter: udp, destinations: ["2001:db8::/32"], action: drop}
                """);
        RuleSetException e = org.junit.jupiter.api.Assertions.assertThrows(
                RuleSetException.class, () -> filters.compile("r.yaml", set));
        assertThat(e.problems()).hasSize(3);
        assertThat(e.problems().get(0)).startsWith("rules[1] (id typo): filter: ");
        assertThat(e.problems().get(1)).startsWith("rules[2] (id badcode): cbpf: ");
        assertThat(e.problems().get(2)).startsWith("rules[3] (id baddns): dns: ");
        assertThat(e.getMessage()).startsWith("r.yaml: 3 problems:");

        assertThatThrownBy(() -> filters.compile(rule("alone", new Match.Filter("udp and nonsense"))))
                .isInstanceOfSatisfying(
                        RuleSetException.class,
                        x -> assertThat(x.problems()).singleElement().asString().startsWith("filter: "))
                .hasMessageStartingWith("rule alone: filter: ");
    }
}
