package org.levee.lab;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Legitimate traffic for the demo, at steady rates from the clients to services on the edge:
 * UDP requests with sequence numbers, each answered by an echo, and (if its rate is not zero)
 * TCP requests on a new connection each to the port the SYN flood aims at. Each protocol has a
 * {@link DeliveryLog} that tells, for any window of send times, how many requests were sent,
 * reached the server and were answered.
 */
public final class LegitTraffic implements AutoCloseable {
    /** The UDP port of the edge's request/answer service. */
    public static final int UDP_PORT = 9000;
    /** The TCP port of the edge's service: the one the SYN flood aims at. */
    public static final int TCP_PORT = FloodFrames.SYN_PORT;
    /** How long after the last UDP request its answer can still come (in the lab, on an idle edge: about a millisecond). */
    public static final int UDP_SETTLE_MILLIS = 300;
    /** How long after the last TCP request it can still be answered: its connect and read time-outs. */
    public static final int TCP_SETTLE_MILLIS =
            LegitTcpClients.CONNECT_TIMEOUT_MILLIS + LegitTcpClients.READ_TIMEOUT_MILLIS + 200;

    private final DeliveryLog udp = new DeliveryLog();
    private final DeliveryLog tcp = new DeliveryLog();
    private final List<LegitServer> udpServers = new ArrayList<>();
    private LegitClients udpClients;
    private final List<LegitTcpServer> tcpServers = new ArrayList<>();
    private LegitTcpClients tcpClients;

    private LegitTraffic() {}

    /**
     * Starts the services on the lab's edge (IPv4 and IPv6) and its clients of both families:
     * {@code udpPerSecond} UDP and {@code tcpPerSecond} TCP requests, taking turns among all clients.
     */
    public static LegitTraffic start(DemoLab lab, long udpPerSecond, long tcpPerSecond) throws Exception {
        List<InetAddress> clients = new ArrayList<>(lab.clientAddresses());
        clients.addAll(lab.clientAddresses6());
        return start(
                lab.edgeNamespace(),
                List.of(lab.edgeAddress(), lab.edgeAddress6()),
                lab.clientsNamespace(),
                clients,
                udpPerSecond,
                tcpPerSecond);
    }

    /** {@link #start(String, List, String, List, long, long)} with one server address. */
    public static LegitTraffic start(
            String serverNamespace,
            InetAddress server,
            String clientsNamespace,
            List<? extends InetAddress> clientAddresses,
            long udpPerSecond,
            long tcpPerSecond)
            throws Exception {
        return start(serverNamespace, List.of(server), clientsNamespace, clientAddresses, udpPerSecond, tcpPerSecond);
    }

    /**
     * Starts the services at each of {@code servers} in {@code serverNamespace} and clients from
     * each of {@code clientAddresses} in {@code clientsNamespace}, each client talking to the
     * server of its address family. {@code udpPerSecond} must be positive; {@code tcpPerSecond} 0
     * means no TCP.
     */
    public static LegitTraffic start(
            String serverNamespace,
            List<? extends InetAddress> servers,
            String clientsNamespace,
            List<? extends InetAddress> clientAddresses,
            long udpPerSecond,
            long tcpPerSecond)
            throws Exception {
        return start(List.of(serverNamespace), servers, clientsNamespace, clientAddresses, udpPerSecond, tcpPerSecond);
    }

    /**
     * Starts the services at each of {@code servers} in every one of {@code serverNamespaces}
     * (anycast: the edges of one data center all serve the same address, and the router spreads
     * the clients over them; every server counts into the same logs) and the clients.
     */
    public static LegitTraffic start(
            List<String> serverNamespaces,
            List<? extends InetAddress> servers,
            String clientsNamespace,
            List<? extends InetAddress> clientAddresses,
            long udpPerSecond,
            long tcpPerSecond)
            throws Exception {
        if (tcpPerSecond < 0) {
            throw new IllegalArgumentException("legitimate TCP request rate must be ≥ 0, got " + tcpPerSecond);
        }
        LegitTraffic traffic = new LegitTraffic();
        try {
            List<InetSocketAddress> udpServices = servers.stream()
                    .map(a -> new InetSocketAddress(a, UDP_PORT))
                    .toList();
            for (String serverNamespace : serverNamespaces) {
                for (InetSocketAddress service : udpServices) {
                    traffic.udpServers.add(LegitServer.start(serverNamespace, service, traffic.udp));
                }
            }
            traffic.udpClients =
                    LegitClients.start(clientsNamespace, clientAddresses, udpServices, udpPerSecond, traffic.udp);
            if (tcpPerSecond > 0) {
                List<InetSocketAddress> tcpServices = servers.stream()
                        .map(a -> new InetSocketAddress(a, TCP_PORT))
                        .toList();
                for (String serverNamespace : serverNamespaces) {
                    for (InetSocketAddress service : tcpServices) {
                        traffic.tcpServers.add(LegitTcpServer.start(serverNamespace, service, traffic.tcp));
                    }
                }
                traffic.tcpClients = LegitTcpClients.start(
                        clientsNamespace, clientAddresses, tcpServices, tcpPerSecond, traffic.tcp);
            }
            return traffic;
        } catch (Exception e) {
            try {
                traffic.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The server among {@code servers} of the same address family as {@code client}. */
    static InetSocketAddress sameFamily(InetAddress client, List<InetSocketAddress> servers) {
        return servers.stream()
                .filter(s -> s.getAddress().getClass() == client.getClass())
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "no server of the family of client " + client.getHostAddress() + " among " + servers));
    }

    /** The UDP requests. */
    public DeliveryLog udp() {
        return udp;
    }

    /** The TCP requests (empty when TCP is off). */
    public DeliveryLog tcp() {
        return tcp;
    }

    /** UDP and TCP requests sent in [{@code fromNanos}, {@code toNanos}) ({@link System#nanoTime()} values). */
    public DeliveryCounts window(long fromNanos, long toNanos) {
        return udp.window(fromNanos, toNanos).plus(tcp.window(fromNanos, toNanos));
    }

    /** UDP and TCP requests sent so far. */
    public DeliveryCounts total() {
        return udp.total().plus(tcp.total());
    }

    /** Datagrams at the UDP service's port that were not lab requests (a flood aimed at it). */
    public long foreignDatagrams() {
        return udpServers.stream().mapToLong(LegitServer::foreign).sum();
    }

    /** Stops sending; the services keep answering requests in flight until {@link #close()}. */
    public void stopSending() {
        udpClients.stopSending();
        if (tcpClients != null) {
            tcpClients.stopSending();
        }
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        List<AutoCloseable> parts = new ArrayList<>(java.util.Arrays.asList(tcpClients, udpClients));
        parts.addAll(tcpServers);
        parts.addAll(udpServers);
        for (AutoCloseable part : parts) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
