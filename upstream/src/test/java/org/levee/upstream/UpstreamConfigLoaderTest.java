package org.levee.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.levee.rules.Action;
import org.levee.rules.IpAddress;
import org.levee.rules.Match;
import org.levee.rules.Origin;
import org.levee.rules.Rule;
import org.levee.rules.UpstreamMode;

class UpstreamConfigLoaderTest {

    private static final String GOOD = """
            datacenter: ams
            upstream:
              speaker: {kind: gobgp, api: "unix:///run/gobgpd/api.sock", as: 64512, router_id: 192.0.2.1}
              neighbours:
                - {address: 192.0.2.2, as: 64512, peer_as: 64496}
                - {address: "2001:db8::2", peer_as: 64497}
              link_bps: 10000000000
              share: 0.5
              automatic: flowspec
              flowspec: {ratelimit_packet_bytes: 512, ipv6_extension_headers: widen}
              blackhole: {next_hop_ipv4: 192.0.2.66, next_hop_ipv6: "2001:db8::66", communities: [no-export, "64512:666"]}
              rules: {dns-amp: blackhole}
              sync_interval: 5s
            """;

    @Test
    void readsEveryKey() {
        UpstreamConfig c = UpstreamConfigLoader.parse("levee.yaml", GOOD).orElseThrow();
        assertThat(c.speaker().api()).isEqualTo("unix:///run/gobgpd/api.sock");
        assertThat(c.neighbours()).extracting(UpstreamConfig.Neighbour::peerAs).containsExactly(64496L, 64497L);
        assertThat(c.neighbours().get(1).as()).isEqualTo(64512);
        assertThat(c.automatic()).contains(UpstreamMode.FLOWSPEC);
        assertThat(c.ratelimitPacketBytes()).hasValue(512);
        assertThat(c.ipv6UpperLayerWidening()).isTrue();
        assertThat(c.nextHopIpv6()).contains(IpAddress.parse("2001:db8::66"));
        assertThat(c.blackholeCommunities())
                .containsExactly(Route.Community.NO_EXPORT, new Route.Community(64512, 666));
        assertThat(c.rules()).containsEntry("dns-amp", UpstreamMode.BLACKHOLE);
        assertThat(c.syncInterval()).hasSeconds(5);
        assertThat(UpstreamConfigLoader.parse("levee.yaml", "datacenter: ams\n"))
                .isEmpty();
    }

    @Test
    void everyProblemIsOneLineNamingItsKey() {
        String bad = """
                upstream:
                  speaker: {kind: exabgp, as: 64512, router_id: "2001:db8::1"}
                  neighbours: [{address: 192.0.2.2, as: 64513}]
                  share: 2
                  automatic: nullroute
                  flowspec: {ipv6_extension_headers: sometimes}
                  blackhole: {communities: ["65535:99999"]}
                  rules: {"Bad_Id": flowspec}
                  sync_interval: soon
                  colour: blue
                """;
        assertThatThrownBy(() -> UpstreamConfigLoader.parse("levee.yaml", bad))
                .isInstanceOfSatisfying(UpstreamConfigException.class, e -> {
                    assertThat(e.problems()).allMatch(p -> !p.contains("\n") && p.startsWith("upstream."));
                    assertThat(String.join("\n", e.problems()))
                            .contains(
                                    "upstream.speaker.kind: exabgp is not supported",
                                    "upstream.speaker.router_id: '2001:db8::1' is not an IPv4 address",
                                    "upstream.neighbours[0].as: 64513 differs from speaker.as 64512",
                                    "upstream.neighbours[0].peer_as: is missing",
                                    "upstream.share: must be a number in (0, 1]",
                                    "upstream.automatic: must be flowspec, blackhole, none or a list such as [flowspec, blackhole]",
                                    "upstream.flowspec.ipv6_extension_headers: must be refuse or widen",
                                    "upstream.blackhole.communities[0]:",
                                    "upstream.rules.Bad_Id:",
                                    "upstream.sync_interval: must be a positive duration",
                                    "upstream.colour: unknown key");
                });
    }

    @Test
    void theLinkSharePolicyAndOptInsDecideWhatGoesUpstream() {
        UpstreamConfig c = UpstreamConfigLoader.parse("levee.yaml", GOOD).orElseThrow();
        Upstream policy = new Upstream(c);
        Rule flood = new Rule(
                "flood",
                new Match.Filter("ip and dst host 203.0.113.10 and udp and src port 19"),
                List.of(),
                List.of(),
                new Action.Drop(),
                Optional.empty(),
                "",
                Origin.AUTO);
        assertThat(policy.mode(new UpstreamRequest(flood, Optional.empty(), OptionalDouble.of(4.9e9))))
                .isEmpty();
        assertThat(policy.mode(new UpstreamRequest(flood, Optional.empty(), OptionalDouble.of(5e9))))
                .contains(UpstreamMode.FLOWSPEC);
        assertThat(policy.mode(new UpstreamRequest(flood, Optional.of(UpstreamMode.BLACKHOLE), OptionalDouble.empty())))
                .contains(UpstreamMode.BLACKHOLE);
        assertThat(policy.mode(UpstreamRequest.of(flood.withId("dns-amp")))).contains(UpstreamMode.BLACKHOLE);
        DesiredRoutes d = policy.desired(
                List.of(new UpstreamRequest(flood, Optional.of(UpstreamMode.BLACKHOLE), OptionalDouble.empty())));
        assertThat(d.routes())
                .singleElement()
                .hasToString(
                        "ipv4-unicast 203.0.113.10/32 next-hop 192.0.2.66 communities [64512:666, 65535:666, 65535:65281]");
    }
}
