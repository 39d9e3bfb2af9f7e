package org.levee.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.XdpMode;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.rules.Action;
import org.levee.rules.Match;
import org.levee.rules.MatchCompiler;
import org.levee.rules.Origin;
import org.levee.rules.Rule;
import org.levee.rules.RuleFilters;
import org.levee.rules.RuleSet;
import org.levee.rules.Sample;
import org.levee.testing.Requirements;

/**
 * The data plane's façade on a veth in namespaces: rules drop what they match
 * and are counted, samples arrive, N changes at run time, and a closed data plane leaves the
 * program attached for the next one to adopt with its counters.
 */
@Tag("kernel")
class XdpDataPlaneTest {

    private static RuleSet dropIcmp(String version) {
        return new RuleSet(
                version,
                List.of(new Rule(
                        "no-ping",
                        new Match.Filter("icmp"),
                        List.of(),
                        List.of(),
                        new Action.Drop(),
                        Optional.empty(),
                        "",
                        Origin.MANUAL)));
    }

    @Test
    void dropsCountsSamplesAndIsAdoptedAfterClose() throws Exception {
        Requirements.root();
        Requirements.command("ping");
        Requirements.library("libpcap.so.0.8");
        try (NetnsLab lab = NetnsLab.create()) {
            String a = lab.addNamespace("a");
            String b = lab.addNamespace("b");
            VethPair veth = lab.addVeth(a, "192.0.2.1/24", b, "192.0.2.2/24");
            PinLayout layout = new PinLayout(veth.interfaceB(), b);
            try {
                List<Match> compiled = new ArrayList<>();
                XdpDataPlane first =
                        XdpDataPlane.open(veth.interfaceB(), b, XdpMode.NATIVE, 1, new RuleFilters(match -> {
                            compiled.add(match);
                            return MatchCompiler.STANDARD.compile(match);
                        }));
                assertThat(first.attachment().adopted()).isFalse();
                assertThat(first.counters()).isEqualTo(Counters.ZERO);
                first.apply(new RuleSet("v1", List.of()), "");
                assertThat(lab.exec(a, "ping", "-c", "2", "-i", "0.2", "-W", "1", veth.hostB())
                                .succeeded())
                        .isTrue();
                List<Sample> samples = new ArrayList<>();
                first.pollSamples(Duration.ofSeconds(1), "ams1", "edge-1", samples::add);
                assertThat(samples).isNotEmpty().allSatisfy(s -> {
                    assertThat(s.samplingRate()).isEqualTo(1);
                    assertThat(s.datacenter()).isEqualTo("ams1");
                    assertThat(s.node()).isEqualTo("edge-1");
                    assertThat(s.wireLength()).isGreaterThanOrEqualTo(s.packet().length);
                    assertThat(s.timestampNanos()).isLessThanOrEqualTo(System.nanoTime());
                });
                assertThat(samples)
                        .as("ping's echo requests, whole")
                        .anySatisfy(s -> assertThat(s.packet().length)
                                .isEqualTo(s.wireLength())
                                .isEqualTo(14 + 20 + 8 + 56));

                first.apply(dropIcmp("v2"), "");
                long program = first.attachment().programId();
                assertThat(program).isEqualTo(Status.read(layout).programId());
                assertThat(lab.exec(a, "ping", "-c", "3", "-i", "0.2", "-W", "1", veth.hostB())
                                .succeeded())
                        .isFalse();
                long dropped = first.counters().rule("no-ping").packets();
                assertThat(dropped).isGreaterThanOrEqualTo(3);
                assertThat(first.counters().dropped()).isGreaterThanOrEqualTo(3);
                RuleSet grown = new RuleSet(
                        "v2b",
                        List.of(
                                dropIcmp("v2").rules().getFirst(),
                                new Rule(
                                        "no-udp",
                                        new Match.Filter("udp"),
                                        List.of(),
                                        List.of(),
                                        new Action.Drop(),
                                        Optional.empty(),
                                        "",
                                        Origin.MANUAL)));
                first.apply(grown, "");
                assertThat(compiled)
                        .as("each rule's filter compiled once, over three applies")
                        .containsExactly(new Match.Filter("icmp"), new Match.Filter("udp"));
                first.apply(dropIcmp("v2c"), "");
                first.setSampleRate(7);
                assertThat(Status.read(layout).sampleRate()).isEqualTo(7);
                first.close(false);

                assertThat(layout.pin(PinLayout.LINK)).exists();
                assertThat(lab.exec(a, "ping", "-c", "2", "-i", "0.2", "-W", "1", veth.hostB())
                                .succeeded())
                        .as("still dropping with no agent")
                        .isFalse();

                XdpDataPlane second = XdpDataPlane.open(veth.interfaceB(), b, XdpMode.NATIVE, 7);
                assertThat(second.attachment().adopted()).isTrue();
                second.apply(dropIcmp("v3"), "");
                assertThat(second.attachment().programId()).isNotEqualTo(program);
                assertThat(second.counters().rule("no-ping").packets())
                        .as("counts carried over")
                        .isGreaterThanOrEqualTo(dropped + 2);
                second.apply(new RuleSet("v4", List.of()), "");
                assertThat(lab.exec(a, "ping", "-c", "1", "-W", "1", veth.hostB())
                                .succeeded())
                        .isTrue();
                second.close(true);
                assertThat(layout.directory()).doesNotExist();
            } finally {
                Attachment.detach(layout);
            }
        }
    }
}
