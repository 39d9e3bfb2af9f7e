package org.levee.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.levee.ebpf.netns.Netns;
import org.levee.testing.Requirements;

/**
 * The demo lab for real: it comes up with its namespaces and routes, legitimate UDP traffic
 * is delivered and answered in full, still in full while every flood kind hits the edge and an
 * XDP program there drops it, floods the edge passes reach its sockets intact, and closing
 * removes every namespace.
 */
@Tag("kernel")
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
            namespaces = List.of(
                    lab.edgeNamespace(), lab.clientsNamespace(), lab.attackersNamespace(), lab.upstreamNamespace());
            assertThat(namespaces)
                    .allSatisfy(ns -> assertThat(Netns.exists(ns)).as(ns).isTrue());
            assertThat(namespaces).allSatisfy(ns -> assertThat(ns).contains(lab.id()));
            assertThat(lab.exec(lab.edgeNamespace(), "ip", "-o", "-4", "addr", "show", "dev", lab.edgeInterface())
                            .output())
                    .contains(DemoLab.EDGE_ADDRESS + "/24");
            assertThat(lab.exec(lab.edgeNamespace(), "ip", "route", "get", "192.0.2.77")
                            .output())
                    .contains("via " + DemoLab.EDGE_GATEWAY);

            try (LegitTraffic legit = LegitTraffic.start(lab, LEGIT_RATE, LEGIT_TCP_RATE)) {
                runFor(legit, Duration.ofMillis(1500));
                DeliveryCounts udp = legit.udp().total();
                DeliveryCounts tcp = legit.tcp().total();
                assertThat(udp.sent())
                        .as("UDP requests sent in 1.5 s at %d/s", LEGIT_RATE)
                        .isGreaterThan(LEGIT_RATE);
                assertThat(udp.delivered()).as("UDP delivered").isEqualTo(udp.sent());
                assertThat(udp.answered()).as("UDP answered").isEqualTo(udp.sent());
                assertThat(tcp.sent())
                        .as("TCP requests sent in 1.5 s at %d/s", LEGIT_TCP_RATE)
                        .isGreaterThan(LEGIT_TCP_RATE);
                assertThat(tcp.answered()).as("TCP answered").isEqualTo(tcp.sent());
                assertThat(legit.total()).isEqualTo(udp.plus(tcp));
                assertThat(legit.foreignDatagrams()).isZero();
            }
        }
        assertThat(namespaces)
                .allSatisfy(ns ->
                        assertThat(Netns.exists(ns)).as(ns + " after close").isFalse());
    }

    @Test
    void legitimateTrafficIsDeliveredInFullWhileTheEdgeDropsEveryFloodKind() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        try (DemoLab lab = DemoLab.create();
                EdgeTap tap = EdgeTap.attach(
                        lab.edgeNamespace(),
                        lab.edgeInterface(),
                        lab.labSubnets().getFirst());
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
            System.out.printf(
                    "legit under floods: UDP %s, TCP %s; flood offered %,d, dropped at the edge %,d in %.1f s%n",
                    legit.udp().total(), legit.tcp().total(), offered, tap.dropped(), seconds);
            // veth drops frames of a burst when a receive ring on the way is full (rare with batches of 64)
            assertThat(tap.dropped()).as("flood frames dropped at the edge").isBetween(offered * 99 / 100, offered);
            assertThat(legit.tcp().total().sent()).as("TCP requests").isGreaterThan(LEGIT_TCP_RATE);
            assertThat(counts.sent()).isGreaterThan(LEGIT_RATE);
            assertThat(counts.delivered())
                    .as("legit requests delivered under floods")
                    .isEqualTo(counts.sent());
            assertThat(counts.answered())
                    .as("legit requests answered under floods")
                    .isEqualTo(counts.sent());
        }
    }

    @Test
    void floodsPassedByTheEdgeReachItsSocketsIntact() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        try (DemoLab lab = DemoLab.create();
                EdgeCounter edge = EdgeCounter.attach(lab, false);
                DatagramChannel dns = Netns.run(
                        lab.edgeNamespace(),
                        () -> DatagramChannel.open()
                                .setOption(StandardSocketOptions.SO_RCVBUF, 16 << 20)
                                .bind(new InetSocketAddress(lab.edgeAddress(), 53)));
                FloodGenerator generator = FloodGenerator.open(lab.floodPath(), FloodKind.DNS_RANDOM_SUBDOMAIN)) {
            // Each frame passed to the stack keeps its whole 4 KiB page, and the generator sends
            // bursts tens of ms apart: a low rate, a large buffer, read while the flood runs.
            Set<String> names = ConcurrentHashMap.newKeySet();
            List<String> wrong = new CopyOnWriteArrayList<>();
            AtomicInteger received = new AtomicInteger();
            Thread reader = Thread.ofVirtual().start(() -> {
                ByteBuffer buffer = ByteBuffer.allocate(2048);
                try {
                    while (true) {
                        dns.receive(buffer.clear());
                        received.incrementAndGet();
                        String question =
                                new String(buffer.array(), 12, buffer.position() - 12, StandardCharsets.US_ASCII);
                        if (question.matches(
                                "\\u000c[a-z0-9]{12}\\u0006victim\\u0007example\\u0000\\u0000\\u0001\\u0000\\u0001(?s:.{11})")) {
                            names.add(question.substring(1, 13));
                        } else {
                            wrong.add(question);
                        }
                    }
                } catch (IOException closed) {
                    // the test closed the socket
                }
            });
            generator.start(2_000);
            Thread.sleep(1000);
            generator.stop();
            Thread.sleep(300);
            dns.close();
            reader.join();
            long offered = generator.offered();
            Map<String, Long> udp = KernelCounters.snmp(lab.edgeNamespace(), "Udp");
            System.out.printf(
                    "random-subdomain flood passed to the edge: %,d offered, %,d at the edge, %,d queries read by a socket%n",
                    offered, edge.attackFrames(), received.get());
            assertThat(wrong).as("queries not for <random>.victim.example A IN").isEmpty();
            assertThat(edge.attackFrames()).isBetween(offered * 99 / 100, offered);
            assertThat(udp.get("InCsumErrors"))
                    .as("UDP checksum errors at the edge")
                    .isZero();
            assertThat(udp.get("InDatagrams") + udp.get("RcvbufErrors"))
                    .as("datagrams reaching UDP at the edge")
                    .isEqualTo(edge.attackFrames());
            assertThat(received.get())
                    .as("queries read from the edge's port 53")
                    .isGreaterThanOrEqualTo((int) (offered * 90 / 100));
            assertThat(names.size()).as("distinct random labels").isGreaterThan(received.get() * 99 / 100);
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
