package org.levee.lab;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
    public static final int TCP_SETTLE_MILLIS = LegitTcpClients.CONNECT_TIMEOUT_MILLIS + LegitTcpClients.READ_TIMEOUT_MILLIS + 200;

    private final DeliveryLog udp = new DeliveryLog();
    private final DeliveryLog tcp = new DeliveryLog();
    private LegitServer udpServer;
    private LegitClients udpClients;
    private LegitTcpServer tcpServer;
    private LegitTcpClients tcpClients;

    private LegitTraffic() {}

    /** Starts the services on the lab's edge and its clients: {@code udpPerSecond} UDP and {@code tcpPerSecond} TCP requests. */
    public static LegitTraffic start(DemoLab lab, long udpPerSecond, long tcpPerSecond) throws Exception {
        return start(lab.edgeNamespace(), lab.edgeAddress(), lab.clientsNamespace(), lab.clientAddresses(), udpPerSecond, tcpPerSecond);
    }

    /**
     * Starts the services at {@code server} in {@code serverNamespace} and clients from each of
     * {@code clientAddresses} in {@code clientsNamespace}. {@code udpPerSecond} must be positive;
     * {@code tcpPerSecond} 0 means no TCP.
     */
    public static LegitTraffic start(String serverNamespace, InetAddress server, String clientsNamespace,
                                     List<Inet4Address> clientAddresses, long udpPerSecond, long tcpPerSecond) throws Exception {
        if (tcpPerSecond < 0) {
            throw new IllegalArgumentException("legitimate TCP request rate must be ≥ 0, got " + tcpPerSecond);
        }
        LegitTraffic traffic = new LegitTraffic();
        try {
            InetSocketAddress udpService = new InetSocketAddress(server, UDP_PORT);
            traffic.udpServer = LegitServer.start(serverNamespace, udpService, traffic.udp);
            traffic.udpClients = LegitClients.start(clientsNamespace, clientAddresses, udpService, udpPerSecond, traffic.udp);
            if (tcpPerSecond > 0) {
                InetSocketAddress tcpService = new InetSocketAddress(server, TCP_PORT);
                traffic.tcpServer = LegitTcpServer.start(serverNamespace, tcpService, traffic.tcp);
                traffic.tcpClients = LegitTcpClients.start(clientsNamespace, clientAddresses, tcpService, tcpPerSecond, traffic.tcp);
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
        return udpServer.foreign();
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
        for (AutoCloseable part : new AutoCloseable[] {tcpClients, udpClients, tcpServer, udpServer}) {
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
