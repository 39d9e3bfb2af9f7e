package org.levee.cli.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.netns.Netns;
import org.levee.ebpf.testing.Requirements;

/**
 * The demo lab for real: it comes up with its namespaces and routes, legitimate UDP traffic
 * is delivered and answered in full, still in full while every flood kind hits the edge and an
 * XDP program there drops it, and closing removes every namespace.
 */
class DemoLabTest {
    private static final long LEGIT_RATE = 1000;
    private static final long LEGIT_TCP_RATE = 50;
    /** Flood rate while legit traffic is measured: high, yet below what the edge's veth ring holds without dropping. */
    private static final long FLOOD_RATE = 200_000;

    @Test
    void legitimateTrafficIsDeliveredInFullAndTheLabIsRemovedOnClose() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        List<String> namespaces;
        try (DemoLab lab = DemoLab.create()) {
            namespaces = List.of(lab.edgeNamespace(), lab.clientsNamespace(), lab.attackersNamespace(), lab.upstreamNamespace());
            assertThat(namespaces).allSatisfy(ns -> assertThat(Netns.exists(ns)).as(ns).isTrue());
            assertThat(namespaces).allSatisfy(ns -> assertThat(ns).contains(lab.id()));
            assertThat(lab.exec(lab.edgeNamespace(), "ip", "-o", "-4", "addr", "show", "dev", lab.edgeInterface()).output())
                    .contains(DemoLab.EDGE_ADDRESS + "/24");
            assertThat(lab.exec(lab.edgeNamespace(), "ip", "route", "get", "192.0.2.77").output()).contains("via " + DemoLab.EDGE_GATEWAY);

            try (LegitTraffic legit = LegitTraffic.start(lab, LEGIT_RATE, LEGIT_TCP_RATE)) {
                runFor(legit, Duration.ofMillis(1500));
                DeliveryCounts udp = legit.udp().total();
                DeliveryCounts tcp = legit.tcp().total();
                assertThat(udp.sent()).as("UDP requests sent in 1.5 s at %d/s", LEGIT_RATE).isGreaterThan(LEGIT_RATE);
                assertThat(udp.delivered()).as("UDP delivered").isEqualTo(udp.sent());
                assertThat(udp.answered()).as("UDP answered").isEqualTo(udp.sent());
                assertThat(tcp.sent()).as("TCP requests sent in 1.5 s at %d/s", LEGIT_TCP_RATE).isGreaterThan(LEGIT_TCP_RATE);
                assertThat(tcp.answered()).as("TCP answered").isEqualTo(tcp.sent());
                assertThat(legit.total()).isEqualTo(udp.plus(tcp));
                assertThat(legit.foreignDatagrams()).isZero();
            }
        }
        assertThat(namespaces).allSatisfy(ns -> assertThat(Netns.exists(ns)).as(ns + " after close").isFalse());
    }

    @Test
    void legitimateTrafficIsDeliveredInFullWhileTheEdgeDropsEveryFloodKind() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        try (DemoLab lab = DemoLab.create();
             EdgeTap tap = EdgeTap.attach(lab.edgeNamespace(), lab.edgeInterface(), lab.labSubnets().getFirst());
             LegitTraffic legit = LegitTraffic.start(lab, LEGIT_RATE, LEGIT_TCP_RATE)) {
            FloodPath path = lab.floodPath();
            long start = System.nanoTime();
            long offered = 0;
            for (FloodKind kind : FloodKind.values()) {
                try (FloodGenerator generator = FloodGenerator.open(path, kind)) {
                    generator.start(FLOOD_RATE);
                    Thread.sleep(400);
                    generator.stop();
                    offered += generator.offered();
                }
            }
            DeliveryCounts counts = runFor(legit, Duration.ZERO); // UDP and TCP
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("legit under floods: UDP %s, TCP %s; flood offered %,d, dropped at the edge %,d in %.1f s%n",
                    legit.udp().total(), legit.tcp().total(), offered, tap.dropped(), seconds);
            // veth drops a few frames of a burst when the edge's receive ring is full
            assertThat(tap.dropped()).as("flood frames dropped at the edge").isBetween(offered * 99 / 100, offered);
            assertThat(legit.tcp().total().sent()).as("TCP requests").isGreaterThan(LEGIT_TCP_RATE);
            assertThat(counts.sent()).isGreaterThan(LEGIT_RATE);
            assertThat(counts.delivered()).as("legit requests delivered under floods").isEqualTo(counts.sent());
            assertThat(counts.answered()).as("legit requests answered under floods").isEqualTo(counts.sent());
        }
    }

    /** Lets {@code legit} run for {@code time}, stops sending, waits for stragglers and returns the totals. */
    private static DeliveryCounts runFor(LegitTraffic legit, Duration time) throws InterruptedException {
        Thread.sleep(time.toMillis());
        legit.stopSending();
        Thread.sleep(500);
        return legit.total();
    }
}
