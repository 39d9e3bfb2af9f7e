package org.levee.agent.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.agent.fleet.FleetFixture.config;
import static org.levee.agent.fleet.FleetFixture.drain;
import static org.levee.agent.fleet.FleetFixture.listen;
import static org.levee.agent.fleet.FleetFixture.publish;
import static org.levee.agent.fleet.FleetFixture.send;

import java.net.DatagramSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.agent.config.AgentConfig;
import org.levee.dataplane.Attachment;
import org.levee.dataplane.PinLayout;
import org.levee.dataplane.Status;
import org.levee.dataplane.XdpDataPlane;
import org.levee.ebpf.XdpMode;
import org.levee.netns.NetnsLab;
import org.levee.netns.VethPair;
import org.levee.store.etcd.EtcdClient;
import org.levee.store.testing.EtcdHarness;
import org.levee.store.testing.Eventually;
import org.levee.testing.Requirements;

/**
 * Fail static: an edge cut off from etcd keeps dropping; restarted while etcd is unreachable it
 * runs its last good rule set again from its state directory; when etcd is back it catches up with
 * what was published meanwhile, also after the history it had seen was compacted away. And a
 * rule's expiry holds with no controller and no etcd. Without its state files either, it keeps the
 * program left attached until etcd answers.
 */
