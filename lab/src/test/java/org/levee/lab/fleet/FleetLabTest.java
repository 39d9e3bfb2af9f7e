package org.levee.lab.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.levee.ebpf.asm.Instruction.*;
import static org.levee.ebpf.asm.Register.*;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.levee.ebpf.BpfMap;
import org.levee.ebpf.MapSpec;
import org.levee.ebpf.Program;
import org.levee.ebpf.ProgramSpec;
import org.levee.ebpf.XdpAction;
import org.levee.ebpf.XdpLink;
import org.levee.ebpf.XdpMode;
import org.levee.ebpf.asm.Assembler;
import org.levee.ebpf.asm.Helper;
import org.levee.ebpf.asm.Size;
import org.levee.ebpf.netns.Netns;
import org.levee.lab.FloodGenerator;
import org.levee.lab.FloodKind;
import org.levee.lab.fleet.FleetLab.Datacenter;
import org.levee.lab.fleet.FleetLab.Edge;
import org.levee.netns.LabProcess;
import org.levee.testing.Requirements;

/**
 * The fleet lab for real: two data centers (one with two edges). Clients reach the anycast
 * address on their own data center's edges (both edges of ams serve some), a flood from a data
 * center's attackers reaches only that data center's edges (spread over both in ams), the
 * management network joins every edge to a service there, and a partition cuts exactly the port
 * it names, then heals.
 */
