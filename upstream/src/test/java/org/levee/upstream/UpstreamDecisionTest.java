package org.levee.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.levee.rules.Action;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Prefix;
import org.levee.rules.Rule;
import org.levee.rules.UpstreamMode;
import org.levee.testing.Requirements;

/**
 * The grounds of a decision (the rule's own request, the configuration's per-rule list, the
 * attack's share of the link) and the order of {@code upstream.automatic}: a later mode is used
 * only when the earlier one is refused, and says so.
 */
class UpstreamDecisionTest {

    private static final String SECTION = """
            upstream:
              speaker: {kind: gobgp, as: 64512, router_id: 192.0.2.1}
              neighbours: [{address: 192.0.2.2, peer_as: 64496}]
              link_bps: 10000000000
              share: 0.8
              automatic: [flowspec, blackhole]
              rules: {pinned: blackhole}
            """;

    @BeforeAll
    static void requirements() {
        Requirements.library("libpcap.so.0.8");
    }

    private static Rule rule(String id, String filter, String destination) {
        return new Rule(
                id,
                new Match.Filter(filter),
                List.of(Prefix.parse(destination)),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                "",
                Origin.AUTO);
    }

    @Test
    void anAttackOverTheShareTakesTheFirstAutomaticModeThatIsNotRefused() {
        Upstream policy =
                new Upstream(UpstreamConfigLoader.parse("levee.yaml", SECTION).orElseThrow());
        Rule expressible = rule("a", "ip and dst host 203.0.113.10 and udp and src port 19", "203.0.113.10/32");
        Rule ttl = rule("b", "ip and dst host 203.0.113.11 and ip[8] == 64", "203.0.113.11/32");

        assertThat(policy.decide(new UpstreamRequest(expressible, Optional.empty(), OptionalDouble.of(7.9e9))))
                .isEmpty();
        UpstreamDecision flowspec = policy.decide(
                        new UpstreamRequest(expressible, Optional.empty(), OptionalDouble.of(8e9)))
                .orElseThrow();
        assertThat(flowspec.mode()).isEqualTo(UpstreamMode.FLOWSPEC);
        assertThat(flowspec.basis()).isEqualTo(UpstreamDecision.Basis.AUTOMATIC);
        assertThat(flowspec.why())
                .isEqualTo("the attack's 8 Gbit/s reached 0.8 × 10 Gbit/s (upstream.share × upstream.link_bps)");
        assertThat(flowspec.refused()).isFalse();

        UpstreamDecision fallback = policy.decide(new UpstreamRequest(ttl, Optional.empty(), OptionalDouble.of(9e9)))
                .orElseThrow();
        assertThat(fallback.mode()).isEqualTo(UpstreamMode.BLACKHOLE);
        Translation.Translated hole = (Translation.Translated) fallback.translation();
        assertThat(hole.routes()).singleElement().asString().startsWith("ipv4-unicast 203.0.113.11/32");
        assertThat(hole.notes())
                .anySatisfy(n -> assertThat(n)
                        .startsWith("blackhole because upstream.automatic lists it after what was refused: ")
                        .contains("ip[8]"));
    }

    @Test
    void aRequestedFlowSpecThatCannotBeExpressedIsRefusedNeverWidenedNorReplaced() {
        Upstream policy =
                new Upstream(UpstreamConfigLoader.parse("levee.yaml", SECTION).orElseThrow());
        Rule ttl = rule("c", "ip and dst host 203.0.113.11 and ip[8] == 64", "203.0.113.11/32")
                .withUpstream(Optional.of(UpstreamMode.FLOWSPEC));
        UpstreamDecision d = policy.decide(UpstreamRequest.of(ttl)).orElseThrow();
        assertThat(d.basis()).isEqualTo(UpstreamDecision.Basis.REQUESTED);
        assertThat(d.mode()).isEqualTo(UpstreamMode.FLOWSPEC);
        assertThat(d.translation())
                .isInstanceOfSatisfying(
                        Translation.Refused.class, r -> assertThat(r.reason()).contains("ip[8]"));
        assertThat(policy.desired(List.of(UpstreamRequest.of(ttl))).routes()).isEmpty();
    }

    @Test
    void theRulesOwnRequestWinsOverTheConfigurationWhichWinsOverTheLinkShare() {
        Upstream policy =
                new Upstream(UpstreamConfigLoader.parse("levee.yaml", SECTION).orElseThrow());
        Rule pinned = rule("pinned", "ip and dst host 203.0.113.12 and udp", "203.0.113.12/32");
        UpstreamDecision configured = policy.decide(
                        new UpstreamRequest(pinned, Optional.empty(), OptionalDouble.of(9e9)))
                .orElseThrow();
        assertThat(configured.basis()).isEqualTo(UpstreamDecision.Basis.CONFIGURED);
        assertThat(configured.mode()).isEqualTo(UpstreamMode.BLACKHOLE);
        UpstreamDecision requested = policy.decide(
                        UpstreamRequest.of(pinned.withUpstream(Optional.of(UpstreamMode.FLOWSPEC))))
                .orElseThrow();
        assertThat(requested.basis()).isEqualTo(UpstreamDecision.Basis.REQUESTED);
        assertThat(requested.mode()).isEqualTo(UpstreamMode.FLOWSPEC);
        assertThat(policy.decide(UpstreamRequest.of(rule("other", "udp", "203.0.113.13/32"))))
                .as("no request, no rate")
                .isEmpty();
    }
}