@Tag("kernel")
class FailStaticTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String EDGE = "192.0.2.2";

    @TempDir
    Path state;

    @BeforeAll
    static void requirements() {
        Requirements.root();
        Requirements.library("libpcap.so.0.8");
    }

    static String rule(String id, int port) {
        return "rules:\n  - {id: " + id + ", filter: udp and dst port " + port
                + ", action: drop, datacenters: [ams]}\n";
    }

    /** Datagrams to {@code port} that got through, of 10 sent. */
    static int through(String peer, DatagramSocket socket, int port) throws InterruptedException {
        send(peer, EDGE, port, 10);
        Thread.sleep(300);
        return drain(socket);
    }

    @Test
    void keepsDroppingWithoutEtcdRestartsFromTheLastGoodSetAndCatchesUp() throws Exception {
        try (EtcdHarness etcd = EtcdHarness.start(1).startProxy();
                NetnsLab lab = NetnsLab.create();
                FleetFixture.SflowSink sink = new FleetFixture.SflowSink()) {
            String peer = lab.addNamespace("peer");
            String ns = lab.addNamespace("edge");
            VethPair veth = lab.addVeth(peer, "192.0.2.1/30", ns, EDGE + "/30");
            PinLayout layout = new PinLayout(veth.interfaceB(), ns);
            EtcdClient direct = etcd.client();
            // the edge reaches etcd through the proxy only: stopping the proxy cuts it off while the controller goes on
            AgentConfig config = config(state, "ams", "edge-1", etcd.proxyEndpoint(), sink.port(), 64);
            try (DatagramSocket p1 = listen(ns, 9001);
                    DatagramSocket p2 = listen(ns, 9002);
                    DatagramSocket p3 = listen(ns, 9003)) {
                send(peer, EDGE, 9999, 1); // ARP
                long firstProgram;
                try (FleetEdge edge =
                        FleetEdge.start(config, XdpDataPlane.open(veth.interfaceB(), ns, XdpMode.NATIVE, 64))) {
                    publish(direct, 1, rule("one", 9001));
                    Eventually.await(
                            WAIT,
                            "version 1 applied",
                            () -> edge.running().version().orElse(0) == 1);
                    firstProgram = edge.running().programId();
                    assertThat(through(peer, p1, 9001)).isZero();

                    etcd.stopProxy();
                    Eventually.await(
                            WAIT,
                            "the watch lost etcd",
                            () -> !edge.fleetView().watch().connected());
                    long before = edge.dataPlane().counters().rule("one").packets();
                    assertThat(through(peer, p1, 9001))
                            .as("dropping with etcd away")
                            .isZero();
                    assertThat(edge.dataPlane().counters().rule("one").packets())
                            .isEqualTo(before + 10);
                    assertThat(edge.running().programId()).isEqualTo(firstProgram);
                }
                assertThat(through(peer, p1, 9001))
                        .as("dropping with no edge running")
                        .isZero();
                assertThat(Status.read(layout).programId()).isEqualTo(firstProgram);

                // Restarted while etcd cannot be reached: the last good set from the state directory.
                try (FleetEdge edge =
                        FleetEdge.start(config, XdpDataPlane.open(veth.interfaceB(), ns, XdpMode.NATIVE, 64))) {
                    assertThat(edge.running().origin()).isEqualTo(RunningRuleset.Origin.LAST_GOOD);
                    assertThat(edge.running().version()).hasValue(1);
                    assertThat(edge.fleetView().origin()).isEqualTo("last-good file");
                    assertThat(through(peer, p1, 9001))
                            .as("dropping after the restart")
                            .isZero();

                    // The controller publishes meanwhile, and etcd's history is compacted.
                    publish(direct, 2, rule("two", 9002));
                    publish(direct, 3, rule("three", 9003));
                    etcd.compact();
                    assertThat(edge.running().version()).hasValue(1);
                    etcd.startProxy();
                    Eventually.await(
                            WAIT,
                            "caught up with version 3",
                            () -> edge.running().version().orElse(0) == 3);
                    assertThat(edge.running().origin()).isEqualTo(RunningRuleset.Origin.ETCD);
                    assertThat(through(peer, p3, 9003)).isZero();
                    assertThat(through(peer, p1, 9001))
                            .as("version 1's rule is gone")
                            .isEqualTo(10);

                    // Cut off again after the watch had a revision; that history is compacted away too.
                    Eventually.await(
                            WAIT, "watching", () -> edge.fleetView().watch().connected());
                    long reconnects = edge.fleetView().watch().reconnects();
                    etcd.stopProxy();
                    Eventually.await(
                            WAIT,
                            "the watch lost etcd",
                            () -> !edge.fleetView().watch().connected());
                    publish(direct, 4, rule("four", 9001));
                    publish(direct, 5, rule("five", 9002));
                    etcd.compact();
                    etcd.startProxy();
                    Eventually.await(
                            WAIT,
                            "caught up with version 5 past the compaction",
                            () -> edge.running().version().orElse(0) == 5);
                    assertThat(edge.fleetView().watch().reconnects()).isGreaterThan(reconnects);
                    assertThat(through(peer, p2, 9002)).isZero();
                    assertThat(through(peer, p3, 9003)).isEqualTo(10);
                }

                // Restarted without its state files and without etcd: the program left attached is kept as it is.
                long attached = Status.read(layout).programId();
                deleteTree(state.resolve(LastGoodRuleset.DIRECTORY));
                etcd.stopProxy();
                try (FleetEdge edge =
                        FleetEdge.start(config, XdpDataPlane.open(veth.interfaceB(), ns, XdpMode.NATIVE, 64))) {
                    assertThat(edge.running().origin()).isEqualTo(RunningRuleset.Origin.ADOPTED);
                    assertThat(edge.running().programId()).isEqualTo(attached);
                    assertThat(edge.running().version()).isEmpty();
                    assertThat(Status.read(layout).programId())
                            .as("not swapped, not detached")
                            .isEqualTo(attached);
                    assertThat(through(peer, p2, 9002))
                            .as("version 5's rule still drops")
                            .isZero();
                    assertThat(edge.dataPlane().sampleRate()).isEqualTo(64);
                    etcd.startProxy();
                    Eventually.await(
                            WAIT,
                            "version 5 fetched and applied",
                            () -> edge.running().origin() == RunningRuleset.Origin.ETCD);
                    assertThat(edge.running().version()).hasValue(5);
                    assertThat(edge.running().programId()).isNotEqualTo(attached);
                    assertThat(through(peer, p2, 9002)).isZero();
                }
            } finally {
                Attachment.detach(layout);
            }
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var files = java.nio.file.Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    @Test
    void aRuleExpiresOnTimeWithNoControllerAndNoEtcd() throws Exception {
        try (EtcdHarness etcd = EtcdHarness.start(1);
                NetnsLab lab = NetnsLab.create();
                FleetFixture.SflowSink sink = new FleetFixture.SflowSink()) {
            String peer = lab.addNamespace("peer");
            String ns = lab.addNamespace("edge");
            VethPair veth = lab.addVeth(peer, "192.0.2.1/30", ns, EDGE + "/30");
            PinLayout layout = new PinLayout(veth.interfaceB(), ns);
            try (FleetEdge edge = FleetEdge.start(
                            config(state, "ams", "edge-1", etcd.endpoints(), sink.port(), 64),
                            XdpDataPlane.open(veth.interfaceB(), ns, XdpMode.NATIVE, 64));
                    DatagramSocket shortLived = listen(ns, 9001);
                    DatagramSocket lasting = listen(ns, 9002)) {
                send(peer, EDGE, 9999, 1); // ARP
                Instant expires = Instant.now().plusSeconds(5).truncatedTo(ChronoUnit.MILLIS);
                publish(etcd.client(), 1, """
                        rules:
                          - {id: short, filter: udp and dst port 9001, action: drop, expires: "%s"}
                          - {id: lasting, filter: udp and dst port 9002, action: drop}
                        """.formatted(expires));
                Eventually.await(
                        WAIT,
                        "version 1 applied",
                        () -> edge.running().version().orElse(0) == 1);
                long program = edge.running().programId();
                assertThat(through(peer, shortLived, 9001)).isZero();
                etcd.stop(0); // no controller, no store: the edge alone decides

                Eventually.await(
                        Duration.ofSeconds(10),
                        "specialised again",
                        () -> edge.running().programId() != program);
                Instant applied = edge.running().applied().orElseThrow();
                System.out.printf(
                        "rule expired at %s, program specialised again at %s (%d ms later)%n",
                        expires, applied, Duration.between(expires, applied).toMillis());
                assertThat(applied).isAfterOrEqualTo(expires).isBefore(expires.plusMillis(1_000));
                assertThat(through(peer, shortLived, 9001))
                        .as("the expired rule no longer drops")
                        .isEqualTo(10);
                assertThat(through(peer, lasting, 9002))
                        .as("the other rule still does")
                        .isZero();
                assertThat(edge.running().version()).hasValue(1);
                assertThat(edge.fleetView().rules())
                        .extracting(r -> r.rule().id() + "=" + r.enabled())
                        .containsExactly("short=false", "lasting=true");
            } finally {
                Attachment.detach(layout);
            }
        }
    }
}