@Tag("kernel")
class FleetLabTest {
    private static FleetLab fleet;
    private static final List<AutoCloseable> counters = new ArrayList<>();
    private static final List<BpfMap> counts = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        Requirements.root();
        Requirements.command("ip");
        Requirements.command("nft");
        Requirements.command("nsenter");
        fleet = FleetLab.create(List.of(new FleetLab.Site("ams", 2), new FleetLab.Site("fra", 1)));
        for (Edge edge : fleet.edges()) {
            BpfMap count = BpfMap.create(MapSpec.perCpuArray("edge_count", 8, 1));
            Program program = Program.load(ProgramSpec.xdp("edge_count", countFloods(count.fd())));
            counts.add(count);
            counters.add(count);
            counters.add(program);
            counters.add(Netns.run(edge.namespace(), () -> XdpLink.attach(program, edge.iface(), XdpMode.NATIVE)));
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (int i = counters.size() - 1; i >= 0; i--) {
            counters.get(i).close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void clientsReachTheAnycastAddressOnTheirOwnDatacentersEdges() throws Exception {
        for (Datacenter dc : fleet.datacenters()) {
            Set<String> answeredBy = new HashSet<>();
            List<Thread> servers = new ArrayList<>();
            List<DatagramSocket> sockets = new ArrayList<>();
            for (Edge edge : dc.edges()) {
                DatagramSocket socket = Netns.run(
                        edge.namespace(), () -> new DatagramSocket(new InetSocketAddress(FleetLab.ANYCAST, 9000)));
                sockets.add(socket);
                servers.add(Thread.ofPlatform().start(() -> echo(socket, edge.node())));
            }
            try {
                for (int c = 0; c < dc.clientAddresses().size(); c++) {
                    int client = c;
                    for (int port = 40000; port < 40008; port++) {
                        int sourcePort = port;
                        String reply = Netns.run(
                                dc.clients(),
                                () -> ask(dc.clientAddresses().get(client).getHostAddress(), sourcePort));
                        assertThat(reply).as("reply in %s", dc.name()).startsWith(dc.name() + "-");
                        answeredBy.add(reply);
                    }
                }
            } finally {
                sockets.forEach(DatagramSocket::close);
                for (Thread t : servers) {
                    t.join();
                }
            }
            assertThat(answeredBy)
                    .as("edges of %s that answered", dc.name())
                    .containsExactlyInAnyOrderElementsOf(
                            dc.edges().stream().map(Edge::node).toList());
        }
    }

    @Test
    void aFloodFromADatacentersAttackersReachesOnlyItsEdgesSpreadOverThem() throws Exception {
        Datacenter ams = fleet.datacenter("ams");
        long[] before = edgeCounts();
        try (FloodGenerator flood = FloodGenerator.open(ams.floodPath(), FloodKind.SYN_FLOOD)) {
            flood.start(20_000);
            Thread.sleep(1000);
            flood.stop();
            Thread.sleep(100);
            long[] after = edgeCounts();
            long offered = flood.offered();
            List<Edge> edges = fleet.edges();
            long atAms = 0;
            for (int i = 0; i < edges.size(); i++) {
                long got = after[i] - before[i];
                if (edges.get(i).datacenter().equals("ams")) {
                    atAms += got;
                    assertThat(got)
                            .as("flood frames at %s", edges.get(i).node())
                            .isGreaterThan(offered / 4);
                } else {
                    assertThat(got)
                            .as("flood frames at %s", edges.get(i).node())
                            .isZero();
                }
            }
            assertThat(atAms).as("flood frames at ams's edges").isEqualTo(offered);
        }
    }

    @Test
    void everyEdgeReachesTheManagementNetworkAndAPartitionCutsOnlyItsPort(@TempDir Path dir) throws Exception {
        String address = fleet.addManagementAddress();
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket a = Netns.run(
                        fleet.managementNamespace(),
                        () -> new ServerSocket(2379, 50, java.net.InetAddress.getByName(address)));
                ServerSocket b = Netns.run(
                        fleet.managementNamespace(),
                        () -> new ServerSocket(6343, 50, java.net.InetAddress.getByName(address)));
                LabProcess shell = fleet.spawn(
                        "shell", fleet.managementNamespace(), dir.resolve("shell.log"), List.of("sleep", "600"))) {
            Thread acceptor = Thread.ofPlatform().daemon().start(() -> acceptAll(a, accepted));
            Thread acceptor2 = Thread.ofPlatform().daemon().start(() -> acceptAll(b, accepted));
            Edge cut = fleet.edges().getFirst();
            for (Edge edge : fleet.edges()) {
                assertThat(connects(edge, address, 2379))
                        .as("%s to the management service", edge.node())
                        .isTrue();
            }
            fleet.partition(cut, 2379, true);
            try {
                assertThat(connects(cut, address, 2379))
                        .as("cut edge to the cut port")
                        .isFalse();
                assertThat(connects(cut, address, 6343))
                        .as("cut edge to another port")
                        .isTrue();
                assertThat(connects(fleet.edges().getLast(), address, 2379))
                        .as("another edge to the cut port")
                        .isTrue();
            } finally {
                fleet.partition(cut, 2379, false);
            }
            assertThat(connects(cut, address, 2379)).as("healed").isTrue();
            assertThat(shell.alive()).isTrue();
        }
    }

    @Test
    void aThreeMemberEtcdClusterRunsInTheManagementNetworkAndSurvivesAStoppedMember(@TempDir Path dir)
            throws Exception {
        Requirements.command("etcd");
        Requirements.command("etcdctl");
        try (EtcdCluster etcd = EtcdCluster.start(fleet, 3, dir)) {
            assertThat(etcd.etcdctl("put", "/levee/test", "one").succeeded()).isTrue();
            etcd.stopMember(1);
            assertThat(etcd.etcdctl("--command-timeout", "3s", "put", "/levee/test", "two")
                            .succeeded())
                    .as("a write with a member down")
                    .isTrue();
            etcd.startMember(1);
            etcd.awaitHealthy();
            assertThat(etcd.etcdctl("get", "--print-value-only", "/levee/test")
                            .output()
                            .strip())
                    .isEqualTo("two");
            Edge edge = fleet.edges().getFirst();
            assertThat(fleet.exec(
                                    edge.namespace(),
                                    "etcdctl",
                                    "--endpoints",
                                    etcd.endpoints(),
                                    "get",
                                    "--print-value-only",
                                    "/levee/test")
                            .output()
                            .strip())
                    .as("read from an edge")
                    .isEqualTo("two");
        }
    }

    private static void acceptAll(ServerSocket server, AtomicInteger accepted) {
        while (true) {
            try (Socket s = server.accept()) {
                accepted.incrementAndGet();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static boolean connects(Edge edge, String address, int port) throws Exception {
        return Netns.run(edge.namespace(), () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), 700);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static void echo(DatagramSocket socket, String node) {
        byte[] buffer = new byte[64];
        while (true) {
            try {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                socket.receive(p);
                byte[] answer = node.getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static String ask(String source, int sourcePort) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(source, sourcePort))) {
            s.setSoTimeout(2000);
            s.send(new DatagramPacket(new byte[] {1}, 1, new InetSocketAddress(FleetLab.ANYCAST, 9000)));
            DatagramPacket p = new DatagramPacket(new byte[64], 64);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return "no answer";
            }
            return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
        }
    }

    private static long[] edgeCounts() {
        return counts.stream()
                .mapToLong(m -> Arrays.stream(m.perCpuLongs(0)).sum())
                .toArray();
    }

    /** Counts and drops TCP SYNs (the test's flood), passes everything else. */
    private static byte[] countFloods(int countFd) {
        return new Assembler()
                .emit(ldxW(R2, R1, 0), ldxW(R3, R1, 4), mov64(R0, XdpAction.PASS.code()), mov64(R4, R2), add64(R4, 54))
                .jgtReg(R4, R3, "out")
                .emit(ldxB(R4, R2, 23))
                .jneImm(R4, 6, "out")
                .emit(ldxB(R4, R2, 47))
                .jneImm(R4, 0x02, "out")
                .emit(
                        st(Size.W, R10, -4, 0),
                        mov64(R2, R10),
                        add64(R2, -4),
                        ldMapFd(R1, countFd),
                        call(Helper.MAP_LOOKUP_ELEM))
                .jeqImm(R0, 0, "drop")
                .emit(ldxDW(R1, R0, 0), add64(R1, 1), stxDW(R0, 0, R1))
                .label("drop")
                .emit(mov64(R0, XdpAction.DROP.code()))
                .label("out")
                .emit(exit())
                .assemble()
                .encode();
    }
}
